package fakeoidc

import (
	"net/http/httptest"
	"testing"
)

// TestServer is a Server running on a loopback httptest server for the
// length of one test.
type TestServer struct {
	*Server

	// URL is the base URL of the server, http://127.0.0.1:<port>, with no
	// trailing slash.
	URL string
}

// NewTestServer starts a Server configured by opts on a loopback port and
// closes it when the test ends. The issuer defaults to the server's URL, so
// oidc.NewProvider(ctx, ts.URL) works; WithIssuer overrides it. It fails
// the test if an option is invalid.
func NewTestServer(t testing.TB, opts ...Option) *TestServer {
	t.Helper()
	hs := httptest.NewUnstartedServer(nil)
	t.Cleanup(hs.Close)
	// httptest.Server.Start derives URL from the listener in the same way;
	// knowing it now lets the issuer default to it before anything serves.
	base := "http://" + hs.Listener.Addr().String()
	srv, err := New(append([]Option{WithIssuer(base)}, opts...)...)
	if err != nil {
		t.Fatalf("fakeoidc.NewTestServer: %v", err)
	}
	hs.Config.Handler = srv.Handler()
	hs.Start()
	return &TestServer{Server: srv, URL: hs.URL}
}

// TokenRequestURL returns the token endpoint in the shape of
// ACTIONS_ID_TOKEN_REQUEST_URL: URL + "/token?api-version=2.0". Clients
// append "&audience=<aud>".
func (ts *TestServer) TokenRequestURL() string {
	return ts.URL + tokenPath + "?api-version=2.0"
}
