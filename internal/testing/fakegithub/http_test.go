package fakegithub_test

import (
	"net/http"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/provenant/provenant/internal/testing/fakegithub"
)

func TestServer_Auth(t *testing.T) {
	t.Parallel()
	ts := newServer(t, fakegithub.Repo{})
	url := ts.APIURL + "/repos/octo-org/octo-repo/releases"
	cases := []struct {
		name       string
		auth       string
		wantStatus int
		wantMsg    string
	}{
		{"bearer", "Bearer " + fakegithub.DefaultToken, http.StatusOK, ""},
		{"token_scheme", "token " + fakegithub.DefaultToken, http.StatusOK, ""},
		{"lower_case_scheme", "bearer " + fakegithub.DefaultToken, http.StatusOK, ""},
		{"missing", "", http.StatusUnauthorized, "Requires authentication"},
		{"wrong_token", "Bearer nope", http.StatusUnauthorized, "Bad credentials"},
		{"basic_scheme", "Basic " + fakegithub.DefaultToken, http.StatusUnauthorized, "Bad credentials"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := send(t, "GET", url, tc.auth, nil)
			if got.status != tc.wantStatus {
				t.Fatalf("status = %d, want %d; body %s", got.status, tc.wantStatus, got.body)
			}
			if tc.wantMsg == "" {
				return
			}
			want := errorDoc{Message: tc.wantMsg, DocumentationURL: "https://docs.github.com/rest", Status: "401"}
			if diff := cmp.Diff(want, decode[errorDoc](t, got.body)); diff != "" {
				t.Errorf("body mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestServer_Headers(t *testing.T) {
	t.Parallel()
	ts := newServer(t, fakegithub.Repo{})
	for i := 1; i <= 2; i++ {
		got := api(t, "GET", ts.APIURL+"/repos/octo-org/octo-repo/releases", nil)
		h := got.header
		if ct := h.Get("Content-Type"); ct != "application/json; charset=utf-8" {
			t.Errorf("Content-Type = %q", ct)
		}
		if id := h.Get("X-GitHub-Request-Id"); !regexp.MustCompile(`^[0-9A-F]{4}(:[0-9A-F]+){4}$`).MatchString(id) {
			t.Errorf("X-GitHub-Request-Id = %q", id)
		}
		want := map[string]string{
			"X-RateLimit-Limit": "5000", "X-RateLimit-Remaining": strconv.Itoa(5000 - i),
			"X-RateLimit-Used": strconv.Itoa(i), "X-RateLimit-Resource": "core",
		}
		gotRate := map[string]string{}
		for k := range want {
			gotRate[k] = h.Get(k)
		}
		if diff := cmp.Diff(want, gotRate); diff != "" {
			t.Errorf("request %d: rate headers mismatch (-want +got):\n%s", i, diff)
		}
		reset, err := strconv.ParseInt(h.Get("X-RateLimit-Reset"), 10, 64)
		if err != nil || time.Until(time.Unix(reset, 0)) < 59*time.Minute {
			t.Errorf("X-RateLimit-Reset = %q, want about an hour ahead", h.Get("X-RateLimit-Reset"))
		}
	}
}

func TestServer_PrimaryRateLimit(t *testing.T) {
	t.Parallel()
	ts := newServer(t, fakegithub.Repo{}, fakegithub.WithRateLimit(2))
	url := ts.APIURL + "/repos/octo-org/octo-repo/releases"
	var statuses []int
	var last reply
	for range 3 {
		last = api(t, "GET", url, nil)
		statuses = append(statuses, last.status)
	}
	if diff := cmp.Diff([]int{200, 200, 403}, statuses); diff != "" {
		t.Errorf("statuses mismatch (-want +got):\n%s", diff)
	}
	if r := last.header.Get("X-RateLimit-Remaining"); r != "0" {
		t.Errorf("X-RateLimit-Remaining = %q, want 0", r)
	}
	if msg := decode[errorDoc](t, last.body).Message; !regexp.MustCompile(`^API rate limit exceeded`).MatchString(msg) {
		t.Errorf("message = %q", msg)
	}
}

func TestServer_NotFound(t *testing.T) {
	t.Parallel()
	ts := newServer(t, fakegithub.Repo{}, fakegithub.WithAPIPrefix("/api/v3"))
	cases := []struct {
		name, method, path, wantDoc string
	}{
		{"unknown_repo", "GET", "/api/v3/repos/octo-org/nope/releases", "https://docs.github.com/rest/releases/releases#list-releases"},
		{"unknown_tag", "GET", "/api/v3/repos/octo-org/octo-repo/releases/tags/v9", "https://docs.github.com/rest/releases/releases#get-a-release-by-tag-name"},
		{"unknown_release", "GET", "/api/v3/repos/octo-org/octo-repo/releases/12", "https://docs.github.com/rest/releases/releases#get-a-release"},
		{"unknown_asset", "DELETE", "/api/v3/repos/octo-org/octo-repo/releases/assets/12", "https://docs.github.com/rest/releases/assets#delete-a-release-asset"},
		{"outside_prefix", "GET", "/repos/octo-org/octo-repo/releases", "https://docs.github.com/rest"},
		{"wrong_method", "PUT", "/api/v3/repos/octo-org/octo-repo/releases", "https://docs.github.com/rest"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := api(t, tc.method, ts.URL+tc.path, nil)
			want := errorDoc{Message: "Not Found", DocumentationURL: tc.wantDoc, Status: "404"}
			if got.status != http.StatusNotFound {
				t.Fatalf("status = %d, want 404", got.status)
			}
			if diff := cmp.Diff(want, decode[errorDoc](t, got.body)); diff != "" {
				t.Errorf("body mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestServer_AutoCreateRepos(t *testing.T) {
	t.Parallel()
	ts := fakegithub.NewTestServer(t, fakegithub.WithAutoCreateRepos())
	got := api(t, "POST", ts.APIURL+"/repos/any/thing/releases", []byte(`{"tag_name":"v1"}`))
	if got.status != http.StatusCreated {
		t.Fatalf("status = %d, want 201; body %s", got.status, got.body)
	}
	if n := len(ts.Releases("any", "thing")); n != 1 {
		t.Errorf("releases = %d, want 1", n)
	}
}
