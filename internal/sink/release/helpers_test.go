package release_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/google/go-github/v84/github"

	"github.com/provenant/provenant/internal/sink/ghapi"
	"github.com/provenant/provenant/internal/sink/release"
	"github.com/provenant/provenant/internal/testing/fakegithub"
)

const (
	owner = "octo-org"
	repo  = "octo-repo"
)

// env is one fake GitHub with a client and an Uploader pointed at it.
type env struct {
	fake   *fakegithub.Server
	url    string // root of the fake
	client *github.Client
	sleeps *sleeps

	mu sync.Mutex
	// before, when set, runs before the fake handles each request; tests
	// use it to act as a concurrent run.
	before func(*http.Request)
}

// setBefore sets the hook run before each request.
func (e *env) setBefore(f func(*http.Request)) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.before = f
}

// sleeps records the waits an Uploader asks for instead of waiting.
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

func (s *sleeps) got() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.d...)
}

// setup starts a fake GitHub Enterprise Server layout (API under /api/v3,
// uploads under /api/uploads), so a request that ignores the client's
// base URL or the release's upload_url misses, as in go-github's own
// setup. It creates octo-org/octo-repo as r describes.
func setup(t *testing.T, r fakegithub.Repo, opts ...fakegithub.Option) *env {
	t.Helper()
	fake, err := fakegithub.New(append([]fakegithub.Option{fakegithub.WithToken(fakegithub.DefaultToken), fakegithub.WithAPIPrefix("/api/v3")}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	r.Owner, r.Name = owner, repo
	if err := fake.CreateRepo(r); err != nil {
		t.Fatal(err)
	}
	e := &env{fake: fake, sleeps: &sleeps{}}
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		e.mu.Lock()
		before := e.before
		e.mu.Unlock()
		if before != nil {
			before(req)
		}
		fake.Handler().ServeHTTP(w, req)
	}))
	t.Cleanup(hs.Close)
	e.url = hs.URL
	e.client, err = ghapi.NewClient(hs.URL+"/api/v3", fakegithub.DefaultToken, nil)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func (e *env) uploader(opts ...release.Option) *release.Uploader {
	u, err := release.New(e.client, owner, repo, append([]release.Option{release.WithSleep(e.sleeps.sleep)}, opts...)...)
	if err != nil {
		panic(err) // tests pass only valid options
	}
	return u
}

func (e *env) seedRelease(t *testing.T, rel fakegithub.Release, assets map[string]string) int64 {
	t.Helper()
	id, err := e.fake.CreateRelease(owner, repo, rel)
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range assets {
		if _, err := e.fake.AddAsset(owner, repo, id, name, "application/octet-stream", []byte(data)); err != nil {
			t.Fatal(err)
		}
	}
	return id
}

// release returns the fake's release with that id.
func (e *env) release(t *testing.T, id int64) fakegithub.Release {
	t.Helper()
	for _, r := range e.fake.Releases(owner, repo) {
		if r.ID == id {
			return r
		}
	}
	t.Fatalf("no release %d", id)
	return fakegithub.Release{}
}

// contents maps a release's asset names to their data, with "(state)"
// appended for assets not completely uploaded.
func contents(r fakegithub.Release) map[string]string {
	out := map[string]string{}
	for _, a := range r.Assets {
		v := string(a.Data)
		if a.State != "uploaded" {
			v += "(" + a.State + ")"
		}
		if _, dup := out[a.Name]; dup {
			v = "DUPLICATE"
		}
		out[a.Name] = v
	}
	return out
}

// once returns a hook that runs f before the first request matching
// method and endpoint-ish path suffix.
func once(method, suffix string, f func()) func(*http.Request) {
	var o sync.Once
	return func(r *http.Request) {
		if r.Method == method && hasSuffixPath(r.URL.Path, suffix) {
			o.Do(f)
		}
	}
}

func hasSuffixPath(p, suffix string) bool {
	return len(p) >= len(suffix) && p[len(p)-len(suffix):] == suffix
}
