package verifier_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/provenant/provenant/internal/policy"
	"github.com/provenant/provenant/internal/provenance"
	"github.com/provenant/provenant/internal/testing/fakegithub"
	"github.com/provenant/provenant/internal/testing/fakesigstore"
	"github.com/provenant/provenant/internal/verifier"
	"github.com/provenant/provenant/internal/verify"
)

// junkFor is a stored "bundle" that claims digest but is no bundle.
func junkFor(digest string) []byte {
	st := fmt.Sprintf(`{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"app","digest":{"sha256":%q}}]}`, digest)
	return fmt.Appendf(nil, `{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","verificationMaterial":{},"dsseEnvelope":{"payload":%q}}`,
		base64.StdEncoding.EncodeToString([]byte(st)))
}

type apiWorld struct {
	roots  []verify.Root
	app    string
	digest string
	bundle []byte
}

func newAPIWorld(t *testing.T) apiWorld {
	t.Helper()
	s, roots := newSigstore(t)
	claims := fakesigstore.GitHubClaims(nil)
	st, err := fakesigstore.Provenance(claims, provenance.V1, map[string][]byte{"app": []byte("app\n")})
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.Attest(t.Context(), st, claims)
	if err != nil {
		t.Fatal(err)
	}
	app := filepath.Join(t.TempDir(), "app")
	if err := os.WriteFile(app, []byte("app\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte("app\n"))
	return apiWorld{roots: roots, app: app, digest: hex.EncodeToString(sum[:]), bundle: b}
}

// sleeps records the waits between retries instead of waiting.
type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleeps) sleep(_ context.Context, d time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.d = append(s.d, d)
	return nil
}

func TestRun_gitHubAttestationsAPI(t *testing.T) {
	t.Parallel()
	w := newAPIWorld(t)
	cases := []struct {
		name    string
		opts    []fakegithub.Option
		seed    func(t *testing.T, gh *fakegithub.TestServer)
		src     verifier.GitHubSource
		want    string // in the refusal or the error; "" verifies
		wantErr bool
		check   func(t *testing.T, gh *fakegithub.TestServer, s *sleeps)
	}{
		{name: "second_page", seed: func(t *testing.T, gh *fakegithub.TestServer) {
			for range 100 {
				if _, err := gh.AddAttestation("octo-org", "octo-repo", junkFor(w.digest)); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := gh.AddAttestation("octo-org", "octo-repo", w.bundle); err != nil {
				t.Fatal(err)
			}
		}, src: verifier.GitHubSource{Repo: "octo-org/octo-repo"}, check: func(t *testing.T, gh *fakegithub.TestServer, _ *sleeps) {
			if n := gh.Requests(fakegithub.EndpointListRepoAttestations); n != 2 {
				t.Errorf("%d list requests, want 2 pages", n)
			}
		}},
		{name: "ghes", opts: []fakegithub.Option{fakegithub.WithAPIPrefix("/api/v3")}, src: verifier.GitHubSource{Repo: "octo-org/octo-repo"}},
		{name: "none_stored", seed: func(*testing.T, *fakegithub.TestServer) {}, src: verifier.GitHubSource{Repo: "octo-org/octo-repo"},
			want: "no attestations stored for sha256:" + w.digest + " in octo-org/octo-repo"},
		{name: "owner_organization", src: verifier.GitHubSource{Owner: "octo-org"}},
		{name: "owner_user", seed: func(t *testing.T, gh *fakegithub.TestServer) {
			gh.MarkUser("octo-org")
			if _, err := gh.AddAttestation("octo-org", "octo-repo", w.bundle); err != nil {
				t.Fatal(err)
			}
		}, src: verifier.GitHubSource{Owner: "octo-org"}, check: func(t *testing.T, gh *fakegithub.TestServer, _ *sleeps) {
			if gh.Requests(fakegithub.EndpointListOrgAttestations) != 1 || gh.Requests(fakegithub.EndpointListUserAttestations) != 1 {
				t.Errorf("requests %v, want the organization's then the user's", gh.RequestCounts())
			}
		}},
		{name: "bundle_url_only", opts: []fakegithub.Option{fakegithub.WithBundleForm(fakegithub.BundleURLOnly)},
			src: verifier.GitHubSource{Repo: "octo-org/octo-repo"}, check: func(t *testing.T, gh *fakegithub.TestServer, _ *sleeps) {
				// The fake refuses a blob request that carries the GitHub
				// token, so a verified artifact also shows it was not sent.
				if n := gh.Requests(fakegithub.EndpointBundleBlob); n != 1 {
					t.Errorf("%d bundle_url reads, want 1", n)
				}
			}},
		{name: "bundle_and_url", opts: []fakegithub.Option{fakegithub.WithBundleForm(fakegithub.BundleAndURL)},
			src: verifier.GitHubSource{Repo: "octo-org/octo-repo"}, check: func(t *testing.T, gh *fakegithub.TestServer, _ *sleeps) {
				if n := gh.Requests(fakegithub.EndpointBundleBlob); n != 0 {
					t.Errorf("%d bundle_url reads, want none: the bundle was inline", n)
				}
			}},
		{name: "bundle_url_transient", opts: []fakegithub.Option{fakegithub.WithBundleForm(fakegithub.BundleURLOnly)}, seed: func(t *testing.T, gh *fakegithub.TestServer) {
			if _, err := gh.AddAttestation("octo-org", "octo-repo", w.bundle); err != nil {
				t.Fatal(err)
			}
			gh.FailEndpoint(fakegithub.EndpointBundleBlob, 1, fakegithub.Fault{Status: http.StatusServiceUnavailable})
		}, src: verifier.GitHubSource{Repo: "octo-org/octo-repo"}, check: func(t *testing.T, gh *fakegithub.TestServer, _ *sleeps) {
			if n := gh.Requests(fakegithub.EndpointBundleBlob); n != 2 {
				t.Errorf("%d bundle_url reads, want 2 (one 503, one retry)", n)
			}
		}},
		{name: "bundle_url_expired", opts: []fakegithub.Option{fakegithub.WithBundleForm(fakegithub.BundleURLOnly)}, seed: func(t *testing.T, gh *fakegithub.TestServer) {
			if _, err := gh.AddAttestation("octo-org", "octo-repo", w.bundle); err != nil {
				t.Fatal(err)
			}
			gh.FailEndpoint(fakegithub.EndpointBundleBlob, 1, fakegithub.Fault{Status: http.StatusForbidden})
		}, src: verifier.GitHubSource{Repo: "octo-org/octo-repo"}, wantErr: true, want: "/_blobs/bundles/"},
		{name: "bad_token", src: verifier.GitHubSource{Repo: "octo-org/octo-repo", Token: "wrong"}, wantErr: true,
			want: "needs a token with read access to the repository"},
		{name: "forbidden", seed: func(t *testing.T, gh *fakegithub.TestServer) {
			gh.FailEndpoint(fakegithub.EndpointListRepoAttestations, 1, fakegithub.Fault{Status: http.StatusForbidden, Message: "Resource not accessible by personal access token"})
		}, src: verifier.GitHubSource{Repo: "octo-org/octo-repo"}, wantErr: true, want: "`attestations: read`"},
		{name: "rate_limited", seed: func(t *testing.T, gh *fakegithub.TestServer) {
			if _, err := gh.AddAttestation("octo-org", "octo-repo", w.bundle); err != nil {
				t.Fatal(err)
			}
			gh.FailEndpoint(fakegithub.EndpointListRepoAttestations, 1, fakegithub.TooManyRequests(7*time.Second))
			gh.FailEndpoint(fakegithub.EndpointListRepoAttestations, 1, fakegithub.SecondaryRateLimit(3*time.Second))
		}, src: verifier.GitHubSource{Repo: "octo-org/octo-repo"}, check: func(t *testing.T, _ *fakegithub.TestServer, s *sleeps) {
			if len(s.d) != 2 || s.d[0] != 7*time.Second || s.d[1] != 3*time.Second {
				t.Errorf("waits %v, want the Retry-After of each answer, 7s then 3s", s.d)
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			gh := fakegithub.NewTestServer(t, tc.opts...)
			if err := gh.CreateRepo(fakegithub.Repo{Owner: "octo-org", Name: "octo-repo"}); err != nil {
				t.Fatal(err)
			}
			seed := tc.seed
			if seed == nil {
				seed = func(t *testing.T, gh *fakegithub.TestServer) {
					if _, err := gh.AddAttestation("octo-org", "octo-repo", w.bundle); err != nil {
						t.Fatal(err)
					}
				}
			}
			seed(t, gh)
			src := tc.src
			src.APIURL = gh.APIURL
			if src.Token == "" {
				src.Token = fakegithub.DefaultToken
			}
			var s sleeps
			rep, err := verifier.Run(t.Context(), verifier.Config{Targets: []string{w.app}, Roots: w.roots, GitHub: &src,
				Policy: policy.Policy{SourceURI: "github.com/octo-org/octo-repo"}}, verifier.WithSleep(s.sleep))
			if tc.wantErr {
				if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), src.Token) || strings.Contains(err.Error(), "sig=") {
					t.Fatalf("Run() = %v, want an error holding %q and neither the token nor a URL signature", err, tc.want)
				}
				return
			}
			if err != nil || len(rep.Artifacts) != 1 {
				t.Fatalf("Run() = %+v, %v", rep, err)
			}
			v := rep.Artifacts[0]
			switch {
			case tc.want == "" && (!v.Verified || !strings.HasPrefix(v.Attestation, "attestations API ")):
				t.Errorf("verdict %+v, want verified from the API", v)
			case tc.want != "" && (v.Verified || len(v.Refusals) == 0 || !strings.Contains(v.Refusals[0].Reason, tc.want)):
				t.Errorf("verdict %+v, want a refusal holding %q", v, tc.want)
			}
			if tc.check != nil {
				tc.check(t, gh, &s)
			}
		})
	}
}
