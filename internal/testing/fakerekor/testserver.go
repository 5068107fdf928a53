package fakerekor

import (
	"net/http/httptest"
	"testing"
)

// TestServer is a Log served on a loopback httptest server for the length
// of one test.
type TestServer struct {
	*Log
	// URL is the log's base URL, http://127.0.0.1:<port>: what a trusted
	// root's tlogs[].baseUrl or --rekor-url names.
	URL string
}

// NewTestServer starts a new Log on a loopback port and closes it when the
// test ends. It fails the test if an option is invalid.
func NewTestServer(t testing.TB, opts ...Option) *TestServer {
	t.Helper()
	l, err := New(opts...)
	if err != nil {
		t.Fatalf("fakerekor.NewTestServer: %v", err)
	}
	hs := httptest.NewServer(l.Handler())
	t.Cleanup(hs.Close)
	return &TestServer{Log: l, URL: hs.URL}
}
