package ghattest_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-github/v84/github"

	"github.com/provenant/provenant/internal/sink/ghattest"
	"github.com/provenant/provenant/internal/testing/fakegithub"
)

const (
	owner = "octo-org"
	repo  = "octo-repo"
	// bundle is a minimal Sigstore bundle, pretty-printed as a
	// .sigstore.json file might be.
	bundle = `{
  "mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
  "verificationMaterial": {"certificate": {"rawBytes": "MIIB"}},
  "dsseEnvelope": {"payload": "e30=", "payloadType": "application/vnd.in-toto+json", "signatures": [{"sig": "MEU="}]}
}`
	compactBundle = `{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","verificationMaterial":{"certificate":{"rawBytes":"MIIB"}},` +
		`"dsseEnvelope":{"payload":"e30=","payloadType":"application/vnd.in-toto+json","signatures":[{"sig":"MEU="}]}}`
)

// env is a fake GitHub with octo-org/octo-repo, behind a recorder of the
// attestation requests' headers.
type env struct {
	fake    *fakegithub.Server
	client  *github.Client
	mu      sync.Mutex
	headers []http.Header
	sleeps  []time.Duration
}

func setup(t *testing.T, r fakegithub.Repo) *env {
	t.Helper()
	fake, err := fakegithub.New(fakegithub.WithToken(fakegithub.DefaultToken), fakegithub.WithAPIPrefix("/api/v3"))
	if err != nil {
		t.Fatal(err)
	}
	r.Owner, r.Name = owner, repo
	if err := fake.CreateRepo(r); err != nil {
		t.Fatal(err)
	}
	e := &env{fake: fake}
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		e.mu.Lock()
		e.headers = append(e.headers, req.Header.Clone())
		e.mu.Unlock()
		fake.Handler().ServeHTTP(w, req)
	}))
	t.Cleanup(hs.Close)
	// go-github's setup pattern: the API sits under a path prefix, so a
	// request that ignores BaseURL misses.
	e.client = github.NewClient(nil).WithAuthToken(fakegithub.DefaultToken)
	if e.client.BaseURL, err = url.Parse(hs.URL + "/api/v3/"); err != nil {
		t.Fatal(err)
	}
	return e
}

func (e *env) sleep(_ context.Context, d time.Duration) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.sleeps = append(e.sleeps, d)
	return nil
}

func (e *env) uploader() *ghattest.Client {
	c, err := ghattest.New(e.client, owner, repo, ghattest.WithSleep(e.sleep))
	if err != nil {
		panic(err) // the options are fixed and valid
	}
	return c
}

