package fakesigstore_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/provenant/provenant/internal/testing/fakeoidc"
	"github.com/provenant/provenant/internal/testing/fakesigstore"
)

const subject = "repo:octo-org/octo-repo:ref:refs/tags/v1.2.3"

// fulcioError is the body grpc-gateway writes for an error.
type fulcioError struct {
	Code    int      `json:"code"`
	Message string   `json:"message"`
	Details []string `json:"details"`
}

// certRequest builds a signingCert body for a fresh P-256 key whose proof
// of possession signs signed.
func certRequest(t *testing.T, bodyToken, signed string) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(signed))
	sig, err := key.Sign(rand.Reader, sum[:], crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	body := map[string]any{"publicKeyRequest": map[string]any{
		"publicKey":         map[string]string{"algorithm": "ECDSA", "content": string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))},
		"proofOfPossession": sig,
	}}
	if bodyToken != "" {
		body["credentials"] = map[string]string{"oidcIdentityToken": bodyToken}
	}
	b, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSigningCert(t *testing.T) {
	t.Parallel()
	oidc := fakeoidc.NewTestServer(t)
	ss := fakesigstore.NewTestServer(t)
	url := ss.URL + fakesigstore.SigningCertPath
	good := mint(t, oidc, nil)
	badToken := fulcioError{3, "There was an error processing the identity token", []string{}}
	cases := []struct {
		name        string
		header      string // bearer token
		body        []byte
		wantStatus  int
		wantErrBody *fulcioError
	}{
		{"token_in_header", good, certRequest(t, "", subject), 200, nil},
		{"token_in_body", "", certRequest(t, good, subject), 200, nil},
		{"no_token", "", certRequest(t, "", subject), 400, &badToken},
		{"malformed_token", "not-a-jwt", certRequest(t, "", subject), 400, &badToken},
		{"missing_claim", mint(t, oidc, map[string]any{"run_attempt": nil}), certRequest(t, "", subject), 400, &badToken},
		{"non_string_claim", mint(t, oidc, map[string]any{"repository_id": 123}), certRequest(t, "", subject), 400, &badToken},
		{"wrong_audience", mintFor(t, oidc, "https://github.com/octo-org"), certRequest(t, "", subject), 400, &badToken},
		{"expired", mint(t, oidc, map[string]any{"exp": time.Now().Add(-time.Minute).Unix()}), certRequest(t, "", subject), 400, &badToken},
		{"wrong_proof", good, certRequest(t, "", "repo:someone/else"), 400, &fulcioError{3, "The signature supplied in the request could not be verified", []string{}}},
		{"bad_key", good, []byte(`{"publicKeyRequest":{"publicKey":{"content":"junk"}}}`), 400, &fulcioError{3, "The public key supplied in the request could not be parsed", []string{}}},
		{"bad_json", good, []byte(`{`), 400, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			status, body := post(t, url, "application/json", tc.header, tc.body)
			if status != tc.wantStatus {
				t.Fatalf("status = %d, want %d; body %s", status, tc.wantStatus, body)
			}
			if status == 200 {
				checkChain(t, ss, body)
				return
			}
			var got fulcioError
			if err := json.Unmarshal(body, &got); err != nil {
				t.Fatalf("error body %q is not JSON: %v", body, err)
			}
			if tc.wantErrBody != nil {
				if diff := cmp.Diff(*tc.wantErrBody, got); diff != "" {
					t.Errorf("error body mismatch (-want +got):\n%s", diff)
				}
			}
		})
	}
}

