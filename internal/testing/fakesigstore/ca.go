package fakesigstore

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
)

// caLifetime is how long the CA certificates last after New.
const caLifetime = 24 * time.Hour

// validity is the span a CA certificate is valid for.
type validity struct{ from, to time.Time }

// around returns the validity of a CA made at the given instants: from an
// hour before the earliest to caLifetime after the latest.
func around(instants ...time.Time) validity {
	v := validity{instants[0], instants[0]}
	for _, t := range instants[1:] {
		if t.Before(v.from) {
			v.from = t
		}
		if t.After(v.to) {
			v.to = t
		}
	}
	return validity{v.from.Add(-time.Hour), v.to.Add(caLifetime)}
}

// oidExtKeyUsage is the extended key usage extension, which the TSA leaf
// carries as critical.
var oidExtKeyUsage = asn1.ObjectIdentifier{2, 5, 29, 37}

// newFulcioCA makes a root and an intermediate that may only issue
// code-signing certificates, the shape of the public-good Fulcio chain.
func newFulcioCA(v validity) (*issuer, error) {
	root, rootKey, err := newRoot(v, "fakesigstore fulcio root")
	if err != nil {
		return nil, err
	}
	key, err := newKey()
	if err != nil {
		return nil, err
	}
	inter, err := createCert(&x509.Certificate{
		Subject:               pkix.Name{Organization: []string{"fakesigstore"}, CommonName: "fakesigstore fulcio intermediate"},
		NotBefore:             v.from,
		NotAfter:              v.to,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageCodeSigning},
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}, &key.PublicKey, root, rootKey)
	if err != nil {
		return nil, err
	}
	return &issuer{root: root, sub: inter, key: key}, nil
}

// newTSA makes a root and a timestamping leaf whose only extended key usage
// is timeStamping, marked critical as RFC 3161 requires and as
// timestamp-authority's verifier checks.
func newTSA(v validity) (*issuer, error) {
	root, rootKey, err := newRoot(v, "fakesigstore tsa root")
	if err != nil {
		return nil, err
	}
	key, err := newKey()
	if err != nil {
		return nil, err
	}
	eku, err := asn1.Marshal([]asn1.ObjectIdentifier{{1, 3, 6, 1, 5, 5, 7, 3, 8}})
	if err != nil {
		return nil, fmt.Errorf("encoding extended key usage: %w", err)
	}
	leaf, err := createCert(&x509.Certificate{
		Subject:         pkix.Name{Organization: []string{"fakesigstore"}, CommonName: "fakesigstore tsa"},
		NotBefore:       v.from,
		NotAfter:        v.to,
		KeyUsage:        x509.KeyUsageDigitalSignature,
		ExtraExtensions: []pkix.Extension{{Id: oidExtKeyUsage, Critical: true, Value: eku}},
	}, &key.PublicKey, root, rootKey)
	if err != nil {
		return nil, err
	}
	return &issuer{root: root, sub: leaf, key: key}, nil
}

// newRoot makes a self-signed CA certificate named cn and its key.
func newRoot(v validity, cn string) (*x509.Certificate, *ecdsa.PrivateKey, error) {
	key, err := newKey()
	if err != nil {
		return nil, nil, err
	}
	tmpl := &x509.Certificate{
		Subject:               pkix.Name{Organization: []string{"fakesigstore"}, CommonName: cn},
		NotBefore:             v.from,
		NotAfter:              v.to,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLen:            1,
	}
	cert, err := createCert(tmpl, &key.PublicKey, tmpl, key)
	if err != nil {
		return nil, nil, err
	}
	return cert, key, nil
}

func newKey() (*ecdsa.PrivateKey, error) {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generating key: %w", err)
	}
	return k, nil
}

// createCert gives tmpl a random serial number and signs it for pub with
// signer, the key of parent.
func createCert(tmpl *x509.Certificate, pub crypto.PublicKey, parent *x509.Certificate, signer crypto.Signer) (*x509.Certificate, error) {
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 159))
	if err != nil {
		return nil, fmt.Errorf("generating serial number: %w", err)
	}
	tmpl.SerialNumber = serial
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, signer)
	if err != nil {
		return nil, fmt.Errorf("creating certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("parsing certificate: %w", err)
	}
	return cert, nil
}
