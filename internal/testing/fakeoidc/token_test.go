package fakeoidc_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/google/go-cmp/cmp"
	"github.com/sethvargo/go-githubactions"

	"github.com/provenant/provenant/internal/testing/fakeoidc"
)

// verifyToken verifies tok with go-oidc against the issuer discovered at
// ts.URL and returns its claims.
func verifyToken(ctx context.Context, ts *fakeoidc.TestServer, clientID, tok string) (map[string]any, error) {
	if ts.Issuer() != ts.URL {
		ctx = oidc.InsecureIssuerURLContext(ctx, ts.Issuer())
	}
	provider, err := oidc.NewProvider(ctx, ts.URL)
	if err != nil {
		return nil, fmt.Errorf("discovering provider: %w", err)
	}
	idt, err := provider.Verifier(&oidc.Config{ClientID: clientID}).Verify(ctx, tok)
	if err != nil {
		return nil, err
	}
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		return nil, fmt.Errorf("decoding claims: %w", err)
	}
	return claims, nil
}

// wantClaims is the claim set of a default token minted at now.
func wantClaims(iss, aud string, now time.Time, over map[string]any) map[string]any {
	want := maps.Clone(wantDefaults)
	want["iss"] = iss
	want["aud"] = aud
	want["iat"] = float64(now.Unix())
	want["nbf"] = float64(now.Unix())
	want["exp"] = float64(now.Add(10 * time.Minute).Unix())
	for k, v := range over {
		if v == nil {
			delete(want, k)
			continue
		}
		want[k] = v
	}
	return want
}

// popJTI removes jti from claims and fails unless it was a non-empty string.
func popJTI(t *testing.T, claims map[string]any) {
	t.Helper()
	if s, _ := claims["jti"].(string); s == "" {
		t.Errorf("jti = %v, want a non-empty string", claims["jti"])
	}
	delete(claims, "jti")
}

func TestServer_TokenVerifiesWithGoOIDC(t *testing.T) {
	t.Parallel()
	clock, now := fixedClock(0)
	ts := fakeoidc.NewTestServer(t, fakeoidc.WithClock(clock))
	tok, err := requestToken(t.Context(), ts, "sigstore")
	if err != nil {
		t.Fatal(err)
	}
	got, err := verifyToken(t.Context(), ts, "sigstore", tok.value)
	if err != nil {
		t.Fatalf("Verify() error = %v", err)
	}
	popJTI(t, got)
	if diff := cmp.Diff(wantClaims(ts.URL, "sigstore", now, nil), got); diff != "" {
		t.Errorf("claims mismatch (-want +got):\n%s", diff)
	}

	wantHeader := map[string]any{"alg": "RS256", "typ": "JWT", "kid": "k1"}
	if diff := cmp.Diff(wantHeader, segment(t, tok.value, 0)); diff != "" {
		t.Errorf("JWT header mismatch (-want +got):\n%s", diff)
	}
	raw := payload(t, tok.value)
	if _, ok := raw["aud"].(string); !ok {
		t.Errorf("aud is %T, want a JSON string", raw["aud"])
	}
	for _, k := range []string{"iat", "nbf", "exp"} {
		if _, ok := raw[k].(float64); !ok {
			t.Errorf("%s is %T, want a JSON number", k, raw[k])
		}
	}
}

