package fakegithub_test

import (
	"crypto/sha256"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/provenant/provenant/internal/testing/fakegithub"
)

// uploadURL expands a release's upload_url template the way clients do.
func uploadURL(t *testing.T, ts *fakegithub.TestServer, id int64, assetName string) string {
	t.Helper()
	rel := decode[map[string]any](t, api(t, "GET", fmt.Sprintf("%s/repos/octo-org/octo-repo/releases/%d", ts.APIURL, id), nil).body)
	tmpl, _ := rel["upload_url"].(string)
	base, ok := strings.CutSuffix(tmpl, "{?name,label}")
	if !ok {
		t.Fatalf("upload_url %q does not end in {?name,label}", tmpl)
	}
	return base + "?name=" + assetName
}

func TestServer_Upload(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name       string
		seed       fakegithub.Release
		existing   string // an asset already there
		wantStatus int
		wantDoc    errorDoc
	}{
		{name: "created", seed: fakegithub.Release{Tag: "v1"}, wantStatus: 201},
		{name: "draft", seed: fakegithub.Release{Tag: "v1", Draft: true}, wantStatus: 201},
		{name: "duplicate_name", seed: fakegithub.Release{Tag: "v1"}, existing: "a.intoto.jsonl", wantStatus: 422,
			wantDoc: errorDoc{Message: "Validation Failed", DocumentationURL: "https://docs.github.com/rest",
				Errors: []map[string]any{{"resource": "ReleaseAsset", "code": "already_exists", "field": "name"}}}},
		{name: "immutable", seed: fakegithub.Release{Tag: "v1", Immutable: true}, wantStatus: 422,
			wantDoc: errorDoc{Message: "Cannot upload assets to an immutable release.", DocumentationURL: "https://docs.github.com/rest"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ts := newServer(t, fakegithub.Repo{}, fakegithub.WithAPIPrefix("/api/v3"))
			id := mustRelease(t, ts, tc.seed)
			if tc.existing != "" {
				if _, err := ts.AddAsset(owner, name, id, tc.existing, "", []byte("old")); err != nil {
					t.Fatal(err)
				}
			}
			got := api(t, "POST", uploadURL(t, ts, id, "a.intoto.jsonl"), []byte("data"), "Content-Type", "application/jsonl")
			if got.status != tc.wantStatus {
				t.Fatalf("status = %d, want %d; body %s", got.status, tc.wantStatus, got.body)
			}
			if tc.wantStatus == 201 {
				checkUploaded(t, ts, got)
				return
			}
			doc := decode[errorDoc](t, got.body)
			if doc.RequestID == "" || doc.RequestID != got.header.Get("X-GitHub-Request-Id") {
				t.Errorf("request_id = %q, header %q", doc.RequestID, got.header.Get("X-GitHub-Request-Id"))
			}
			doc.RequestID = ""
			if diff := cmp.Diff(tc.wantDoc, doc); diff != "" {
				t.Errorf("body mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func checkUploaded(t *testing.T, ts *fakegithub.TestServer, got reply) {
	t.Helper()
	a := decode[map[string]any](t, got.body)
	want := map[string]any{
		"name": "a.intoto.jsonl", "state": "uploaded", "size": float64(4), "content_type": "application/jsonl",
		"digest": fmt.Sprintf("sha256:%x", sha256.Sum256([]byte("data"))),
	}
	for k := range want {
		if a[k] != want[k] {
			t.Errorf("asset %s = %v, want %v", k, a[k], want[k])
		}
	}
	rels := ts.Releases(owner, name)
	if len(rels[0].Assets) != 1 || string(rels[0].Assets[0].Data) != "data" {
		t.Errorf("stored assets = %+v", rels[0].Assets)
	}
}

func TestServer_DeleteAsset(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name       string
		seed       fakegithub.Release
		wantStatus int
		wantLeft   int
	}{
		{"deleted", fakegithub.Release{Tag: "v1"}, 204, 0},
		{"immutable", fakegithub.Release{Tag: "v1", Immutable: true}, 422, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ts := newServer(t, fakegithub.Repo{})
			id := mustRelease(t, ts, tc.seed)
			aid, err := ts.AddAsset(owner, name, id, "a.txt", "text/plain", []byte("x"))
			if err != nil {
				t.Fatal(err)
			}
			got := api(t, "DELETE", fmt.Sprintf("%s/repos/octo-org/octo-repo/releases/assets/%d", ts.APIURL, aid), nil)
			if got.status != tc.wantStatus {
				t.Fatalf("status = %d, want %d; body %s", got.status, tc.wantStatus, got.body)
			}
			if tc.wantStatus == 422 {
				if msg := decode[errorDoc](t, got.body).Message; msg != "Cannot delete asset from an immutable release." {
					t.Errorf("message = %q", msg)
				}
			}
			if n := len(ts.Releases(owner, name)[0].Assets); n != tc.wantLeft {
				t.Errorf("assets left = %d, want %d", n, tc.wantLeft)
			}
		})
	}
}

func TestServer_Download(t *testing.T) {
	t.Parallel()
	for _, private := range []bool{false, true} {
		t.Run(fmt.Sprintf("private_%v", private), func(t *testing.T) {
			t.Parallel()
			ts := newServer(t, fakegithub.Repo{Private: private})
			id := mustRelease(t, ts, fakegithub.Release{Tag: "v1"})
			aid, err := ts.AddAsset(owner, name, id, "a.txt", "text/plain", []byte("hello"))
			if err != nil {
				t.Fatal(err)
			}
			assetURL := fmt.Sprintf("%s/repos/octo-org/octo-repo/releases/assets/%d", ts.APIURL, aid)
			redirect := api(t, "GET", assetURL, nil, "Accept", "application/octet-stream")
			if redirect.status != http.StatusFound {
				t.Fatalf("status = %d, want 302", redirect.status)
			}
			loc := redirect.header.Get("Location")
			if got := send(t, "GET", loc, "", nil); got.status != 200 || string(got.body) != "hello" {
				t.Errorf("GET signed URL = %d %q", got.status, got.body)
			}
			if got := send(t, "GET", loc+"0", "", nil); got.status != http.StatusForbidden {
				t.Errorf("GET tampered URL = %d, want 403", got.status)
			}
			meta := decode[map[string]any](t, api(t, "GET", assetURL, nil).body)
			browser, _ := meta["browser_download_url"].(string)
			if browser != ts.URL+"/octo-org/octo-repo/releases/download/v1/a.txt" {
				t.Errorf("browser_download_url = %q", browser)
			}
			wantAnon := http.StatusOK
			if private {
				wantAnon = http.StatusUnauthorized
			}
			if got := send(t, "GET", browser, "", nil); got.status != wantAnon {
				t.Errorf("anonymous download = %d, want %d", got.status, wantAnon)
			}
			if got := api(t, "GET", browser, nil); got.status != 200 || string(got.body) != "hello" {
				t.Errorf("download with token = %d %q", got.status, got.body)
			}
		})
	}
}
