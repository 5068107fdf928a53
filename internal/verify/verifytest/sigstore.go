package verifytest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"math/big"
	"time"

	"github.com/sigstore/sigstore-go/pkg/root"
)

// Sigstore is one in-process instance: a certificate authority (root and
// intermediate) and a timestamp authority (root and leaf).
type Sigstore struct {
	caRoot, caInter *x509.Certificate
	caKey           *ecdsa.PrivateKey // the intermediate's
	tsaRoot, tsa    *x509.Certificate
	tsaKey          *ecdsa.PrivateKey // the leaf's
	trusted         *root.TrustedRoot
}

// New makes a fresh instance with new keys, valid from an hour ago for a
// day.
func New() (*Sigstore, error) {
	s := &Sigstore{}
	now := time.Now()
	rootKey, err := newKey()
	if err != nil {
		return nil, err
	}
	if s.caRoot, err = issue(caTemplate("test Fulcio root", now), nil, rootKey, rootKey); err != nil {
		return nil, err
	}
	if s.caKey, err = newKey(); err != nil {
		return nil, err
	}
	inter := caTemplate("test Fulcio intermediate", now)
	inter.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageCodeSigning}
	if s.caInter, err = issue(inter, s.caRoot, s.caKey, rootKey); err != nil {
		return nil, err
	}
	if err := s.newTSA(now); err != nil {
		return nil, err
	}
	s.trusted, err = root.NewTrustedRoot(root.TrustedRootMediaType01,
		[]root.CertificateAuthority{&root.FulcioCertificateAuthority{Root: s.caRoot, Intermediates: []*x509.Certificate{s.caInter},
			ValidityPeriodStart: now.Add(-time.Hour), URI: "https://fulcio.test"}},
		nil,
		[]root.TimestampingAuthority{&root.SigstoreTimestampingAuthority{Root: s.tsaRoot, Leaf: s.tsa,
			ValidityPeriodStart: now.Add(-time.Hour), URI: "https://tsa.test"}},
		nil)
	return s, err
}

func (s *Sigstore) newTSA(now time.Time) error {
	rootKey, err := newKey()
	if err != nil {
		return err
	}
	if s.tsaRoot, err = issue(caTemplate("test TSA root", now), nil, rootKey, rootKey); err != nil {
		return err
	}
	if s.tsaKey, err = newKey(); err != nil {
		return err
	}
	eku, err := asn1.Marshal([]asn1.ObjectIdentifier{{1, 3, 6, 1, 5, 5, 7, 3, 8}})
	if err != nil {
		return err
	}
	leaf := &x509.Certificate{
		SerialNumber: big.NewInt(3), Subject: pkix.Name{CommonName: "test TSA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature,
		// The timestamping EKU, critical as RFC 3161 asks.
		ExtraExtensions: []pkix.Extension{{Id: asn1.ObjectIdentifier{2, 5, 29, 37}, Critical: true, Value: eku}},
	}
	s.tsa, err = issue(leaf, s.tsaRoot, s.tsaKey, rootKey)
	return err
}

// TrustedRoot is the trusted root of the instance: its certificate
// authority and timestamp authority, no logs.
func (s *Sigstore) TrustedRoot() *root.TrustedRoot { return s.trusted }

// TrustedRootJSON is TrustedRoot in its JSON form, as a --trusted-root
// file holds it.
func (s *Sigstore) TrustedRootJSON() ([]byte, error) {
	b, err := s.trusted.MarshalJSON()
	if err != nil {
		return nil, fmt.Errorf("encoding the trusted root: %w", err)
	}
	return b, nil
}

func newKey() (*ecdsa.PrivateKey, error) {
	return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
}

func caTemplate(name string, now time.Time) *x509.Certificate {
	return &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: name},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign, BasicConstraintsValid: true, IsCA: true,
	}
}

// issue signs tmpl with parentKey; a nil parent makes it self-signed.
func issue(tmpl, parent *x509.Certificate, key *ecdsa.PrivateKey, parentKey crypto.Signer) (*x509.Certificate, error) {
	if parent == nil {
		parent = tmpl
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, key.Public(), parentKey)
	if err != nil {
		return nil, fmt.Errorf("issuing %s: %w", tmpl.Subject.CommonName, err)
	}
	return x509.ParseCertificate(der)
}
