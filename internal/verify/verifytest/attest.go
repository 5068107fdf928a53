package verifytest

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"fmt"
	"math/big"
	"net/url"
	"time"

	"github.com/digitorus/timestamp"
	"github.com/secure-systems-lab/go-securesystemslib/dsse"
	protobundle "github.com/sigstore/protobuf-specs/gen/pb-go/bundle/v1"
	protocommon "github.com/sigstore/protobuf-specs/gen/pb-go/common/v1"
	protodsse "github.com/sigstore/protobuf-specs/gen/pb-go/dsse"
	"github.com/sigstore/sigstore-go/pkg/fulcio/certificate"
	"github.com/sigstore/sigstore/pkg/signature"
	sigdsse "github.com/sigstore/sigstore/pkg/signature/dsse"
	"google.golang.org/protobuf/encoding/protojson"
)

// Signer is who signs: the certificate's SAN (a URI, the workflow at a
// ref), the OIDC issuer and the GitHub extensions.
type Signer struct {
	SAN        string
	Issuer     string
	Extensions certificate.Extensions
}

// Attest signs statement as a DSSE envelope with a fresh key, a
// certificate for signer valid from a minute ago for ten minutes, and a
// timestamp of now, and returns the Sigstore bundle (v0.3) JSON.
func (s *Sigstore) Attest(statement []byte, signer Signer) ([]byte, error) {
	return s.AttestAt(statement, signer, time.Now())
}

// AttestAt is Attest with the timestamp authority's time set to at, for
// bundles whose signing time lies outside the certificate's validity.
func (s *Sigstore) AttestAt(statement []byte, signer Signer, at time.Time) ([]byte, error) {
	key, err := newKey()
	if err != nil {
		return nil, err
	}
	leaf, err := s.leaf(signer, key.Public())
	if err != nil {
		return nil, err
	}
	sv, err := signature.LoadECDSASignerVerifier(key, crypto.SHA256)
	if err != nil {
		return nil, err
	}
	es, err := dsse.NewEnvelopeSigner(&sigdsse.SignerAdapter{SignatureSigner: sv, Pub: key.Public()})
	if err != nil {
		return nil, err
	}
	env, err := es.SignPayload(context.Background(), "application/vnd.in-toto+json", statement)
	if err != nil {
		return nil, fmt.Errorf("signing the statement: %w", err)
	}
	sig, err := base64.StdEncoding.DecodeString(env.Signatures[0].Sig)
	if err != nil {
		return nil, err
	}
	ts, err := s.timestamp(sig, at)
	if err != nil {
		return nil, err
	}
	return encodeBundle(leaf.Raw, statement, sig, ts)
}

// leaf issues the signing certificate, with the extensions Fulcio writes
// for GitHub Actions tokens.
func (s *Sigstore) leaf(signer Signer, pub crypto.PublicKey) (*x509.Certificate, error) {
	san, err := url.Parse(signer.SAN)
	if err != nil {
		return nil, fmt.Errorf("the signer's SAN: %w", err)
	}
	x := signer.Extensions
	x.Issuer = signer.Issuer
	exts, err := extensions(x)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(now.UnixNano()), NotBefore: now.Add(-time.Minute), NotAfter: now.Add(10 * time.Minute),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageCodeSigning},
		URIs: []*url.URL{san}, ExtraExtensions: exts,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, s.caInter, pub, s.caKey)
	if err != nil {
		return nil, fmt.Errorf("issuing the signing certificate: %w", err)
	}
	return x509.ParseCertificate(der)
}

// extensions encodes the non-empty GitHub extensions as Fulcio does: each
// a DER UTF8String.
func extensions(x certificate.Extensions) ([]pkix.Extension, error) {
	var out []pkix.Extension
	for _, e := range []struct {
		oid asn1.ObjectIdentifier
		v   string
	}{
		{certificate.OIDIssuerV2, x.Issuer},
		{certificate.OIDBuildSignerURI, x.BuildSignerURI},
		{certificate.OIDRunnerEnvironment, x.RunnerEnvironment},
		{certificate.OIDSourceRepositoryURI, x.SourceRepositoryURI},
		{certificate.OIDSourceRepositoryDigest, x.SourceRepositoryDigest},
		{certificate.OIDSourceRepositoryRef, x.SourceRepositoryRef},
		{certificate.OIDRunInvocationURI, x.RunInvocationURI},
	} {
		if e.v == "" {
			continue
		}
		der, err := asn1.MarshalWithParams(e.v, "utf8")
		if err != nil {
			return nil, err
		}
		out = append(out, pkix.Extension{Id: e.oid, Value: der})
	}
	return out, nil
}

// timestamp is the timestamp authority's RFC 3161 response for sig.
func (s *Sigstore) timestamp(sig []byte, at time.Time) ([]byte, error) {
	req, err := timestamp.CreateRequest(bytes.NewReader(sig), &timestamp.RequestOptions{Hash: crypto.SHA256})
	if err != nil {
		return nil, err
	}
	parsed, err := timestamp.ParseRequest(req)
	if err != nil {
		return nil, err
	}
	ts := timestamp.Timestamp{HashAlgorithm: parsed.HashAlgorithm, HashedMessage: parsed.HashedMessage, Time: at,
		Policy: asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 57264, 2}}
	resp, err := ts.CreateResponseWithOpts(s.tsa, s.tsaKey, crypto.SHA256)
	if err != nil {
		return nil, fmt.Errorf("timestamping: %w", err)
	}
	return resp, nil
}

func encodeBundle(cert, payload, sig, ts []byte) ([]byte, error) {
	pb := &protobundle.Bundle{
		MediaType: "application/vnd.dev.sigstore.bundle.v0.3+json",
		VerificationMaterial: &protobundle.VerificationMaterial{
			Content: &protobundle.VerificationMaterial_Certificate{Certificate: &protocommon.X509Certificate{RawBytes: cert}},
			TimestampVerificationData: &protobundle.TimestampVerificationData{
				Rfc3161Timestamps: []*protocommon.RFC3161SignedTimestamp{{SignedTimestamp: ts}},
			},
		},
		Content: &protobundle.Bundle_DsseEnvelope{DsseEnvelope: &protodsse.Envelope{
			Payload: payload, PayloadType: "application/vnd.in-toto+json", Signatures: []*protodsse.Signature{{Sig: sig}},
		}},
	}
	return protojson.Marshal(pb)
}
