package fakesigstore

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/sigstore/sigstore-go/pkg/sign"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/provenant/provenant/internal/signing"
)

// Signer returns an in-process signing.Signer for token: each Sign makes a
// fresh key, has this fake's CA issue its certificate directly (no HTTP),
// and adds an RFC 3161 timestamp from its TSA, served in process. The
// bundles have the layout keyless signing gives them, and verify under
// TrustedRoot. The token is parsed as the Fulcio handler parses it.
func (s *Sigstore) Signer(token string) signing.Signer {
	return &signer{s: s, token: token}
}

type signer struct {
	s     *Sigstore
	token string
}

var _ signing.Signer = (*signer)(nil)

// Sign implements signing.Signer.
func (g *signer) Sign(ctx context.Context, statement []byte) ([]byte, error) {
	kp, err := sign.NewEphemeralKeypair(nil)
	if err != nil {
		return nil, err
	}
	tsa := sign.NewTimestampAuthority(&sign.TimestampAuthorityOptions{URL: "http://in-process" + TimestampPath, Transport: inProcess{g.s.Handler()}})
	pb, err := sign.Bundle(&sign.DSSEData{Data: statement, PayloadType: signing.PayloadType}, kp, sign.BundleOptions{
		CertificateProvider:        directCA{g.s},
		CertificateProviderOptions: &sign.CertificateProviderOptions{IDToken: g.token},
		TimestampAuthorities:       []*sign.TimestampAuthority{tsa},
		Context:                    ctx,
	})
	if err != nil {
		return nil, fmt.Errorf("fakesigstore: signing: %w", err)
	}
	return protojson.Marshal(pb)
}

// directCA issues certificates without the HTTP round trip.
type directCA struct{ s *Sigstore }

func (c directCA) GetCertificate(_ context.Context, kp sign.Keypair, opts *sign.CertificateProviderOptions) ([]byte, error) {
	claims, err := c.s.parseToken(opts.IDToken)
	if err != nil {
		return nil, err
	}
	leaf, err := c.s.issueLeaf(kp.GetPublicKey(), claims)
	if err != nil {
		return nil, err
	}
	return leaf.Raw, nil
}

// inProcess is a RoundTripper that serves requests with a handler.
type inProcess struct{ h http.Handler }

func (t inProcess) RoundTrip(r *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, r)
	return rec.Result(), nil
}