func TestServer_ForeignIssuer(t *testing.T) {
	t.Parallel()
	const gh = "https://token.actions.githubusercontent.com"
	ts := fakeoidc.NewTestServer(t, fakeoidc.WithIssuer(gh))
	tok, err := ts.Mint("sigstore", nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := verifyToken(t.Context(), ts, "sigstore", tok)
	if err != nil {
		t.Fatalf("Verify() error = %v", err)
	}
	if got["iss"] != gh {
		t.Errorf("iss = %v, want %s", got["iss"], gh)
	}
}

func TestGetIDToken(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name       string
		opts       []fakeoidc.Option
		bearer     string
		audience   string
		wantAud    string
		wantStatus int // 0 for success
	}{
		{name: "sigstore", bearer: "dummy", audience: "sigstore", wantAud: "sigstore"},
		{name: "default_audience", bearer: "dummy", wantAud: "https://github.com/octo-org"},
		{name: "checked_bearer", opts: []fakeoidc.Option{fakeoidc.WithRequestToken("s3cret")}, bearer: "s3cret", audience: "nobody", wantAud: "nobody"},
		{name: "wrong_bearer", opts: []fakeoidc.Option{fakeoidc.WithRequestToken("s3cret")}, bearer: "dummy", audience: "sigstore", wantStatus: http.StatusUnauthorized},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ts := fakeoidc.NewTestServer(t, tc.opts...)
			env := map[string]string{
				"ACTIONS_ID_TOKEN_REQUEST_URL":   ts.TokenRequestURL(),
				"ACTIONS_ID_TOKEN_REQUEST_TOKEN": tc.bearer,
			}
			action := githubactions.New(
				githubactions.WithGetenv(func(k string) string { return env[k] }),
				githubactions.WithWriter(io.Discard),
			)
			tok, err := action.GetIDToken(t.Context(), tc.audience)
			if got := ts.TokenRequests(); got != 1 {
				t.Errorf("TokenRequests() = %d, want 1", got)
			}
			if tc.wantStatus != 0 {
				var rf *githubactions.RequestFailedError
				if !errors.As(err, &rf) || rf.StatusCode != tc.wantStatus {
					t.Fatalf("GetIDToken() error = %v, want a RequestFailedError with status %d", err, tc.wantStatus)
				}
				return
			}
			if err != nil {
				t.Fatalf("GetIDToken() error = %v", err)
			}
			claims, err := verifyToken(t.Context(), ts, tc.wantAud, tok)
			if err != nil {
				t.Fatalf("Verify() error = %v", err)
			}
			if claims["aud"] != tc.wantAud {
				t.Errorf("aud = %v, want %s", claims["aud"], tc.wantAud)
			}
		})
	}
}

func TestServer_TokenEndpoint(t *testing.T) {
	t.Parallel()
	const q = "/token?api-version=2.0"
	cases := []struct {
		name       string
		opts       []fakeoidc.Option
		method     string
		path       string
		header     map[string]string
		wantStatus int
		wantAud    string // for 200
	}{
		{name: "any_bearer", path: q + "&audience=sigstore", header: bearer("dummy"), wantStatus: 200, wantAud: "sigstore"},
		{name: "matching_bearer", opts: checked, path: q + "&audience=sigstore", header: bearer("s3cret"), wantStatus: 200, wantAud: "sigstore"},
		{name: "lower_case_scheme", path: q + "&audience=sigstore", header: map[string]string{"Authorization": "bearer dummy"}, wantStatus: 200, wantAud: "sigstore"},
		{name: "default_audience", path: q, header: bearer("dummy"), wantStatus: 200, wantAud: "https://github.com/octo-org"},
		{name: "empty_audience", path: q + "&audience=", header: bearer("dummy"), wantStatus: 200, wantAud: "https://github.com/octo-org"},
		{name: "default_audience_follows_owner", opts: []fakeoidc.Option{fakeoidc.WithClaims(map[string]any{"repository_owner": "acme"})},
			path: q, header: bearer("dummy"), wantStatus: 200, wantAud: "https://github.com/acme"},
		{name: "api_version_in_accept", path: "/token?audience=sigstore", header: map[string]string{"Authorization": "Bearer dummy", "Accept": "application/json;api-version=2.0"}, wantStatus: 200, wantAud: "sigstore"},
		{name: "no_bearer", path: q + "&audience=sigstore", wantStatus: 401},
		{name: "no_bearer_checked", opts: checked, path: q + "&audience=sigstore", wantStatus: 401},
		{name: "empty_bearer", path: q + "&audience=sigstore", header: bearer(""), wantStatus: 401},
		{name: "basic_auth", path: q + "&audience=sigstore", header: map[string]string{"Authorization": "Basic ZHVtbXk6"}, wantStatus: 401},
		{name: "wrong_bearer", opts: checked, path: q + "&audience=sigstore", header: bearer("dummy"), wantStatus: 401},
		{name: "no_api_version", path: "/token?audience=sigstore", header: bearer("dummy"), wantStatus: 400},
		{name: "post", method: http.MethodPost, path: q + "&audience=sigstore", header: bearer("dummy"), wantStatus: 405},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ts := fakeoidc.NewTestServer(t, tc.opts...)
			method := tc.method
			if method == "" {
				method = http.MethodGet
			}
			resp := do(t, method, ts.URL+tc.path, tc.header)
			if resp.StatusCode != tc.wantStatus {
				t.Fatalf("status = %d, want %d", resp.StatusCode, tc.wantStatus)
			}
			if got := ts.TokenRequests(); got != 1 {
				t.Errorf("TokenRequests() = %d, want 1", got)
			}
			if tc.wantStatus != http.StatusOK {
				checkErrorReply(t, resp)
				return
			}
			body := decodeJSON[struct {
				Count int    `json:"count"`
				Value string `json:"value"`
			}](t, resp)
			if body.Count != len(body.Value) {
				t.Errorf("count = %d, want the token length %d", body.Count, len(body.Value))
			}
			if _, err := verifyToken(t.Context(), ts, tc.wantAud, body.Value); err != nil {
				t.Errorf("Verify(ClientID %q) error = %v", tc.wantAud, err)
			}
		})
	}
}

