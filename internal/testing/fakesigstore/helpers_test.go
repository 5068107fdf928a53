package fakesigstore_test

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"testing"

	protobundle "github.com/sigstore/protobuf-specs/gen/pb-go/bundle/v1"
	"github.com/sigstore/sigstore-go/pkg/bundle"
	"github.com/sigstore/sigstore-go/pkg/fulcio/certificate"
	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/sign"
	"github.com/sigstore/sigstore-go/pkg/verify"

	"github.com/provenant/provenant/internal/testing/fakeoidc"
	"github.com/provenant/provenant/internal/testing/fakesigstore"
)

const (
	repoURL     = "https://github.com/octo-org/octo-repo"
	workflowURL = repoURL + "/.github/workflows/release.yml@refs/tags/v1.2.3"
	commit      = "c27d339ee6075c1f744c5d4b200f7901aad2c369"
)

// artifact is the content the statements in these tests are about.
var artifact = []byte("hello, provenance\n")

// statement returns an in-toto v1 statement about artifact.
func statement(t *testing.T) []byte {
	t.Helper()
	sum := sha256.Sum256(artifact)
	b, err := json.Marshal(map[string]any{
		"_type":         "https://in-toto.io/Statement/v1",
		"subject":       []any{map[string]any{"name": "artifact.txt", "digest": map[string]string{"sha256": hex.EncodeToString(sum[:])}}},
		"predicateType": "https://slsa.dev/provenance/v1",
		"predicate":     map[string]any{},
	})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// mint returns a token for Fulcio's audience with extra merged over the
// default claims.
func mint(t *testing.T, oidc *fakeoidc.TestServer, extra map[string]any) string {
	t.Helper()
	tok, err := oidc.Mint("sigstore", extra)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// signWith signs statement(t) through ss with token, as the attest pipeline
// does, with retries as given.
func signWith(t *testing.T, ss *fakesigstore.TestServer, token string, retries uint) (*protobundle.Bundle, error) {
	t.Helper()
	kp, err := sign.NewEphemeralKeypair(nil)
	if err != nil {
		t.Fatal(err)
	}
	return sign.Bundle(&sign.DSSEData{Data: statement(t), PayloadType: "application/vnd.in-toto+json"}, kp, sign.BundleOptions{
		CertificateProvider:        sign.NewFulcio(&sign.FulcioOptions{BaseURL: ss.FulcioURL(), Retries: retries}),
		CertificateProviderOptions: &sign.CertificateProviderOptions{IDToken: token},
		TimestampAuthorities:       []*sign.TimestampAuthority{sign.NewTimestampAuthority(&sign.TimestampAuthorityOptions{URL: ss.TSAURL(), Retries: retries})},
		Context:                    t.Context(),
	})
}

// trustedRoot reads ss's trusted root back from its JSON form, as a
// verifier given trusted_root.json would.
func trustedRoot(t *testing.T, ss *fakesigstore.TestServer) *root.TrustedRoot {
	t.Helper()
	b, err := ss.TrustedRootJSON()
	if err != nil {
		t.Fatalf("TrustedRootJSON() error = %v", err)
	}
	tr, err := root.NewTrustedRootFromJSON(b)
	if err != nil {
		t.Fatalf("parsing TrustedRootJSON(): %v", err)
	}
	return tr
}

// verifyBundle verifies pb under ss's trusted root with one signed
// timestamp, for artifact and the identity described by issuer, san and
// exts.
func verifyBundle(t *testing.T, ss *fakesigstore.TestServer, pb *protobundle.Bundle, issuer, san string, exts certificate.Extensions) (*verify.VerificationResult, error) {
	t.Helper()
	v, err := verify.NewVerifier(trustedRoot(t, ss), verify.WithSignedTimestamps(1))
	if err != nil {
		t.Fatal(err)
	}
	sanM, err := verify.NewSANMatcher(san, "")
	if err != nil {
		t.Fatal(err)
	}
	issM, err := verify.NewIssuerMatcher(issuer, "")
	if err != nil {
		t.Fatal(err)
	}
	exts.Issuer = "" // sigstore-go wants it in the issuer matcher only
	id, err := verify.NewCertificateIdentity(sanM, issM, exts)
	if err != nil {
		t.Fatal(err)
	}
	b, err := bundle.NewBundle(pb)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(artifact)
	return v.Verify(b, verify.NewPolicy(verify.WithArtifactDigest("sha256", sum[:]), verify.WithCertificateIdentity(id)))
}

// leafOf returns the certificate in pb's verification material.
func leafOf(t *testing.T, pb *protobundle.Bundle) *x509.Certificate {
	t.Helper()
	c, err := x509.ParseCertificate(pb.GetVerificationMaterial().GetCertificate().GetRawBytes())
	if err != nil {
		t.Fatalf("parsing the bundle's certificate: %v", err)
	}
	return c
}

// post sends body to url with the given content type and optional bearer
// token, and returns the status and the body.
func post(t *testing.T, url, contentType, token string, body []byte) (int, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b
}
