package oci

import (
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

const (
	testUser     = "octocat"
	testPassword = "s3cret-Pa55word-do-not-print"
	readerUser   = "reader"
)

// requireBasicAuth lets testUser do anything and readerUser only read.
func requireBasicAuth(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, p, ok := r.BasicAuth()
		read := r.Method == http.MethodGet || r.Method == http.MethodHead
		switch {
		case ok && p == testPassword && (u == testUser || (u == readerUser && read)):
			next.ServeHTTP(w, r)
		case ok && p == testPassword && u == readerUser:
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusForbidden)
			w.Write([]byte(`{"errors":[{"code":"DENIED","message":"requested access to the resource is denied"}]}`))
		default:
			w.Header().Set("WWW-Authenticate", `Basic realm="test-registry"`)
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}`))
		}
	})
}

func TestPusher_Attach_auth(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name       string
		keychain   func(host string) authn.Keychain
		wantStatus int // 0: success
	}{
		{name: "right_credentials", keychain: func(h string) authn.Keychain { return Keychain(testUser, testPassword, []string{h}, "", "") }},
		{name: "wrong_password", keychain: func(h string) authn.Keychain { return Keychain(testUser, "wrong-"+testPassword, []string{h}, "", "") }, wantStatus: 401},
		{name: "no_credentials", keychain: func(string) authn.Keychain { return anonymous }, wantStatus: 401},
		{name: "credentials_for_another_host", keychain: func(string) authn.Keychain {
			return Keychain(testUser, testPassword, []string{"other.example"}, "", "")
		}, wantStatus: 401},
		{name: "read_only_credentials", keychain: func(h string) authn.Keychain { return Keychain(readerUser, testPassword, []string{h}, "", "") }, wantStatus: 403},
	}
	for _, m := range modes {
		for _, tc := range cases {
			t.Run(m.name+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				host := newRegistry(t, m.referrers, requireBasicAuth)
				img := pushImage(t, host, "octo-org/app", remote.WithAuth(&authn.Basic{Username: testUser, Password: testPassword}))
				bundle, chain := bundleFor(t, img, kindRekorV1)
				st, err := newPusher(t, WithKeychain(tc.keychain(host)), WithLegacyAtt(true)).Attach(t.Context(), img.String(), bundle, chain)
				if tc.wantStatus == 0 {
					if err != nil {
						t.Fatal(err)
					}
					if st.ReferrersAPI != m.referrers || st.LegacyTag == "" {
						t.Errorf("Stored = %+v", st)
					}
					return
				}
				var ae *AuthError
				if !errors.As(err, &ae) || ae.StatusCode != tc.wantStatus || ae.Registry != host {
					t.Fatalf("Attach error = %v, want an *AuthError with HTTP %d for %s", err, tc.wantStatus, host)
				}
				msg := err.Error()
				t.Log(msg)
				for _, want := range []string{img.String(), "registry-username and registry-password"} {
					if !strings.Contains(msg, want) {
						t.Errorf("error %q does not mention %q", msg, want)
					}
				}
				assertNoSecret(t, msg, testPassword)
			})
		}
	}
}

func assertNoSecret(t *testing.T, msg string, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		for _, form := range []string{s, base64.StdEncoding.EncodeToString([]byte(testUser + ":" + s)), base64.StdEncoding.EncodeToString([]byte(s))} {
			if strings.Contains(msg, form) {
				t.Errorf("error text contains a secret: %q", msg)
			}
		}
	}
}

func TestAuthError_hint(t *testing.T) {
	t.Parallel()
	cases := []struct {
		registry string
		want     string
	}{
		{registry: "ghcr.io", want: "github-token with packages: write"},
		{registry: "registry.example:5000", want: "registry-username and registry-password for registry.example:5000"},
	}
	for _, tc := range cases {
		t.Run(tc.registry, func(t *testing.T) {
			t.Parallel()
			err := &AuthError{Registry: tc.registry, StatusCode: 403, Err: errors.New("DENIED")}
			if !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "HTTP 403") {
				t.Errorf("Error() = %q, want it to contain %q", err.Error(), tc.want)
			}
		})
	}
}

// TestPusher_Attach_redactsURLs follows a redirect to a signed URL that
// cannot be reached: the transport error quotes the URL, the signature
// must not survive.
func TestPusher_Attach_redactsURLs(t *testing.T) {
	t.Parallel()
	redirect := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodHead && strings.Contains(r.URL.Path, "/manifests/sha256:") {
				http.Redirect(w, r, "http://127.0.0.1:1/signed?sig=SIGNEDURLSECRET&expires=1", http.StatusTemporaryRedirect)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
	host := newRegistry(t, false, redirect)
	img := pushImage(t, host, "octo-org/app")
	bundle, chain := bundleFor(t, img, kindRekorV1)
	_, err := newPusher(t).Attach(t.Context(), img.String(), bundle, chain)
	if err == nil {
		t.Fatal("Attach succeeded through an unreachable redirect")
	}
	t.Log(err)
	if strings.Contains(err.Error(), "SIGNEDURLSECRET") || !strings.Contains(err.Error(), "127.0.0.1:1/signed") {
		t.Errorf("error = %q, want the URL without its signature", err)
	}
}

// TestRedact checks that errors lose the keychain's secrets in every
// encoded form, as well as URL credentials and Authorization values; the
// redaction rules themselves are tested in internal/redact.
func TestRedact(t *testing.T) {
	t.Parallel()
	k := Keychain("octocat", "hunter2/+pw?", []string{"r.example"}, "", "ghs_tokentoken")
	forms := []string{
		"hunter2/+pw?", "hunter2%2F%2Bpw%3F", "hunter2%2F+pw%3F",
		base64.StdEncoding.EncodeToString([]byte("hunter2/+pw?")),
		base64.RawURLEncoding.EncodeToString([]byte("hunter2/+pw?")),
		base64.StdEncoding.EncodeToString([]byte("octocat:hunter2/+pw?")),
		"ghs_tokentoken", base64.RawStdEncoding.EncodeToString([]byte("ghs_tokentoken")),
	}
	for _, f := range forms {
		err := redact(fmt.Errorf("pushing: %s: %w", f, io.ErrUnexpectedEOF), k)
		if got := err.Error(); got != "pushing: REDACTED: unexpected EOF" {
			t.Errorf("redact(%q) = %q", f, got)
		}
		if !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Errorf("redact(%q) lost the wrapped error", f)
		}
	}
	err := redact(errors.New(`Get "https://user:pw@r.example/token?access_token=abc123&scope=s": EOF`), k)
	if want := `Get "https://REDACTED@r.example/token?access_token=REDACTED&scope=s": EOF`; err.Error() != want {
		t.Errorf("redact = %q, want %q", err, want)
	}
}

// TestKeychain checks the order of the sources. It sets DOCKER_CONFIG, so
// it cannot run in parallel.
func TestKeychain(t *testing.T) {
	dir := t.TempDir()
	auth := func(u, p string) string { return base64.StdEncoding.EncodeToString([]byte(u + ":" + p)) }
	config := `{"auths": {
		"explicit.example": {"auth": "` + auth("docker-user", "docker-pw") + `"},
		"ghcr.io": {"auth": "` + auth("docker-user", "docker-ghcr-pw") + `"},
		"other.example": {"auth": "` + auth("docker-user", "docker-other-pw") + `"}}}`
	if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("DOCKER_CONFIG", dir)

	explicit := &authn.AuthConfig{Username: "user", Password: "pw"}
	cases := []struct {
		name           string
		user, password string
		hosts          []string
		actor, token   string
		target         string
		want           *authn.AuthConfig
	}{
		{name: "explicit_before_docker_config", user: "user", password: "pw", hosts: []string{"explicit.example"}, target: "explicit.example/a", want: explicit},
		{name: "explicit_host_case_and_spaces", user: "user", password: "pw", hosts: []string{" Explicit.Example "}, target: "explicit.example/a", want: explicit},
		{name: "github_token_before_docker_config", actor: "octocat", token: "ghs_token", target: "ghcr.io/o/a", want: &authn.AuthConfig{Username: "octocat", Password: "ghs_token"}},
		{name: "explicit_before_github_token", user: "user", password: "pw", hosts: []string{"ghcr.io"}, token: "ghs_token", target: "ghcr.io/o/a", want: explicit},
		{name: "token_without_actor", token: "ghs_token", target: "ghcr.io/o/a", want: &authn.AuthConfig{Username: "provenant", Password: "ghs_token"}},
		{name: "no_token_uses_docker_config", target: "ghcr.io/o/a", want: &authn.AuthConfig{Username: "docker-user", Password: "docker-ghcr-pw"}},
		{name: "unlisted_host_uses_docker_config", user: "user", password: "pw", hosts: []string{"explicit.example"}, target: "other.example/a", want: &authn.AuthConfig{Username: "docker-user", Password: "docker-other-pw"}},
		{name: "token_not_sent_elsewhere", token: "ghs_token", target: "other.example/a", want: &authn.AuthConfig{Username: "docker-user", Password: "docker-other-pw"}},
		{name: "docker_hub_aliases", user: "user", password: "pw", hosts: []string{"docker.io"}, target: "index.docker.io/library/a", want: explicit},
		{name: "user_without_password_ignored", user: "user", hosts: []string{"explicit.example"}, target: "explicit.example/a", want: &authn.AuthConfig{Username: "docker-user", Password: "docker-pw"}},
		{name: "nothing_found", user: "user", password: "pw", hosts: []string{"explicit.example"}, token: "ghs_token", target: "unknown.example/a", want: &authn.AuthConfig{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			repo, err := name.NewRepository(tc.target)
			if err != nil {
				t.Fatal(err)
			}
			a, err := authn.Resolve(t.Context(), Keychain(tc.user, tc.password, tc.hosts, tc.actor, tc.token), repo)
			if err != nil {
				t.Fatal(err)
			}
			got, err := authn.Authorization(t.Context(), a)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("credentials for %s mismatch (-want +got):\n%s", tc.target, diff)
			}
		})
	}
}
