package fakesigstore

import (
	"crypto/x509"
	"fmt"

	prototrustroot "github.com/sigstore/protobuf-specs/gen/pb-go/trustroot/v1"
	"github.com/sigstore/sigstore-go/pkg/root"
)

// operator names the fake in signing configs.
const operator = "fakesigstore"

// TrustedRoot returns the trusted root that bundles signed through the fake
// verify under: the Fulcio root and intermediate, and the TSA root and
// leaf, each valid from an hour before New. It lists no transparency log
// and no CT log, so verify with signed timestamps and without SCTs. When
// the fake runs under NewTestServer, the URIs are the test server's; else
// they are empty.
func (s *Sigstore) TrustedRoot() (*root.TrustedRoot, error) {
	ca := &root.FulcioCertificateAuthority{
		Root:                s.fulcio.root,
		Intermediates:       []*x509.Certificate{s.fulcio.sub},
		ValidityPeriodStart: s.validFrom,
		URI:                 s.baseURL,
	}
	tsa := &root.SigstoreTimestampingAuthority{
		Root:                s.tsa.root,
		Leaf:                s.tsa.sub,
		ValidityPeriodStart: s.validFrom,
	}
	if s.baseURL != "" {
		tsa.URI = s.baseURL + TimestampPath
	}
	tr, err := root.NewTrustedRoot(root.TrustedRootMediaType01,
		[]root.CertificateAuthority{ca}, nil, []root.TimestampingAuthority{tsa}, nil)
	if err != nil {
		return nil, fmt.Errorf("building trusted root: %w", err)
	}
	return tr, nil
}

// TrustedRootJSON returns TrustedRoot as a trusted_root.json document
// (application/vnd.dev.sigstore.trustedroot+json;version=0.1), for code
// that reads the trusted root from a file.
func (s *Sigstore) TrustedRootJSON() ([]byte, error) {
	tr, err := s.TrustedRoot()
	if err != nil {
		return nil, err
	}
	b, err := tr.MarshalJSON()
	if err != nil {
		return nil, fmt.Errorf("marshalling trusted root: %w", err)
	}
	return b, nil
}

// SigningConfigJSON returns a signing config
// (application/vnd.dev.sigstore.signingconfig.v0.2+json) naming fulcioURL
// as the certificate authority and tsaURL as the timestamp authority, both
// API version 1, with no OIDC provider and no Rekor. Pass a TestServer's
// FulcioURL and TSAURL.
func (s *Sigstore) SigningConfigJSON(fulcioURL, tsaURL string) ([]byte, error) {
	svc := func(u string) []root.Service {
		return []root.Service{{URL: u, MajorAPIVersion: 1, ValidityPeriodStart: s.validFrom, Operator: operator}}
	}
	anyOne := root.ServiceConfiguration{Selector: prototrustroot.ServiceSelector_ANY}
	sc, err := root.NewSigningConfig(root.SigningConfigMediaType02,
		svc(fulcioURL), nil, nil, anyOne, svc(tsaURL), anyOne)
	if err != nil {
		return nil, fmt.Errorf("building signing config: %w", err)
	}
	b, err := sc.MarshalJSON()
	if err != nil {
		return nil, fmt.Errorf("marshalling signing config: %w", err)
	}
	return b, nil
}
