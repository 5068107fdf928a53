package fakeoidc_test

import (
	"encoding/json"
	"net/http"
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
		req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, ts.TokenRequestURL()+"&audience=sigstore", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+tc.bearer)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var body struct{ Value string }
		err = json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if resp.StatusCode != tc.wantStatus {
			t.Errorf("bearer %s: status %d, want %d", tc.bearer, resp.StatusCode, tc.wantStatus)
			continue
		}
		if tc.wantStatus != 200 {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		claims, err := verifyToken(t.Context(), ts, "sigstore", body.Value)
		if err != nil {
			t.Fatalf("bearer %s: %v", tc.bearer, err)
		}
		if claims["run_id"] != tc.wantRun || claims["run_attempt"] != tc.wantTries || claims["repository"] != "octo-org/octo-repo" {
			t.Errorf("bearer %s: run_id %v, run_attempt %v, repository %v; want %s, %s, octo-org/octo-repo",
				tc.bearer, claims["run_id"], claims["run_attempt"], claims["repository"], tc.wantRun, tc.wantTries)
		}
	}
}