var checked = []fakeoidc.Option{fakeoidc.WithRequestToken("s3cret")}

func bearer(tok string) map[string]string {
	return map[string]string{"Authorization": "Bearer " + tok}
}

// checkErrorReply checks the shape of an error answer from the token
// endpoint: a JSON object with a message, and the headers that go with the
// status.
func checkErrorReply(t *testing.T, resp *http.Response) {
	t.Helper()
	switch resp.StatusCode {
	case http.StatusUnauthorized:
		if got := resp.Header.Get("WWW-Authenticate"); got != "Bearer" {
			t.Errorf("WWW-Authenticate = %q, want Bearer", got)
		}
	case http.StatusMethodNotAllowed:
		if got := resp.Header.Get("Allow"); got != http.MethodGet {
			t.Errorf("Allow = %q, want GET", got)
		}
	}
	body := decodeJSON[struct {
		Message string `json:"message"`
		TypeKey string `json:"typeKey"`
	}](t, resp)
	if body.Message == "" || body.TypeKey == "" {
		t.Errorf("error body = %+v, want a message and a typeKey", body)
	}
}

func TestWithClaims(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		claims  []map[string]any
		wantJTI string // "" for a fresh one
		want    map[string]any
	}{
		{name: "delete", claims: []map[string]any{{"workflow_sha": nil}}, want: map[string]any{"workflow_sha": nil}},
		{name: "override_and_add",
			claims: []map[string]any{{"ref": "refs/heads/main", "ref_type": "branch", "environment": "production"}},
			want:   map[string]any{"ref": "refs/heads/main", "ref_type": "branch", "environment": "production"}},
		{name: "reusable_workflow",
			claims: []map[string]any{{"job_workflow_ref": "octo-org/provenant/.github/workflows/generic.yml@refs/tags/v1.0.0"}},
			want:   map[string]any{"job_workflow_ref": "octo-org/provenant/.github/workflows/generic.yml@refs/tags/v1.0.0"}},
		{name: "applied_in_order",
			claims: []map[string]any{{"actor": "hubot", "base_ref": nil}, {"actor": "monalisa"}},
			want:   map[string]any{"actor": "monalisa", "base_ref": nil}},
		{name: "fixed_jti", claims: []map[string]any{{"jti": "j1"}}, wantJTI: "j1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			clock, now := fixedClock(0)
			opts := []fakeoidc.Option{fakeoidc.WithClock(clock)}
			for _, m := range tc.claims {
				opts = append(opts, fakeoidc.WithClaims(m))
			}
			ts := fakeoidc.NewTestServer(t, opts...)
			for range 2 { // twice, to see whether jti changes
				tok, err := requestToken(t.Context(), ts, "sigstore")
				if err != nil {
					t.Fatal(err)
				}
				got, err := verifyToken(t.Context(), ts, "sigstore", tok.value)
				if err != nil {
					t.Fatalf("Verify() error = %v", err)
				}
				want := wantClaims(ts.URL, "sigstore", now, tc.want)
				if tc.wantJTI != "" {
					want["jti"] = tc.wantJTI
				} else {
					popJTI(t, got)
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("claims mismatch (-want +got):\n%s", diff)
				}
			}
		})
	}
}

