package fakeoidc_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/provenant/provenant/internal/testing/fakeoidc"
)

// TestServer_AddJob: a registered job's request token is accepted beside
// the configured one, and its tokens carry the job's claims; others'
// tokens do not.
func TestServer_AddJob(t *testing.T) {
	t.Parallel()
	ts := fakeoidc.NewTestServer(t, checked...)
	ts.AddJob("job-2", map[string]any{"run_id": "790", "run_attempt": "2"})
	cases := []struct {
		bearer             string
		wantStatus         int
		wantRun, wantTries string
	}{
		{bearer: "job-2", wantStatus: 200, wantRun: "790", wantTries: "2"},
		{bearer: "s3cret", wantStatus: 200, wantRun: "789", wantTries: "1"},
		{bearer: "job-3", wantStatus: 401},
	}
	for _, tc := range cases {
		status, value := jobToken(t, ts, tc.bearer)
		if status != tc.wantStatus {
			t.Errorf("bearer %s: status %d, want %d", tc.bearer, status, tc.wantStatus)
			continue
		}
		if tc.wantStatus != 200 {
			continue
		}
		claims, err := verifyToken(t.Context(), ts, "sigstore", value)
		if err != nil {
			t.Fatalf("bearer %s: %v", tc.bearer, err)
		}
		if claims["run_id"] != tc.wantRun || claims["run_attempt"] != tc.wantTries || claims["repository"] != "octo-org/octo-repo" {
			t.Errorf("bearer %s: run_id %v, run_attempt %v, repository %v; want %s, %s, octo-org/octo-repo",
				tc.bearer, claims["run_id"], claims["run_attempt"], claims["repository"], tc.wantRun, tc.wantTries)
		}
	}
}

// TestServer_jobsEndpoint: with WithJobsEndpoint, POST /_jobs with the
// configured request token registers a job whose request token then gets
// tokens with its claims; without that token, with another method, a body
// that is not an object of strings, or a claim that makes a token valid,
// nothing is registered. Without the option there is no such endpoint.
func TestServer_jobsEndpoint(t *testing.T) {
	t.Parallel()
	off := fakeoidc.NewTestServer(t, checked...)
	ts := fakeoidc.NewTestServer(t, append(checked, fakeoidc.WithJobsEndpoint())...)
	post := func(method, bearer, body string) *http.Response {
		return postJob(t, ts, method, bearer, body)
	}
	if resp := postJob(t, off, http.MethodPost, "s3cret", `{"run_id":"1"}`); resp.StatusCode != http.StatusNotFound || off.Jobs() != 0 {
		t.Errorf("without WithJobsEndpoint: status %d, %d jobs; want 404 and none", resp.StatusCode, off.Jobs())
	}
	for _, tc := range []struct {
		method, bearer, body string
		want                 int
	}{
		{http.MethodPost, "wrong", `{"run_id":"1"}`, http.StatusUnauthorized},
		{http.MethodGet, "s3cret", ``, http.StatusMethodNotAllowed},
		{http.MethodPost, "s3cret", `["run_id"]`, http.StatusBadRequest},
		{http.MethodPost, "s3cret", `null`, http.StatusBadRequest},
		{http.MethodPost, "s3cret", `{"run_id":null}`, http.StatusBadRequest},
		{http.MethodPost, "s3cret", `{"run_id":7}`, http.StatusBadRequest},
		{http.MethodPost, "s3cret", `{"run_id":"1","aud":"other"}`, http.StatusBadRequest},
		{http.MethodPost, "s3cret", `{"exp":"9999999999"}`, http.StatusBadRequest},
	} {
		if resp := post(tc.method, tc.bearer, tc.body); resp.StatusCode != tc.want {
			t.Errorf("%s /_jobs as %s with %s: status %d, want %d", tc.method, tc.bearer, tc.body, resp.StatusCode, tc.want)
		}
	}
	if n := ts.Jobs(); n != 0 {
		t.Fatalf("%d jobs registered by refused requests; want none", n)
	}
	resp := post(http.MethodPost, "s3cret", `{"run_id":"4242","run_attempt":"3"}`)
	var created struct {
		RequestToken string `json:"request_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&created); err != nil || resp.StatusCode != http.StatusCreated || created.RequestToken == "" {
		t.Fatalf("POST /_jobs: status %d, body error %v, token %q; want 201 and a token", resp.StatusCode, err, created.RequestToken)
	}
	status, value := jobToken(t, ts, created.RequestToken)
	if status != http.StatusOK {
		t.Fatalf("token with the new job's request token: status %d", status)
	}
	claims, err := verifyToken(t.Context(), ts, "sigstore", value)
	if err != nil {
		t.Fatal(err)
	}
	if claims["run_id"] != "4242" || claims["run_attempt"] != "3" {
		t.Errorf("run_id %v, run_attempt %v; want 4242, 3", claims["run_id"], claims["run_attempt"])
	}
}

// postJob sends a request to ts's /_jobs endpoint.
func postJob(t *testing.T, ts *fakeoidc.TestServer, method, bearer, body string) *http.Response {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, ts.URL+"/_jobs", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+bearer)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// jobToken asks ts's token endpoint for a sigstore token with bearer
// and returns the status and, on 200, the token.
func jobToken(t *testing.T, ts *fakeoidc.TestServer, bearer string) (status int, value string) {
	t.Helper()
	resp := do(t, http.MethodGet, ts.TokenRequestURL()+"&audience=sigstore", map[string]string{"Authorization": "Bearer " + bearer})
	var body struct{ Value string }
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil && resp.StatusCode == http.StatusOK {
		t.Fatalf("token response: %v", err)
	}
	return resp.StatusCode, body.Value
}
