package fakegithub

import (
	"net/http/httptest"
	"testing"
)

// DefaultToken is the token NewTestServer demands unless WithToken says
// otherwise. It is deliberately not shaped like a real GitHub token.
const DefaultToken = "fake-github-token-0123456789"

// TestServer is a Server running on a loopback httptest server for the
// length of one test.
type TestServer struct {
	*Server

	// URL is the server's root, http://127.0.0.1:<port>, without a
	// trailing slash: the web host of html_url and browser_download_url.
	URL string

	// APIURL is the API root, URL plus the API prefix: what
	// GITHUB_API_URL would hold.
	APIURL string
}

// NewTestServer starts a Server configured by opts on a loopback port and
// closes it when the test ends. The token defaults to DefaultToken. It
// fails the test if an option is invalid.
func NewTestServer(t testing.TB, opts ...Option) *TestServer {
	t.Helper()
	srv, err := New(append([]Option{WithToken(DefaultToken)}, opts...)...)
	if err != nil {
		t.Fatalf("fakegithub.NewTestServer: %v", err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	return &TestServer{Server: srv, URL: hs.URL, APIURL: hs.URL + srv.APIPrefix()}
}