func TestVerify_Refused(t *testing.T) {
	t.Parallel()
	var expired *oidc.TokenExpiredError
	cases := []struct {
		name    string
		opts    []fakeoidc.Option
		mint    func(t *testing.T, ts *fakeoidc.TestServer) (string, error)
		wantAs  any    // a pointer for errors.As, or nil
		wantErr string // a substring, when wantAs is nil
	}{
		{name: "expired_by_clock", opts: []fakeoidc.Option{fakeoidc.WithClock(func() time.Time { return time.Now().Add(-time.Hour) })},
			mint: mintFor("sigstore", nil), wantAs: &expired},
		{name: "short_lifetime", opts: []fakeoidc.Option{fakeoidc.WithClock(func() time.Time { return time.Now().Add(-2 * time.Minute) }), fakeoidc.WithTokenLifetime(time.Minute)},
			mint: mintFor("sigstore", nil), wantAs: &expired},
		{name: "expired_by_claim", mint: mintFor("sigstore", map[string]any{"exp": time.Now().Add(-time.Minute).Unix()}), wantAs: &expired},
		{name: "not_yet_valid", mint: mintFor("sigstore", map[string]any{"nbf": time.Now().Add(time.Hour).Unix()}), wantErr: "nbf"},
		{name: "wrong_audience", mint: mintFor("nobody", nil), wantErr: "audience"},
		{name: "wrong_issuer", mint: mintFor("sigstore", map[string]any{"iss": "https://token.actions.githubusercontent.com"}), wantErr: "different provider"},
		{name: "other_servers_key", mint: func(t *testing.T, ts *fakeoidc.TestServer) (string, error) {
			other := fakeoidc.NewTestServer(t)
			return other.Mint("sigstore", map[string]any{"iss": ts.Issuer()})
		}, wantErr: "signature"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ts := fakeoidc.NewTestServer(t, tc.opts...)
			tok, err := tc.mint(t, ts)
			if err != nil {
				t.Fatalf("Mint() error = %v", err)
			}
			_, err = verifyToken(t.Context(), ts, "sigstore", tok)
			switch {
			case err == nil:
				t.Fatal("Verify() succeeded, want an error")
			case tc.wantAs != nil && !errors.As(err, tc.wantAs):
				t.Errorf("Verify() error = %v, want one of type %T", err, tc.wantAs)
			case tc.wantAs == nil && !strings.Contains(err.Error(), tc.wantErr):
				t.Errorf("Verify() error = %v, want one containing %q", err, tc.wantErr)
			}
		})
	}
}

func mintFor(aud string, extra map[string]any) func(*testing.T, *fakeoidc.TestServer) (string, error) {
	return func(_ *testing.T, ts *fakeoidc.TestServer) (string, error) { return ts.Mint(aud, extra) }
}

func do(t *testing.T, method, url string, header map[string]string) *http.Response {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

type fetched struct{ value, jti string }

// requestToken fetches a token from ts's token endpoint the way a job does.
// It does not use t, so goroutines may call it.
func requestToken(ctx context.Context, ts *fakeoidc.TestServer, aud string) (fetched, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, ts.TokenRequestURL()+"&audience="+aud, nil)
	if err != nil {
		return fetched{}, err
	}
	req.Header.Set("Authorization", "Bearer dummy")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fetched{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fetched{}, fmt.Errorf("token endpoint answered %s", resp.Status)
	}
	var body struct{ Value string }
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return fetched{}, fmt.Errorf("decoding token reply: %w", err)
	}
	parts := strings.Split(body.Value, ".")
	if len(parts) != 3 {
		return fetched{}, fmt.Errorf("token has %d parts", len(parts))
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return fetched{}, fmt.Errorf("decoding payload: %w", err)
	}
	var claims struct{ JTI string }
	if err := json.Unmarshal(raw, &claims); err != nil {
		return fetched{}, fmt.Errorf("decoding payload: %w", err)
	}
	return fetched{value: body.Value, jti: claims.JTI}, nil
}
