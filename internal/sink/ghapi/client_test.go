package ghapi_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/provenant/provenant/internal/sink/ghapi"
	"github.com/provenant/provenant/internal/testing/fakegithub"
)

func TestNewClient(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name       string
		apiURL     string
		wantBase   string
		wantUpload string
		wantErr    string
	}{
		{name: "default", apiURL: "", wantBase: "https://api.github.com/", wantUpload: "https://uploads.github.com/"},
		{name: "github_com", apiURL: "https://api.github.com", wantBase: "https://api.github.com/", wantUpload: "https://uploads.github.com/"},
		{name: "ghe_com", apiURL: "https://api.octo.ghe.com", wantBase: "https://api.octo.ghe.com/", wantUpload: "https://uploads.octo.ghe.com/"},
		{name: "ghes", apiURL: "https://ghes.example.com/api/v3", wantBase: "https://ghes.example.com/api/v3/", wantUpload: "https://ghes.example.com/api/uploads/"},
		{name: "ghes_trailing_slash", apiURL: "https://ghes.example.com/api/v3/", wantBase: "https://ghes.example.com/api/v3/", wantUpload: "https://ghes.example.com/api/uploads/"},
		{name: "other", apiURL: "http://127.0.0.1:8080", wantBase: "http://127.0.0.1:8080/", wantUpload: "http://127.0.0.1:8080/"},
		{name: "not_http", apiURL: "ftp://example.com", wantErr: "not an http or https URL"},
		{name: "no_host", apiURL: "https:///api/v3", wantErr: "has no host"},
		{name: "credentials", apiURL: "https://user:hunter2@ghes.example.com/api/v3", wantErr: "must not carry credentials"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, err := ghapi.NewClient(tc.apiURL, "t", nil)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || strings.Contains(err.Error(), "hunter2") {
					t.Fatalf("NewClient error = %v, want %q without the password", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := [2]string{c.BaseURL.String(), c.UploadURL.String()}
			if diff := cmp.Diff([2]string{tc.wantBase, tc.wantUpload}, got); diff != "" {
				t.Errorf("URLs mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestNewClient_EmptyToken(t *testing.T) {
	t.Parallel()
	if _, err := ghapi.NewClient("", "", nil); err == nil {
		t.Error("NewClient accepted an empty token")
	}
}

// TestNewClient_Transport checks that requests go through the given
// transport with the token and a timeout.
func TestNewClient_Transport(t *testing.T) {
	t.Parallel()
	ts := fakegithub.NewTestServer(t, fakegithub.WithAutoCreateRepos())
	var seen []string
	rt := roundTripper(func(r *http.Request) (*http.Response, error) {
		seen = append(seen, r.Header.Get("Authorization"))
		return http.DefaultTransport.RoundTrip(r)
	})
	c, err := ghapi.NewClient(ts.APIURL, fakegithub.DefaultToken, rt)
	if err != nil {
		t.Fatal(err)
	}
	if c.Client().Timeout != ghapi.ClientTimeout {
		t.Errorf("timeout = %v, want %v", c.Client().Timeout, ghapi.ClientTimeout)
	}
	if _, _, err := c.Repositories.ListReleases(t.Context(), "o", "r", nil); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"Bearer " + fakegithub.DefaultToken}, seen); diff != "" {
		t.Errorf("Authorization mismatch (-want +got):\n%s", diff)
	}
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
