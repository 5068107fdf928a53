package faketuf

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// Handler serves the repository: GET /N.root.json, /timestamp.json,
// /N.snapshot.json, /N.targets.json and /targets/<sha256>.<name>; 404 for
// anything else, which ends a client's search for newer roots.
func (r *Repository) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.mu.Lock()
		r.requests[req.URL.Path]++
		down := r.down
		b, ok := r.files[strings.TrimPrefix(req.URL.Path, "/")]
		r.mu.Unlock()
		switch {
		case down:
			http.Error(w, "the repository is down", http.StatusServiceUnavailable)
		case req.Method != http.MethodGet:
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		case !ok:
			http.NotFound(w, req)
		default:
			w.Header().Set("Content-Type", "application/json")
			w.Write(b)
		}
	})
}

// TestServer is a Repository served on loopback for the length of a test.
type TestServer struct {
	*Repository
	// URL is the repository's base URL, http://127.0.0.1:<port>.
	URL string
}

// NewTestServer starts a repository publishing targets and closes it when
// the test ends. It fails the test if the metadata cannot be made.
func NewTestServer(t testing.TB, targets map[string][]byte) *TestServer {
	t.Helper()
	r, err := New(targets)
	if err != nil {
		t.Fatalf("faketuf.NewTestServer: %v", err)
	}
	s := httptest.NewServer(r.Handler())
	t.Cleanup(s.Close)
	return &TestServer{Repository: r, URL: s.URL}
}