func TestClient_Upload(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name       string
		repo       fakegithub.Repo
		fault      *fakegithub.Fault
		times      int
		body       string
		wantStored bool
		wantSleeps []time.Duration // a zero entry accepts any backoff
		wantErrIs  error
		wantErr    string
		wantReqs   int
	}{
		{name: "created", body: bundle, wantStored: true, wantReqs: 1},
		{name: "private_enterprise", repo: fakegithub.Repo{Private: true, EnterpriseCloud: true}, body: bundle, wantStored: true, wantReqs: 1},
		{name: "plan", repo: fakegithub.Repo{Private: true}, body: bundle, wantErrIs: ghattest.ErrPlan,
			wantErr: "Feature not available for user-owned private repositories", wantReqs: 1},
		{name: "rejected", body: `{"mediaType":"text/plain"}`, wantErr: "HTTP 422", wantReqs: 1},
		{name: "rejected_hint", body: `{"mediaType":"text/plain"}`, wantErr: "the attestations API rejected the bundle", wantReqs: 1},
		{name: "bad_gateway_twice", fault: ptr(fakegithub.ServerError(502)), times: 2, body: bundle, wantStored: true,
			wantSleeps: []time.Duration{0, 0}, wantReqs: 3},
		{name: "secondary_rate_limit", fault: ptr(fakegithub.SecondaryRateLimit(time.Second)), times: 1, body: bundle, wantStored: true,
			wantSleeps: []time.Duration{time.Second}, wantReqs: 2},
		{name: "too_many_requests", fault: ptr(fakegithub.TooManyRequests(3 * time.Second)), times: 1, body: bundle, wantStored: true,
			wantSleeps: []time.Duration{3 * time.Second}, wantReqs: 2},
		{name: "gives_up_after_5", fault: ptr(fakegithub.ServerError(503)), times: 9, body: bundle,
			wantSleeps: []time.Duration{0, 0, 0, 0}, wantErr: "gave up after 5 attempts", wantReqs: 5},
		{name: "not_an_object", body: `"a string"`, wantErr: "not a JSON object"},
		{name: "not_json", body: `{`, wantErr: "not a JSON object"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := setup(t, tc.repo)
			if tc.fault != nil {
				e.fake.FailEndpoint(fakegithub.EndpointCreateAttestation, tc.times, *tc.fault)
			}
			id, err := e.uploader().Upload(t.Context(), []byte(tc.body))
			if tc.wantErr == "" && err != nil {
				t.Fatalf("Upload: %v", err)
			}
			if tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Fatalf("Upload error = %v, want %q", err, tc.wantErr)
			}
			if tc.wantErrIs != nil && !errors.Is(err, tc.wantErrIs) {
				t.Errorf("Upload error = %v, want errors.Is %v", err, tc.wantErrIs)
			}
			if tc.wantErr != "" && !strings.Contains(tc.name, "plan") && errors.Is(err, ghattest.ErrPlan) {
				t.Errorf("Upload error %v wraps ErrPlan", err)
			}
			checkStored(t, e, id, tc.wantStored)
			checkSleeps(t, tc.wantSleeps, e.sleeps)
			if n := e.fake.Requests(fakegithub.EndpointCreateAttestation); n != tc.wantReqs {
				t.Errorf("requests = %d, want %d", n, tc.wantReqs)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

func checkStored(t *testing.T, e *env, id int64, want bool) {
	t.Helper()
	got := e.fake.Attestations(owner, repo)
	if !want {
		if len(got) != 0 || id != 0 {
			t.Errorf("stored %d attestations, id %d; want none", len(got), id)
		}
		return
	}
	if diff := cmp.Diff([]fakegithub.Attestation{{ID: id, Bundle: []byte(compactBundle)}}, got); diff != "" {
		t.Errorf("stored mismatch (-want +got):\n%s", diff)
	}
}

func checkSleeps(t *testing.T, want, got []time.Duration) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("sleeps = %v, want %v", got, want)
	}
	for i := range want {
		if (want[i] == 0 && (got[i] <= 0 || got[i] > 30*time.Second)) || (want[i] != 0 && got[i] != want[i]) {
			t.Errorf("sleep %d = %v, want %v", i, got[i], want[i])
		}
	}
}

// TestClient_Headers checks the request against GitHub's documentation.
func TestClient_Headers(t *testing.T) {
	t.Parallel()
	e := setup(t, fakegithub.Repo{})
	if _, err := e.uploader().Upload(t.Context(), []byte(bundle)); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"Accept":               "application/vnd.github+json",
		"X-Github-Api-Version": "2022-11-28",
		"Authorization":        "Bearer " + fakegithub.DefaultToken,
		"Content-Type":         "application/json",
	}
	e.mu.Lock()
	first := e.headers[0]
	e.mu.Unlock()
	got := map[string]string{}
	for k := range want {
		got[k] = first.Get(k)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("headers mismatch (-want +got):\n%s", diff)
	}
}

func TestClient_WrongToken(t *testing.T) {
	t.Parallel()
	e := setup(t, fakegithub.Repo{})
	const wrong = "wrong-token-s3cr3t"
	c := github.NewClient(nil).WithAuthToken(wrong)
	c.BaseURL = e.client.BaseURL
	client, err := ghattest.New(c, owner, repo, ghattest.WithSleep(e.sleep))
	if err != nil {
		t.Fatal(err)
	}
	_, err = client.Upload(t.Context(), []byte(bundle))
	if err == nil || strings.Contains(err.Error(), wrong) || !strings.Contains(err.Error(), "401") || errors.Is(err, ghattest.ErrPlan) {
		t.Errorf("Upload error = %v, want a 401 without the token", err)
	}
}

func TestURL(t *testing.T) {
	t.Parallel()
	cases := []struct{ server, want string }{
		{"https://github.com", "https://github.com/octo-org/octo-repo/attestations/42"},
		{"https://github.com/", "https://github.com/octo-org/octo-repo/attestations/42"},
		{"", "https://github.com/octo-org/octo-repo/attestations/42"},
		{"https://octo.ghe.com", "https://octo.ghe.com/octo-org/octo-repo/attestations/42"},
	}
	for _, tc := range cases {
		if got := ghattest.URL(tc.server, owner, repo, 42); got != tc.want {
			t.Errorf("URL(%q) = %q, want %q", tc.server, got, tc.want)
		}
	}
}
