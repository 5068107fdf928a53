package fakesigstore

import (
	"net/http/httptest"
	"testing"
)

// TestServer is a Sigstore running on a loopback httptest server for the
// length of one test.
type TestServer struct {
	*Sigstore

	// URL is the base URL of the server, http://127.0.0.1:<port>, with no
	// trailing slash.
	URL string
}

// NewTestServer starts a Sigstore configured by opts on a loopback port and
// closes it when the test ends. It fails the test if an option is invalid
// or the keys cannot be made.
func NewTestServer(t testing.TB, opts ...Option) *TestServer {
	t.Helper()
	s, err := New(opts...)
	if err != nil {
		t.Fatalf("fakesigstore.NewTestServer: %v", err)
	}
	hs := httptest.NewUnstartedServer(s.Handler())
	t.Cleanup(hs.Close)
	// httptest.Server.Start derives URL from the listener in the same way;
	// setting it now means nothing reads it while the server runs.
	s.baseURL = "http://" + hs.Listener.Addr().String()
	hs.Start()
	return &TestServer{Sigstore: s, URL: hs.URL}
}

// FulcioURL returns the value for sign.FulcioOptions.BaseURL: the server's
// URL, to which sigstore-go appends SigningCertPath.
func (ts *TestServer) FulcioURL() string { return ts.URL }

// TSAURL returns the value for sign.TimestampAuthorityOptions.URL: the
// server's URL with TimestampPath.
func (ts *TestServer) TSAURL() string { return ts.URL + TimestampPath }