func mintFor(t *testing.T, oidc *fakeoidc.TestServer, aud string) string {
	t.Helper()
	tok, err := oidc.Mint(aud, nil)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// checkChain checks a successful answer: the detached-SCT shape of a
// Fulcio without CT log, leaf first, and a chain that verifies under the
// trusted root.
func checkChain(t *testing.T, ss *fakesigstore.TestServer, body []byte) {
	t.Helper()
	var resp struct {
		Detached struct {
			Chain struct {
				Certificates []string `json:"certificates"`
			} `json:"chain"`
		} `json:"signedCertificateDetachedSct"`
	}
	if err := json.Unmarshal(body, &resp); err != nil {
		t.Fatal(err)
	}
	var certs []*x509.Certificate
	for _, p := range resp.Detached.Chain.Certificates {
		block, _ := pem.Decode([]byte(p))
		if block == nil {
			t.Fatalf("certificate %q is not PEM", p)
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			t.Fatal(err)
		}
		certs = append(certs, c)
	}
	if len(certs) != 3 {
		t.Fatalf("chain has %d certificates, want leaf, intermediate, root", len(certs))
	}
	ca := trustedRoot(t, ss).FulcioCertificateAuthorities()[0]
	if _, err := ca.Verify(certs[0], certs[0].NotBefore); err != nil {
		t.Errorf("leaf does not verify under the trusted root: %v", err)
	}
}

func TestSigningCert_MethodNotAllowed(t *testing.T) {
	t.Parallel()
	ss := fakesigstore.NewTestServer(t)
	resp, err := http.Get(ss.URL + fakesigstore.SigningCertPath)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != http.MethodPost {
		t.Errorf("GET status = %d, Allow %q; want 405, POST", resp.StatusCode, resp.Header.Get("Allow"))
	}
}

func TestSign_MissingJobWorkflowRef(t *testing.T) {
	t.Parallel()
	oidc := fakeoidc.NewTestServer(t)
	ss := fakesigstore.NewTestServer(t)
	_, err := signWith(t, ss, mint(t, oidc, map[string]any{"job_workflow_ref": nil}), 0)
	if err == nil || !strings.Contains(err.Error(), "Fulcio returned 400") || !strings.Contains(err.Error(), "identity token") {
		t.Errorf("sign.Bundle() error = %v, want Fulcio's 400 about the identity token", err)
	}
	if n := ss.Requests(fakesigstore.TimestampPath); n != 0 {
		t.Errorf("TSA saw %d requests after Fulcio refused, want 0", n)
	}
}

func TestFailNext(t *testing.T) {
	t.Parallel()
	oidc := fakeoidc.NewTestServer(t)
	const cert, ts = fakesigstore.SigningCertPath, fakesigstore.TimestampPath
	// sigstore-go v1.3.0 retries 5xx after 1 s, 2 s, …; once its retries
	// are spent it reports "read on closed response body" rather than the
	// status, so the failing cases only check that signing fails.
	cases := []struct {
		name      string
		path      string
		times     int
		retries   uint
		wantOK    bool
		wantCalls [2]int // requests to cert and ts
	}{
		{"fulcio_503_then_ok", cert, 1, 1, true, [2]int{2, 1}},
		{"fulcio_503_no_retry", cert, 1, 0, false, [2]int{1, 0}},
		{"tsa_503_then_ok", ts, 1, 1, true, [2]int{1, 2}},
		{"tsa_503_retries_spent", ts, 2, 1, false, [2]int{1, 2}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ss := fakesigstore.NewTestServer(t)
			ss.FailNext(tc.path, tc.times, http.StatusServiceUnavailable)
			_, err := signWith(t, ss, mint(t, oidc, nil), tc.retries)
			if (err == nil) != tc.wantOK {
				t.Errorf("sign.Bundle() error = %v, want success %v", err, tc.wantOK)
			}
			if got := [2]int{ss.Requests(cert), ss.Requests(ts)}; got != tc.wantCalls {
				t.Errorf("Requests(signingCert, timestamp) = %v, want %v", got, tc.wantCalls)
			}
		})
	}
}

func TestFailNext_Queue(t *testing.T) {
	t.Parallel()
	ss := fakesigstore.NewTestServer(t)
	ss.FailNext(fakesigstore.SigningCertPath, 2, http.StatusServiceUnavailable)
	ss.FailNext(fakesigstore.SigningCertPath, 1, http.StatusTooManyRequests)
	url := ss.URL + fakesigstore.SigningCertPath
	for i, want := range []fulcioError{
		{14, "Service Unavailable", []string{}},
		{14, "Service Unavailable", []string{}},
		{8, "Too Many Requests", []string{}},
		{3, "There was an error processing the identity token", []string{}},
	} {
		_, body := post(t, url, "application/json", "", []byte(`{}`))
		var got fulcioError
		if err := json.Unmarshal(body, &got); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("request %d: error body mismatch (-want +got):\n%s", i, diff)
		}
	}
	if got := ss.Requests(fakesigstore.SigningCertPath); got != 4 {
		t.Errorf("Requests() = %d, want 4", got)
	}
}
