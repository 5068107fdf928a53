package fakeoidc_test

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/provenant/provenant/internal/testing/fakeoidc"
)

// wantDefaults is DefaultClaims as sigstore-stack.md section 4.1 lists them,
// without jti.
var wantDefaults = map[string]any{
	"sub":                   "repo:octo-org/octo-repo:ref:refs/tags/v1.2.3",
	"repository":            "octo-org/octo-repo",
	"repository_owner":      "octo-org",
	"repository_id":         "123",
	"repository_owner_id":   "456",
	"repository_visibility": "public",
	"run_id":                "789",
	"run_number":            "3",
	"run_attempt":           "1",
	"sha":                   "c27d339ee6075c1f744c5d4b200f7901aad2c369",
	"ref":                   "refs/tags/v1.2.3",
	"ref_type":              "tag",
	"ref_protected":         "true",
	"workflow":              "release",
	"workflow_ref":          "octo-org/octo-repo/.github/workflows/release.yml@refs/tags/v1.2.3",
	"workflow_sha":          "c27d339ee6075c1f744c5d4b200f7901aad2c369",
	"job_workflow_ref":      "octo-org/octo-repo/.github/workflows/release.yml@refs/tags/v1.2.3",
	"job_workflow_sha":      "c27d339ee6075c1f744c5d4b200f7901aad2c369",
	"runner_environment":    "github-hosted",
	"event_name":            "push",
	"actor":                 "octocat",
	"actor_id":              "1",
	"head_ref":              "",
	"base_ref":              "",
	"check_run_id":          "90000001",
}

// fulcioRequired are the claims Fulcio's github-workflow type needs non-empty.
var fulcioRequired = []string{
	"job_workflow_ref", "job_workflow_sha", "sha", "event_name", "repository", "workflow", "ref",
	"runner_environment", "repository_id", "repository_owner", "repository_owner_id",
	"repository_visibility", "workflow_ref", "workflow_sha", "run_id", "run_attempt",
}

func TestDefaultClaims(t *testing.T) {
	t.Parallel()
	a, b := fakeoidc.DefaultClaims(), fakeoidc.DefaultClaims()
	if a["jti"] == "" || a["jti"] == b["jti"] {
		t.Errorf("jti = %q and %q, want two different non-empty values", a["jti"], b["jti"])
	}
	delete(a, "jti")
	if diff := cmp.Diff(wantDefaults, a); diff != "" {
		t.Errorf("DefaultClaims() mismatch (-want +got):\n%s", diff)
	}
	for _, k := range fulcioRequired {
		if s, _ := a[k].(string); s == "" {
			t.Errorf("DefaultClaims()[%q] = %v, want a non-empty string (Fulcio requires it)", k, a[k])
		}
	}
	a["repository"] = "changed"
	if got := fakeoidc.DefaultClaims()["repository"]; got != "octo-org/octo-repo" {
		t.Errorf("after changing one copy, DefaultClaims()[repository] = %v", got)
	}
}

func TestNew_Errors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		opts    []fakeoidc.Option
		wantErr string
	}{
		{"no_issuer", nil, "WithIssuer"},
		{"relative_issuer", []fakeoidc.Option{fakeoidc.WithIssuer("token.example")}, "not an http or https URL"},
		{"trailing_slash", []fakeoidc.Option{fakeoidc.WithIssuer("http://127.0.0.1:1/")}, "ends in a slash"},
		{"issuer_query", []fakeoidc.Option{fakeoidc.WithIssuer("http://127.0.0.1:1?x=1")}, "query"},
		{"nil_key", []fakeoidc.Option{fakeoidc.WithIssuer("http://x"), fakeoidc.WithKey(nil)}, "key is nil"},
		{"empty_kid", []fakeoidc.Option{fakeoidc.WithIssuer("http://x"), fakeoidc.WithKeyID("")}, "key id is empty"},
		{"nil_clock", []fakeoidc.Option{fakeoidc.WithIssuer("http://x"), fakeoidc.WithClock(nil)}, "clock is nil"},
		{"zero_lifetime", []fakeoidc.Option{fakeoidc.WithIssuer("http://x"), fakeoidc.WithTokenLifetime(0)}, "not positive"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := fakeoidc.New(tc.opts...)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("New() error = %v, want one containing %q", err, tc.wantErr)
			}
		})
	}
}

