package action

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/provenant/provenant/internal/httpretry"
)

func TestEnv_URLs(t *testing.T) {
	tests := []struct {
		name          string
		env           map[string]string
		server, api   string
		runnerTempDir string
	}{
		{name: "outside Actions", server: "https://github.com", api: "https://api.github.com"},
		{name: "github.com runner",
			env:    map[string]string{"GITHUB_SERVER_URL": "https://github.com", "GITHUB_API_URL": "https://api.github.com", "RUNNER_TEMP": "/runner/_work/_temp"},
			server: "https://github.com", api: "https://api.github.com", runnerTempDir: "/runner/_work/_temp"},
		{name: "GHE.com tenant",
			env:    map[string]string{"GITHUB_SERVER_URL": "https://octo.ghe.com/", "GITHUB_API_URL": "https://api.octo.ghe.com/"},
			server: "https://octo.ghe.com", api: "https://api.octo.ghe.com"},
		{name: "Enterprise Server without GITHUB_API_URL",
			env:    map[string]string{"GITHUB_SERVER_URL": "https://ghes.example.com"},
			server: "https://ghes.example.com", api: "https://ghes.example.com/api/v3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := New(WithGetenv(func(k string) string { return tt.env[k] }))
			if err != nil {
				t.Fatal(err)
			}
			if got := e.ServerURL(); got != tt.server {
				t.Errorf("ServerURL() = %q, want %q", got, tt.server)
			}
			if got := e.APIURL(); got != tt.api {
				t.Errorf("APIURL() = %q, want %q", got, tt.api)
			}
			if got := e.TempDir(); got != tt.runnerTempDir {
				t.Errorf("TempDir() = %q, want %q", got, tt.runnerTempDir)
			}
		})
	}
}

// TestEnv_container checks that a container action is recognised by its
// workspace and that no cache is claimed in RUNNER_TEMP, which a container
// action cannot see.
func TestEnv_container(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		env       map[string]string
		container bool
		temp      string
	}{
		{"container_action", map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_WORKSPACE": "/github/workspace", "RUNNER_TEMP": "/runner/_work/_temp"}, true, ""},
		{"runner_step", map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_WORKSPACE": "/runner/_work/r/r", "RUNNER_TEMP": "/runner/_work/_temp"}, false, "/runner/_work/_temp"},
		{"outside_actions", map[string]string{"GITHUB_WORKSPACE": "/github/workspace"}, false, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e, err := New(WithGetenv(func(k string) string { return tc.env[k] }), WithWriter(&bytes.Buffer{}))
			if err != nil {
				t.Fatal(err)
			}
			if got := e.InContainer(); got != tc.container {
				t.Errorf("InContainer() = %v, want %v", got, tc.container)
			}
			if got := e.TempDir(); got != tc.temp {
				t.Errorf("TempDir() = %q, want %q", got, tc.temp)
			}
		})
	}
}

// TestEnv_Mask checks that a secret is masked in every form it may be
// printed in, line by line for a multi-line one.
func TestEnv_Mask(t *testing.T) {
	t.Parallel()
	const secret = "pa55/+w?rd~"
	var out bytes.Buffer
	e, err := New(WithGetenv(func(k string) string { return map[string]string{"GITHUB_ACTIONS": "true"}[k] }), WithWriter(&out))
	if err != nil {
		t.Fatal(err)
	}
	e.Mask(secret)
	e.Mask("line-one\nline-two")
	e.Mask("  ")
	b := []byte(secret)
	for _, want := range []string{
		secret,
		base64.StdEncoding.EncodeToString(b), base64.RawStdEncoding.EncodeToString(b),
		base64.URLEncoding.EncodeToString(b), base64.RawURLEncoding.EncodeToString(b),
		url.QueryEscape(secret), url.PathEscape(secret),
		"line-one", "line-two", base64.StdEncoding.EncodeToString([]byte("line-one\nline-two")),
		base64.StdEncoding.EncodeToString([]byte("line-two")),
	} {
		// Workflow command data escapes '%'; the runner unescapes it.
		if !strings.Contains(out.String(), "::add-mask::"+strings.ReplaceAll(want, "%", "%25")+"\n") {
			t.Errorf("%q is not masked; commands:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), "::add-mask::\n") || strings.Contains(out.String(), "::add-mask::  ") {
		t.Errorf("masked a blank value:\n%s", out.String())
	}
}

func TestEnv_Token(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		statuses  []int // answers before the token
		wantCalls int32
		wantErr   string
	}{
		{name: "first_time", wantCalls: 1},
		{name: "after_502_and_429", statuses: []int{502, 429}, wantCalls: 3},
		{name: "refused", statuses: []int{403}, wantCalls: 1, wantErr: "id-token permission"},
		{name: "gives_up", statuses: []int{503, 503, 503, 503, 503}, wantCalls: 4, wantErr: "HTTP 503"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var calls atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				n := calls.Add(1)
				if r.Header.Get("Authorization") != "Bearer request-token" || r.URL.Query().Get("audience") != "sigstore" {
					t.Errorf("request %s with %q", r.URL, r.Header.Get("Authorization"))
				}
				if int(n) <= len(tc.statuses) {
					w.WriteHeader(tc.statuses[n-1])
					return
				}
				w.Write([]byte(`{"value":"the.oidc.token"}`))
			}))
			t.Cleanup(srv.Close)
			env := map[string]string{"GITHUB_ACTIONS": "true", "ACTIONS_ID_TOKEN_REQUEST_URL": srv.URL + "/token?x=1",
				"ACTIONS_ID_TOKEN_REQUEST_TOKEN": "request-token"}
			var out bytes.Buffer
			e, err := New(WithGetenv(func(k string) string { return env[k] }), WithWriter(&out),
				WithTokenRetry(httpretry.WithSleep(func(context.Context, time.Duration) error { return nil })))
			if err != nil {
				t.Fatal(err)
			}
			tok, err := e.Token(t.Context(), "sigstore")
			if calls.Load() != tc.wantCalls {
				t.Errorf("%d requests, want %d", calls.Load(), tc.wantCalls)
			}
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("Token error = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || tok != "the.oidc.token" {
				t.Fatalf("Token = %q, %v", tok, err)
			}
			if !strings.Contains(out.String(), "::add-mask::the.oidc.token\n") {
				t.Errorf("token not masked:\n%s", out.String())
			}
		})
	}
}

