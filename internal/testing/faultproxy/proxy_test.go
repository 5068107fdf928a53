package faultproxy_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/provenant/provenant/internal/testing/faultproxy"
)

// echo answers every request with a fixed body.
func echo(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "hello from "+r.URL.Path)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func get(t *testing.T, c *http.Client, url string) (int, string, error) {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}

func TestProxy(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name       string
		rule       faultproxy.Rule
		wantStatus int
		wantErr    string
		wantHeader string
	}{
		{name: "passes_through", rule: faultproxy.Transient("POST", "/a", faultproxy.Status(500), 1), wantStatus: 200},
		{name: "status", rule: faultproxy.Persistent("GET", "/a", faultproxy.Status(503)), wantStatus: 503},
		{name: "retry_after", rule: faultproxy.Persistent("", "/", faultproxy.TooManyRequests(3*time.Second)), wantStatus: 429, wantHeader: "3"},
		{name: "reset", rule: faultproxy.Persistent("", "/a", faultproxy.Reset()), wantErr: "EOF|reset"},
		{name: "stall", rule: faultproxy.Persistent("", "/a", faultproxy.Stall(time.Minute)), wantErr: "Timeout"},
		{name: "truncated", rule: faultproxy.Persistent("", "/a", faultproxy.Truncate()), wantStatus: 200, wantErr: "unexpected EOF"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := faultproxy.New(t, echo(t).URL)
			p.Inject(tc.rule)
			c := &http.Client{Timeout: 500 * time.Millisecond, Transport: &http.Transport{DisableKeepAlives: true}}
			resp, err := c.Get(p.URL + "/a/b")
			if err == nil {
				defer resp.Body.Close()
				_, err = io.ReadAll(resp.Body)
				if resp.StatusCode != tc.wantStatus {
					t.Errorf("status %d, want %d", resp.StatusCode, tc.wantStatus)
				}
				if got := resp.Header.Get("Retry-After"); got != tc.wantHeader {
					t.Errorf("Retry-After %q, want %q", got, tc.wantHeader)
				}
			}
			if !matches(err, tc.wantErr) {
				t.Errorf("error %v, want one matching %q", err, tc.wantErr)
			}
			if got := p.Requests("GET", "/a"); got != 1 {
				t.Errorf("Requests = %d, want 1", got)
			}
		})
	}
}

// matches reports whether err is nil and want is empty, or err's text
// contains one of want's |-separated parts.
func matches(err error, want string) bool {
	if err == nil || want == "" {
		return err == nil && want == ""
	}
	for _, w := range strings.Split(want, "|") {
		if strings.Contains(err.Error(), w) {
			return true
		}
	}
	return false
}

func TestProxy_transientThenPasses(t *testing.T) {
	t.Parallel()
	p := faultproxy.New(t, echo(t).URL)
	p.Inject(faultproxy.Transient("GET", "/x", faultproxy.Status(502), 2))
	var codes []int
	for range 3 {
		code, _, err := get(t, http.DefaultClient, p.URL+"/x")
		if err != nil {
			t.Fatal(err)
		}
		codes = append(codes, code)
	}
	if codes[0] != 502 || codes[1] != 502 || codes[2] != 200 {
		t.Errorf("codes %v, want 502 502 200", codes)
	}
	if p.Faults() != 2 || p.Requests("", "/") != 3 {
		t.Errorf("%d faults of %d requests, want 2 of 3", p.Faults(), p.Requests("", "/"))
	}
	p.Inject(faultproxy.Persistent("", "/", faultproxy.Status(500)))
	p.Clear()
	if code, body, err := get(t, http.DefaultClient, p.URL+"/y"); err != nil || code != 200 || body != "hello from /y" {
		t.Errorf("after Clear: %d %q %v", code, body, err)
	}
}

func TestProxy_keepsHost(t *testing.T) {
	t.Parallel()
	var host string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { host = r.Host }))
	t.Cleanup(srv.Close)
	p := faultproxy.New(t, srv.URL)
	if _, _, err := get(t, http.DefaultClient, p.URL+"/"); err != nil {
		t.Fatal(err)
	}
	if want := strings.TrimPrefix(p.URL, "http://"); host != want {
		t.Errorf("service saw Host %q, want the proxy's %q", host, want)
	}
}