// discoveryFields is the discovery document without claims_supported.
type discoveryFields struct {
	Issuer         string   `json:"issuer"`
	JWKSURI        string   `json:"jwks_uri"`
	ResponseTypes  []string `json:"response_types_supported"`
	SubjectTypes   []string `json:"subject_types_supported"`
	SigningAlgs    []string `json:"id_token_signing_alg_values_supported"`
	ScopeSupported []string `json:"scopes_supported"`
	Claims         []string `json:"claims_supported"`
}

func TestServer_Discovery(t *testing.T) {
	t.Parallel()
	const gh = "https://token.actions.githubusercontent.com"
	cases := []struct {
		name     string
		issuer   string
		url      string
		wantJWKS string
	}{
		{"own_host", "http://127.0.0.1:18080", "http://127.0.0.1:18080/.well-known/openid-configuration", "http://127.0.0.1:18080/.well-known/jwks"},
		{"github_issuer", gh, gh + "/.well-known/openid-configuration", gh + "/.well-known/jwks"},
		{"foreign_issuer_on_loopback", gh, "http://127.0.0.1:5555/.well-known/openid-configuration", "http://127.0.0.1:5555/.well-known/jwks"},
		{"enterprise_issuer", gh + "/acme", gh + "/acme/.well-known/openid-configuration", gh + "/acme/.well-known/jwks"},
		{"enterprise_issuer_on_loopback", gh + "/acme", "http://127.0.0.1:5555/acme/.well-known/openid-configuration", "http://127.0.0.1:5555/acme/.well-known/jwks"},
		{"enterprise_issuer_at_root", gh + "/acme", "http://127.0.0.1:5555/.well-known/openid-configuration", "http://127.0.0.1:5555/.well-known/jwks"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t, fakeoidc.WithIssuer(tc.issuer))
			rec := httptest.NewRecorder()
			srv.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, tc.url, nil))
			got := decodeJSON[discoveryFields](t, rec.Result())
			want := discoveryFields{
				Issuer:         tc.issuer,
				JWKSURI:        tc.wantJWKS,
				ResponseTypes:  []string{"id_token"},
				SubjectTypes:   []string{"public", "pairwise"},
				SigningAlgs:    []string{"RS256"},
				ScopeSupported: []string{"openid"},
			}
			claims := got.Claims
			got.Claims = nil
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("discovery document mismatch (-want +got):\n%s", diff)
			}
			for k := range fakeoidc.DefaultClaims() {
				if !slices.Contains(claims, k) {
					t.Errorf("claims_supported lacks %q", k)
				}
			}
		})
	}
}

func TestServer_JWKS(t *testing.T) {
	t.Parallel()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name    string
		opts    []fakeoidc.Option
		wantKid string
		wantKey *rsa.PublicKey
	}{
		{"defaults", nil, "k1", nil},
		{"key_and_kid", []fakeoidc.Option{fakeoidc.WithKey(key), fakeoidc.WithKeyID("k2")}, "k2", &key.PublicKey},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ts := fakeoidc.NewTestServer(t, tc.opts...)
			resp, err := http.Get(ts.URL + "/.well-known/jwks")
			if err != nil {
				t.Fatal(err)
			}
			type jwk struct{ Kty, Alg, Use, Kid, N, E string }
			got := decodeJSON[struct{ Keys []jwk }](t, resp)
			want := []jwk{{Kty: "RSA", Alg: "RS256", Use: "sig", Kid: tc.wantKid, N: got.Keys[0].N, E: "AQAB"}}
			if diff := cmp.Diff(want, got.Keys); diff != "" {
				t.Fatalf("JWKS keys mismatch (-want +got):\n%s", diff)
			}
			n, err := base64.RawURLEncoding.DecodeString(got.Keys[0].N)
			if err != nil {
				t.Fatalf("n is not unpadded base64url: %v", err)
			}
			if new(big.Int).SetBytes(n).Cmp(ts.PublicKey().N) != 0 {
				t.Error("n does not match PublicKey().N")
			}
			if tc.wantKey != nil && !tc.wantKey.Equal(ts.PublicKey()) {
				t.Error("PublicKey() is not the key passed to WithKey")
			}
		})
	}
}

