package fakegithub_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/provenant/provenant/internal/testing/fakegithub"
)

const (
	owner = "octo-org"
	name  = "octo-repo"
)

// reply is an answer read in full.
type reply struct {
	status int
	header http.Header
	body   []byte
}

// errorDoc is GitHub's JSON error body.
type errorDoc struct {
	Message          string           `json:"message"`
	Errors           []map[string]any `json:"errors"`
	DocumentationURL string           `json:"documentation_url"`
	Status           string           `json:"status"`
	RequestID        string           `json:"request_id"`
}

// send makes one request without following redirects. auth is the whole
// Authorization header, "" for none.
func send(t *testing.T, method, url, auth string, body []byte, hdr ...string) reply {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return reply{status: resp.StatusCode, header: resp.Header, body: b}
}

// api sends an authenticated request.
func api(t *testing.T, method, url string, body []byte, hdr ...string) reply {
	t.Helper()
	return send(t, method, url, "Bearer "+fakegithub.DefaultToken, body, hdr...)
}

func decode[T any](t *testing.T, b []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("decoding %q: %v", b, err)
	}
	return v
}

// newServer starts a fake with octo-org/octo-repo in it.
func newServer(t *testing.T, repo fakegithub.Repo, opts ...fakegithub.Option) *fakegithub.TestServer {
	t.Helper()
	ts := fakegithub.NewTestServer(t, opts...)
	repo.Owner, repo.Name = owner, name
	if err := ts.CreateRepo(repo); err != nil {
		t.Fatal(err)
	}
	return ts
}

func mustRelease(t *testing.T, ts *fakegithub.TestServer, rel fakegithub.Release) int64 {
	t.Helper()
	id, err := ts.CreateRelease(owner, name, rel)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// bundle is the smallest body the attestations API accepts.
const bundle = `{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","verificationMaterial":{},"dsseEnvelope":{}}`