func TestEnv_TokenMissing(t *testing.T) {
	t.Parallel()
	e, err := New(WithGetenv(func(string) string { return "" }))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Token(t.Context(), "sigstore"); !errors.Is(err, ErrNoToken) {
		t.Errorf("Token error = %v, want ErrNoToken", err)
	}
}

func TestNew_invalidOption(t *testing.T) {
	t.Parallel()
	if _, err := New(WithWriter(nil)); err == nil {
		t.Error("New accepted a nil writer")
	}
}

// TestEnv_Token_redirectWithToken serves a token endpoint that redirects
// to another host with the request token in the URL. The redirect is not
// followed, and no form of the request token appears in the error or the
// output apart from mask commands.
func TestEnv_Token_redirectWithToken(t *testing.T) {
	t.Parallel()
	const reqTok = "req-tok/+secret=value"
	var followed atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { followed.Add(1) }))
	t.Cleanup(other.Close)
	otherURL := strings.Replace(other.URL, "127.0.0.1", "localhost", 1)
	b := []byte(reqTok)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		loc := otherURL + "/cb/" + url.PathEscape(reqTok) + "?t=" + url.QueryEscape(reqTok) +
			"&b=" + base64.StdEncoding.EncodeToString(b) + "&u=" + base64.RawURLEncoding.EncodeToString(b)
		http.Redirect(w, r, loc, http.StatusFound)
	}))
	t.Cleanup(srv.Close)
	env := map[string]string{"GITHUB_ACTIONS": "true", "ACTIONS_ID_TOKEN_REQUEST_URL": srv.URL + "/token",
		"ACTIONS_ID_TOKEN_REQUEST_TOKEN": reqTok}
	var out bytes.Buffer
	e, err := New(WithGetenv(func(k string) string { return env[k] }), WithWriter(&out),
		WithTokenRetry(httpretry.WithSleep(func(context.Context, time.Duration) error { return nil })))
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.Token(t.Context(), "sigstore")
	if err == nil || !strings.Contains(err.Error(), "redirected to another host") {
		t.Fatalf("Token() error = %v, want a refused redirect", err)
	}
	if followed.Load() != 0 {
		t.Errorf("the redirect was followed %d times", followed.Load())
	}
	var rest []string
	for _, l := range strings.Split(out.String(), "\n") {
		if !strings.HasPrefix(l, "::add-mask::") {
			rest = append(rest, l)
		}
	}
	text := err.Error() + "\n" + strings.Join(rest, "\n")
	for _, form := range []string{reqTok, base64.StdEncoding.EncodeToString(b), base64.RawStdEncoding.EncodeToString(b),
		base64.URLEncoding.EncodeToString(b), base64.RawURLEncoding.EncodeToString(b), url.QueryEscape(reqTok), url.PathEscape(reqTok)} {
		if strings.Contains(text, form) {
			t.Errorf("%q appears in the error or output:\n%s", form, text)
		}
	}
}