func TestServer_WrongMethodAndPath(t *testing.T) {
	t.Parallel()
	srv := newServer(t, fakeoidc.WithIssuer("http://127.0.0.1:1"))
	cases := []struct {
		name, method, path string
		wantStatus         int
		wantAllow          string
	}{
		{"post_discovery", http.MethodPost, "/.well-known/openid-configuration", http.StatusMethodNotAllowed, "GET, HEAD"},
		{"delete_jwks", http.MethodDelete, "/.well-known/jwks", http.StatusMethodNotAllowed, "GET, HEAD"},
		{"head_jwks", http.MethodHead, "/.well-known/jwks", http.StatusOK, ""},
		{"unknown_path", http.MethodGet, "/nope", http.StatusNotFound, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rec := httptest.NewRecorder()
			srv.Handler().ServeHTTP(rec, httptest.NewRequest(tc.method, "http://127.0.0.1:1"+tc.path, nil))
			if rec.Code != tc.wantStatus || rec.Header().Get("Allow") != tc.wantAllow {
				t.Errorf("%s %s = %d, Allow %q; want %d, Allow %q",
					tc.method, tc.path, rec.Code, rec.Header().Get("Allow"), tc.wantStatus, tc.wantAllow)
			}
		})
	}
}

func TestTestServer_TokenRequestURL(t *testing.T) {
	t.Parallel()
	ts := fakeoidc.NewTestServer(t)
	if got, want := ts.TokenRequestURL(), ts.URL+"/token?api-version=2.0"; got != want {
		t.Errorf("TokenRequestURL() = %q, want %q", got, want)
	}
	if ts.Issuer() != ts.URL {
		t.Errorf("Issuer() = %q, want the server URL %q", ts.Issuer(), ts.URL)
	}
}

// TestServer_Concurrent fetches tokens in parallel: every request counts
// once, Mint does not count, and every token has its own jti.
func TestServer_Concurrent(t *testing.T) {
	t.Parallel()
	ts := fakeoidc.NewTestServer(t)
	const n = 16
	var (
		mu   sync.Mutex
		jtis = map[string]bool{}
		wg   sync.WaitGroup
	)
	for range n {
		wg.Go(func() {
			tok, err := requestToken(t.Context(), ts, "sigstore")
			if err != nil {
				t.Error(err)
				return
			}
			if _, err := ts.Mint("sigstore", nil); err != nil {
				t.Error(err)
			}
			mu.Lock()
			defer mu.Unlock()
			jtis[tok.jti] = true
		})
	}
	wg.Wait()
	if got := ts.TokenRequests(); got != n {
		t.Errorf("TokenRequests() = %d, want %d", got, n)
	}
	if len(jtis) != n {
		t.Errorf("got %d distinct jti values from %d tokens", len(jtis), n)
	}
}

// TestPackage_StandardLibraryOnly keeps the fake free of dependencies.
func TestPackage_StandardLibraryOnly(t *testing.T) {
	t.Parallel()
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go command not found")
	}
	out, err := exec.CommandContext(t.Context(), goCmd, "list", "-deps",
		"-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", ".").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	want := []string{"github.com/provenant/provenant/internal/testing/fakeoidc"}
	if diff := cmp.Diff(want, strings.Fields(string(out))); diff != "" {
		t.Errorf("non-standard dependencies mismatch (-want +got):\n%s", diff)
	}
}

func newServer(t *testing.T, opts ...fakeoidc.Option) *fakeoidc.Server {
	t.Helper()
	srv, err := fakeoidc.New(opts...)
	if err != nil {
		t.Fatalf("New() error = %v", err)
	}
	return srv
}

func decodeJSON[T any](t *testing.T, resp *http.Response) T {
	t.Helper()
	defer resp.Body.Close()
	var v T
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q, want application/json", ct)
	}
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
		t.Fatalf("decoding reply: %v", err)
	}
	return v
}

// segment decodes part i (0 header, 1 payload) of a compact JWT as JSON.
func segment(t *testing.T, tok string, i int) map[string]any {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("token has %d parts, want 3", len(parts))
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[i])
	if err != nil {
		t.Fatalf("token part %d is not unpadded base64url: %v", i, err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("token part %d: %v", i, err)
	}
	return m
}

func payload(t *testing.T, tok string) map[string]any { return segment(t, tok, 1) }

// fixedClock returns a clock stopped at a whole second, so iat is known.
func fixedClock(offset time.Duration) (func() time.Time, time.Time) {
	now := time.Unix(time.Now().Add(offset).Unix(), 0)
	return func() time.Time { return now }, now
}
