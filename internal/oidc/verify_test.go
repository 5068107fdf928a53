package oidc

import (
	"strings"
	"testing"
	"time"

	"github.com/provenant/provenant/internal/testing/fakeoidc"
)

func TestVerifier_Verify(t *testing.T) {
	t.Parallel()
	srv := fakeoidc.NewTestServer(t)
	other := fakeoidc.NewTestServer(t, fakeoidc.WithIssuer(srv.URL))
	past := func() time.Time { return time.Now().Add(-time.Hour) }
	expired := fakeoidc.NewTestServer(t, fakeoidc.WithClock(past))

	mint := func(s *fakeoidc.TestServer, aud string, extra map[string]any) string {
		t.Helper()
		tok, err := s.Mint(aud, extra)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	cases := []struct {
		name    string
		token   string
		opts    []Option
		wantErr string
	}{
		{name: "valid", token: mint(srv, "sigstore", nil), opts: []Option{WithIssuer(srv.URL)}},
		{name: "wrong_audience", token: mint(srv, "nobody", nil), opts: []Option{WithIssuer(srv.URL)}, wantErr: "audience"},
		{name: "signed_by_another_key", token: mint(other, "sigstore", nil), opts: []Option{WithIssuer(srv.URL)}, wantErr: "signature"},
		{name: "expired", token: mint(expired, "sigstore", nil), opts: []Option{WithIssuer(expired.URL)}, wantErr: "expired"},
		{name: "unexpected_issuer", token: mint(srv, "sigstore", nil), wantErr: "expected \"https://token.actions.githubusercontent.com\""},
		{name: "not_a_jwt", token: "abc.def", opts: []Option{WithIssuer(srv.URL)}, wantErr: "not a JWT"},
		{name: "no_exp", token: mint(srv, "sigstore", map[string]any{"exp": nil}), opts: []Option{WithIssuer(srv.URL)}, wantErr: "the token has no exp claim"},
		{name: "missing_claims", token: mint(srv, "sigstore", map[string]any{"sha": nil, "run_id": nil}), opts: []Option{WithIssuer(srv.URL)}, wantErr: "sha, run_id"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			v, err := NewVerifier(tc.opts...)
			if err != nil {
				t.Fatal(err)
			}
			c, err := v.Verify(t.Context(), tc.token)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("Verify() error: %v", err)
				}
				if c.Repository != "octo-org/octo-repo" || c.JobWorkflowRef == "" || c.Issuer != srv.URL {
					t.Errorf("claims = %+v", c)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("Verify() error = %v, want %q", err, tc.wantErr)
			}
			if strings.Contains(err.Error(), tc.token) {
				t.Error("error text contains the token")
			}
		})
	}
}

// TestVerifier_enterpriseSlug serves the real GitHub issuer name with an
// enterprise slug from a loopback server: the default verifier accepts it,
// an exact issuer does not.
func TestVerifier_enterpriseSlug(t *testing.T) {
	t.Parallel()
	slugIssuer := GitHubIssuer + "/acme"
	srv := fakeoidc.NewTestServer(t, fakeoidc.WithIssuer(slugIssuer))
	tok, err := srv.Mint("sigstore", nil)
	if err != nil {
		t.Fatal(err)
	}
	v, _ := NewVerifier(WithDiscoveryURL(srv.URL))
	c, err := v.Verify(t.Context(), tok)
	if err != nil {
		t.Fatalf("default issuer with slug: %v", err)
	}
	if c.Issuer != slugIssuer {
		t.Errorf("iss = %q", c.Issuer)
	}
	exact, _ := NewVerifier(WithIssuer(GitHubIssuer), WithDiscoveryURL(srv.URL))
	if _, err := exact.Verify(t.Context(), tok); err == nil {
		t.Error("an exact issuer accepted a slug issuer")
	}
	evil := fakeoidc.NewTestServer(t, fakeoidc.WithIssuer("https://token.actions.githubusercontent.com.evil.example"))
	tok2, _ := evil.Mint("sigstore", nil)
	if _, err := v.Verify(t.Context(), tok2); err == nil || !strings.Contains(err.Error(), "expected") {
		t.Errorf("look-alike issuer: err = %v", err)
	}
}

func TestDefaultIssuer(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"https://github.com":        GitHubIssuer,
		"https://GitHub.com/":       GitHubIssuer,
		"https://acme-corp.ghe.com": "https://token.actions.acme-corp.ghe.com",
		"https://git.example.com":   "https://git.example.com/_services/token",
		"https://git.example.com/":  "https://git.example.com/_services/token",
	}
	for in, want := range cases {
		if got, err := DefaultIssuer(in); err != nil || got != want {
			t.Errorf("DefaultIssuer(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "github.com", "https://a.b.ghe.com"} {
		if _, err := DefaultIssuer(bad); err == nil {
			t.Errorf("DefaultIssuer(%q) succeeded", bad)
		}
	}
}

func TestAcceptedIssuer(t *testing.T) {
	t.Parallel()
	cases := []struct {
		iss  string
		slug bool
		want bool
	}{
		{GitHubIssuer, false, true},
		{GitHubIssuer + "/acme", true, true},
		{GitHubIssuer + "/acme", false, false},
		{GitHubIssuer + "/", true, false},
		{GitHubIssuer + "/a/b", true, false},
		{GitHubIssuer + "/..", true, false},
		{GitHubIssuer + "x", true, false},
		{GitHubIssuer + "/acme@evil", true, false},
	}
	for _, tc := range cases {
		if got := acceptedIssuer(tc.iss, GitHubIssuer, tc.slug); got != tc.want {
			t.Errorf("acceptedIssuer(%q, slug=%v) = %v, want %v", tc.iss, tc.slug, got, tc.want)
		}
	}
}

func TestWithIssuer_refusesPlainHTTP(t *testing.T) {
	t.Parallel()
	for _, iss := range []string{"http://token.example.com", "http://localhost@127.0.0.1.evil.example:1", "http://127.0.0.1.evil.example",
		"http://localhost.evil.example", "https://user@token.example.com"} {
		if _, err := NewVerifier(WithIssuer(iss)); err == nil {
			t.Errorf("issuer %q accepted", iss)
		}
	}
	for _, iss := range []string{"http://127.0.0.1:5556", "http://localhost:1", "http://[::1]:2", "https://token.example.com"} {
		if _, err := NewVerifier(WithIssuer(iss)); err != nil {
			t.Errorf("issuer %q refused: %v", iss, err)
		}
	}
}

func TestDefaultIssuer_refusesPlainHTTPServer(t *testing.T) {
	t.Parallel()
	if iss, err := DefaultIssuer("http://ghes.example.com"); err == nil {
		t.Errorf("DefaultIssuer(http server) = %q, want an error", iss)
	}
}
