package fakegithub_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-github/v84/github"

	"github.com/provenant/provenant/internal/testing/fakegithub"
)

// seed150 creates v1 … v150, so the list (newest first) starts at v150.
func seed150(t *testing.T, ts *fakegithub.TestServer) {
	t.Helper()
	if _, err := ts.CreateReleases(owner, name, 150, func(i int) fakegithub.Release {
		return fakegithub.Release{Tag: fmt.Sprintf("v%d", i)}
	}); err != nil {
		t.Fatal(err)
	}
}

func TestServer_ListReleasesPagination(t *testing.T) {
	t.Parallel()
	ts := newServer(t, fakegithub.Repo{})
	seed150(t, ts)
	base := ts.APIURL + "/repos/octo-org/octo-repo/releases"
	link := func(q string) string { return "<" + base + "?" + q + ">" }
	cases := []struct {
		name      string
		query     string
		wantCount int
		wantFirst string
		wantLink  string
	}{
		{"default_30", "", 30, "v150", link("per_page=30&page=2") + `; rel="next", ` + link("per_page=30&page=5") + `; rel="last"`},
		{"first_of_two", "?per_page=100", 100, "v150", link("per_page=100&page=2") + `; rel="next", ` + link("per_page=100&page=2") + `; rel="last"`},
		{"last_of_two", "?per_page=100&page=2", 50, "v50", link("per_page=100&page=1") + `; rel="prev", ` + link("per_page=100&page=1") + `; rel="first"`},
		{"capped_at_100", "?per_page=500", 100, "v150", link("per_page=100&page=2") + `; rel="next", ` + link("per_page=100&page=2") + `; rel="last"`},
		{"middle", "?per_page=30&page=3", 30, "v90", link("per_page=30&page=2") + `; rel="prev", ` + link("per_page=30&page=4") + `; rel="next", ` +
			link("per_page=30&page=5") + `; rel="last", ` + link("per_page=30&page=1") + `; rel="first"`},
		{"beyond_last", "?per_page=100&page=3", 0, "", link("per_page=100&page=2") + `; rel="prev", ` + link("per_page=100&page=1") + `; rel="first"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := api(t, "GET", base+tc.query, nil)
			rels := decode[[]map[string]any](t, got.body)
			if len(rels) != tc.wantCount {
				t.Fatalf("got %d releases, want %d", len(rels), tc.wantCount)
			}
			if tc.wantCount > 0 && rels[0]["tag_name"] != tc.wantFirst {
				t.Errorf("first release = %v, want %s", rels[0]["tag_name"], tc.wantFirst)
			}
			if diff := cmp.Diff(tc.wantLink, got.header.Get("Link")); diff != "" {
				t.Errorf("Link mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestServer_GoGitHubPagination walks the list the way go-github users do.
func TestServer_GoGitHubPagination(t *testing.T) {
	t.Parallel()
	ts := newServer(t, fakegithub.Repo{}, fakegithub.WithAPIPrefix("/api/v3"))
	seed150(t, ts)
	c := newGitHubClient(t, ts)
	opt := &github.ListOptions{PerPage: 100}
	var tags []string
	var pages [][2]int
	for {
		rels, resp, err := c.Repositories.ListReleases(t.Context(), owner, name, opt)
		if err != nil {
			t.Fatal(err)
		}
		pages = append(pages, [2]int{resp.NextPage, resp.LastPage})
		for _, r := range rels {
			tags = append(tags, r.GetTagName())
		}
		if resp.NextPage == 0 {
			break
		}
		opt.Page = resp.NextPage
	}
	if diff := cmp.Diff([][2]int{{2, 2}, {0, 0}}, pages); diff != "" {
		t.Errorf("NextPage/LastPage mismatch (-want +got):\n%s", diff)
	}
	if len(tags) != 150 || tags[0] != "v150" || tags[149] != "v1" {
		t.Errorf("got %d tags from %v to %v", len(tags), tags[0], tags[len(tags)-1])
	}
	if n := ts.Requests(fakegithub.EndpointListReleases); n != 2 {
		t.Errorf("list requests = %d, want 2", n)
	}
}

func newGitHubClient(t *testing.T, ts *fakegithub.TestServer) *github.Client {
	t.Helper()
	c := github.NewClient(nil).WithAuthToken(fakegithub.DefaultToken)
	var err error
	c.BaseURL, err = url.Parse(ts.APIURL + "/")
	if err != nil {
		t.Fatal(err)
	}
	c.UploadURL, err = url.Parse(ts.URL + ts.UploadPrefix() + "/")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestServer_GetReleaseByTag(t *testing.T) {
	t.Parallel()
	ts := newServer(t, fakegithub.Repo{})
	published := mustRelease(t, ts, fakegithub.Release{Tag: "v1"})
	draft := mustRelease(t, ts, fakegithub.Release{Tag: "v2", Draft: true})
	mustRelease(t, ts, fakegithub.Release{Tag: "release/v3"})
	c := newGitHubClient(t, ts)
	cases := []struct {
		tag        string
		wantStatus int
	}{{"v1", 200}, {"v2", 404}, {"release/v3", 200}, {"v4", 404}}
	for _, tc := range cases {
		t.Run(strings.ReplaceAll(tc.tag, "/", "_"), func(t *testing.T) {
			t.Parallel()
			rel, resp, err := c.Repositories.GetReleaseByTag(t.Context(), owner, name, tc.tag)
			if resp == nil || resp.StatusCode != tc.wantStatus {
				t.Fatalf("GetReleaseByTag(%q) = %v, %v; want status %d", tc.tag, rel, err, tc.wantStatus)
			}
			if tc.wantStatus == 200 && rel.GetTagName() != tc.tag {
				t.Errorf("tag = %q, want %q", rel.GetTagName(), tc.tag)
			}
		})
	}
	// Drafts are reachable by id, and the list shows them.
	if rel, _, err := c.Repositories.GetRelease(t.Context(), owner, name, draft); err != nil || !rel.GetDraft() {
		t.Errorf("GetRelease(draft) = %v, %v", rel, err)
	}
	if rel, _, err := c.Repositories.GetRelease(t.Context(), owner, name, published); err != nil || rel.GetPublishedAt().IsZero() {
		t.Errorf("GetRelease(published) = %v, %v", rel, err)
	}
}

func TestServer_ReleaseJSON(t *testing.T) {
	t.Parallel()
	ts := newServer(t, fakegithub.Repo{}, fakegithub.WithAPIPrefix("/api/v3"))
	id := mustRelease(t, ts, fakegithub.Release{Tag: "v1", Name: "One"})
	got := decode[map[string]any](t, api(t, "GET", fmt.Sprintf("%s/repos/octo-org/octo-repo/releases/%d", ts.APIURL, id), nil).body)
	want := map[string]any{
		"url":         fmt.Sprintf("%s/api/v3/repos/octo-org/octo-repo/releases/%d", ts.URL, id),
		"assets_url":  fmt.Sprintf("%s/api/v3/repos/octo-org/octo-repo/releases/%d/assets", ts.URL, id),
		"upload_url":  fmt.Sprintf("%s/api/uploads/repos/octo-org/octo-repo/releases/%d/assets{?name,label}", ts.URL, id),
		"html_url":    ts.URL + "/octo-org/octo-repo/releases/tag/v1",
		"tag_name":    "v1",
		"name":        "One",
		"draft":       false,
		"immutable":   false,
		"prerelease":  false,
		"assets":      []any{},
		"tarball_url": ts.URL + "/api/v3/repos/octo-org/octo-repo/tarball/v1",
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			delete(got, k)
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("release JSON mismatch (-want +got):\n%s", diff)
	}
}

func TestServer_CreateRelease(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name       string
		seed       *fakegithub.Release
		body       string
		wantStatus int
		wantErrors []map[string]any
	}{
		{name: "created", body: `{"tag_name":"v1"}`, wantStatus: 201},
		{name: "draft", body: `{"tag_name":"v1","draft":true}`, wantStatus: 201},
		{name: "tag_taken", seed: &fakegithub.Release{Tag: "v1"}, body: `{"tag_name":"v1"}`, wantStatus: 422,
			wantErrors: []map[string]any{{"resource": "Release", "code": "already_exists", "field": "tag_name"}}},
		{name: "drafts_share_tags", seed: &fakegithub.Release{Tag: "v1", Draft: true}, body: `{"tag_name":"v1","draft":true}`, wantStatus: 201},
		{name: "no_tag", body: `{"name":"x"}`, wantStatus: 422,
			wantErrors: []map[string]any{{"resource": "Release", "code": "missing_field", "field": "tag_name"}}},
		{name: "not_json", body: `{`, wantStatus: 400},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ts := newServer(t, fakegithub.Repo{})
			if tc.seed != nil {
				mustRelease(t, ts, *tc.seed)
			}
			got := api(t, "POST", ts.APIURL+"/repos/octo-org/octo-repo/releases", []byte(tc.body))
			if got.status != tc.wantStatus {
				t.Fatalf("status = %d, want %d; body %s", got.status, tc.wantStatus, got.body)
			}
			if tc.wantStatus != 422 {
				return
			}
			doc := decode[errorDoc](t, got.body)
			if doc.Message != "Validation Failed" || doc.DocumentationURL != "https://docs.github.com/rest/releases/releases#create-a-release" {
				t.Errorf("body = %s", got.body)
			}
			if diff := cmp.Diff(tc.wantErrors, doc.Errors); diff != "" {
				t.Errorf("errors mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestServer_UpdateRelease(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name          string
		repo          fakegithub.Repo
		seed          fakegithub.Release
		body          string
		wantStatus    int
		wantImmutable bool
	}{
		{name: "publish", seed: fakegithub.Release{Tag: "v1", Draft: true}, body: `{"draft":false}`, wantStatus: 200},
		{name: "publish_makes_immutable", repo: fakegithub.Repo{ImmutableReleases: true}, seed: fakegithub.Release{Tag: "v1", Draft: true},
			body: `{"draft":false}`, wantStatus: 200, wantImmutable: true},
		{name: "immutable_keeps_state", seed: fakegithub.Release{Tag: "v1", Immutable: true}, body: `{"draft":true}`, wantStatus: 422, wantImmutable: true},
		{name: "immutable_keeps_tag", seed: fakegithub.Release{Tag: "v1", Immutable: true}, body: `{"tag_name":"v2"}`, wantStatus: 422, wantImmutable: true},
		{name: "immutable_renamed", seed: fakegithub.Release{Tag: "v1", Immutable: true}, body: `{"name":"New"}`, wantStatus: 200, wantImmutable: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ts := newServer(t, tc.repo)
			id := mustRelease(t, ts, tc.seed)
			got := api(t, "PATCH", fmt.Sprintf("%s/repos/octo-org/octo-repo/releases/%d", ts.APIURL, id), []byte(tc.body))
			if got.status != tc.wantStatus {
				t.Fatalf("status = %d, want %d; body %s", got.status, tc.wantStatus, got.body)
			}
			if rel := ts.Releases(owner, name)[0]; rel.Immutable != tc.wantImmutable {
				t.Errorf("immutable = %v, want %v", rel.Immutable, tc.wantImmutable)
			}
		})
	}
}

func TestServer_RequestCounts(t *testing.T) {
	t.Parallel()
	ts := newServer(t, fakegithub.Repo{})
	api(t, "GET", ts.APIURL+"/repos/octo-org/octo-repo/releases/tags/v1", nil)
	api(t, "GET", ts.APIURL+"/repos/octo-org/octo-repo/releases", nil)
	send(t, "GET", ts.APIURL+"/repos/octo-org/octo-repo/releases", "", nil)
	want := map[string]int{fakegithub.EndpointGetReleaseByTag: 1, fakegithub.EndpointListReleases: 2}
	if diff := cmp.Diff(want, ts.RequestCounts()); diff != "" {
		t.Errorf("RequestCounts mismatch (-want +got):\n%s", diff)
	}
	if got := send(t, "GET", ts.URL+"/_fake/state", "", nil); got.status != http.StatusOK || !strings.Contains(string(got.body), `"octo-repo"`) {
		t.Errorf("GET /_fake/state = %d %s", got.status, got.body)
	}
}
