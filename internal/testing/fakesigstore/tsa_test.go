package fakesigstore_test

import (
	"crypto"
	"crypto/sha256"
	"encoding/json"
	"math/big"
	"testing"

	"github.com/digitorus/timestamp"
	"github.com/google/go-cmp/cmp"
	"github.com/sigstore/sigstore-go/pkg/root"

	"github.com/provenant/provenant/internal/testing/fakesigstore"
)

func TestTimestamp(t *testing.T) {
	t.Parallel()
	ss := fakesigstore.NewTestServer(t)
	tsa := trustedRoot(t, ss).TimestampingAuthorities()[0].(*root.SigstoreTimestampingAuthority)
	sum := sha256.Sum256([]byte("signature bytes"))
	for _, certs := range []bool{false, true} {
		req, err := (&timestamp.Request{HashAlgorithm: crypto.SHA256, HashedMessage: sum[:], Nonce: big.NewInt(42), Certificates: certs}).Marshal()
		if err != nil {
			t.Fatal(err)
		}
		status, body := post(t, ss.TSAURL(), "application/timestamp-query", "", req)
		if status != 200 {
			t.Fatalf("certificates %v: status = %d, want 200; body %s", certs, status, body)
		}
		ts, err := timestamp.ParseResponse(body)
		if err != nil {
			t.Fatalf("certificates %v: ParseResponse() error = %v", certs, err)
		}
		if ts.Nonce.Int64() != 42 || !cmp.Equal(ts.HashedMessage, sum[:]) || ts.Policy.String() != "1.3.6.1.4.1.57264.2" {
			t.Errorf("certificates %v: nonce %v, message %x, policy %v; want 42, %x, 1.3.6.1.4.1.57264.2", certs, ts.Nonce, ts.HashedMessage, ts.Policy, sum)
		}
		wantCerts := 0
		if certs {
			wantCerts = 1
		}
		if len(ts.Certificates) != wantCerts || (certs && !ts.Certificates[0].Equal(tsa.Leaf)) {
			t.Errorf("certificates %v: response carries %d certificates, want %d (the TSA leaf)", certs, len(ts.Certificates), wantCerts)
		}
		if _, err := tsa.Verify(body, []byte("signature bytes")); err != nil {
			t.Errorf("certificates %v: verifying under the trusted root: %v", certs, err)
		}
	}
}

func TestTimestamp_Errors(t *testing.T) {
	t.Parallel()
	ss := fakesigstore.NewTestServer(t)
	sha1Req, err := (&timestamp.Request{HashAlgorithm: crypto.SHA1, HashedMessage: make([]byte, 20)}).Marshal()
	if err != nil {
		t.Fatal(err)
	}
	shortReq, err := (&timestamp.Request{HashAlgorithm: crypto.SHA256, HashedMessage: make([]byte, 20)}).Marshal()
	if err != nil {
		t.Fatal(err)
	}
	goodReq, err := (&timestamp.Request{HashAlgorithm: crypto.SHA256, HashedMessage: make([]byte, 32)}).Marshal()
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name        string
		contentType string
		body        []byte
		wantStatus  int
		wantMessage string
	}{
		{"no_content_type", "", goodReq, 415, "Error generating timestamp response"},
		{"text_content_type", "text/plain", goodReq, 415, "Error generating timestamp response"},
		{"other_application_type", "application/octet-stream", goodReq, 400, "Error generating timestamp response"},
		{"not_der", "application/timestamp-query", []byte("junk"), 400, "Error generating timestamp response"},
		{"sha1", "application/timestamp-query", sha1Req, 400, "Weak hash algorithm in timestamp request"},
		{"short_digest", "application/timestamp-query", shortReq, 400, "Message digest has incorrect length for specified algorithm"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			status, body := post(t, ss.TSAURL(), tc.contentType, "", tc.body)
			var got struct {
				Code    int    `json:"code"`
				Message string `json:"message"`
			}
			if err := json.Unmarshal(body, &got); err != nil {
				t.Fatalf("error body %q is not JSON: %v", body, err)
			}
			if status != tc.wantStatus || got.Code != tc.wantStatus || got.Message != tc.wantMessage {
				t.Errorf("answer = %d %+v, want %d with message %q", status, got, tc.wantStatus, tc.wantMessage)
			}
		})
	}
}
