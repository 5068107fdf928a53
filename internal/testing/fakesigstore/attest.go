package fakesigstore

import (
	"context"
	"fmt"
	"time"

	"github.com/sigstore/sigstore-go/pkg/sign"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/provenant/provenant/internal/signing"
)

// GitHubIssuer is the issuer of GitHub Actions tokens, the iss claim of
// GitHubClaims.
const GitHubIssuer = "https://token.actions.githubusercontent.com"

// AttestOption configures Attest.
type AttestOption func(*attestOptions)

type attestOptions struct {
	timestampAt time.Time
}

// WithTimestampAt makes the timestamp authority stamp the signature with
// at instead of the clock's reading, for bundles whose signing time lies
// outside the certificate's validity. The default is the clock's reading.
func WithTimestampAt(at time.Time) AttestOption {
	return func(o *attestOptions) { o.timestampAt = at }
}

// Attest signs statement in process for a GitHub Actions run whose
// verified token held claims (string values, iss included; fakeoidc's
// DefaultClaims with iss set make a complete set), and returns the
// Sigstore bundle JSON. Unlike Signer it needs no token, so a test can
// leave claims out: each empty claim leaves its certificate extension out,
// as a leaf from a Fulcio that writes fewer extensions would.
func (s *Sigstore) Attest(ctx context.Context, statement []byte, claims map[string]string, opts ...AttestOption) ([]byte, error) {
	var o attestOptions
	for _, opt := range opts {
		opt(&o)
	}
	kp, err := sign.NewEphemeralKeypair(nil)
	if err != nil {
		return nil, err
	}
	stamper := s
	if !o.timestampAt.IsZero() {
		stamper = s.stampingAt(o.timestampAt)
	}
	tsa := sign.NewTimestampAuthority(&sign.TimestampAuthorityOptions{URL: "http://in-process" + TimestampPath, Transport: inProcess{stamper.Handler()}})
	pb, err := sign.Bundle(&sign.DSSEData{Data: statement, PayloadType: signing.PayloadType}, kp, sign.BundleOptions{
		CertificateProvider:  claimsCA{s: s, claims: claims},
		TimestampAuthorities: []*sign.TimestampAuthority{tsa},
		Context:              ctx,
	})
	if err != nil {
		return nil, fmt.Errorf("fakesigstore: signing: %w", err)
	}
	return protojson.Marshal(pb)
}

// stampingAt is a Sigstore with the same authorities whose clock stands at
// at: its handler's timestamps carry that time.
func (s *Sigstore) stampingAt(at time.Time) *Sigstore {
	return &Sigstore{
		clock: func() time.Time { return at }, serverURL: s.serverURL, audience: s.audience, validFrom: s.validFrom,
		fulcio: s.fulcio, tsa: s.tsa, baseURL: s.baseURL, requests: map[string]int{}, faults: map[string][]*fault{},
	}
}

// claimsCA issues certificates for fixed claims, without a token.
type claimsCA struct {
	s      *Sigstore
	claims map[string]string
}

func (c claimsCA) GetCertificate(_ context.Context, kp sign.Keypair, _ *sign.CertificateProviderOptions) ([]byte, error) {
	leaf, err := c.s.issueLeaf(kp.GetPublicKey(), c.claims)
	if err != nil {
		return nil, err
	}
	return leaf.Raw, nil
}
