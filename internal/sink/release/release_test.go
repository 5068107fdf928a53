package release_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/provenant/provenant/internal/sink/release"
	"github.com/provenant/provenant/internal/testing/fakegithub"
)

var twoAssets = []release.Asset{
	{Name: "app.intoto.jsonl", Data: []byte(`{"line":1}` + "\n"), ContentType: "application/jsonl"},
	{Name: "app.sigstore.json", Data: []byte(`{"bundle":1}`)},
}

var twoContents = map[string]string{"app.intoto.jsonl": `{"line":1}` + "\n", "app.sigstore.json": `{"bundle":1}`}

// actions lists the Action of each result.
func actions(u *release.Uploaded) []string {
	if u == nil {
		return nil
	}
	var out []string
	for _, a := range u.Assets {
		out = append(out, a.Action)
	}
	return out
}

func TestUploader_FindsRelease(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		// seed creates releases and returns the id of the one Upload must use.
		seed         func(t *testing.T, e *env) int64
		wantRequests map[string]int
	}{
		{
			name: "by_tag",
			seed: func(t *testing.T, e *env) int64 {
				e.seedRelease(t, fakegithub.Release{Tag: "v0.9.0"}, nil)
				return e.seedRelease(t, fakegithub.Release{Tag: "v1.0.0"}, nil)
			},
			wantRequests: map[string]int{fakegithub.EndpointGetReleaseByTag: 1, fakegithub.EndpointListAssets: 1, fakegithub.EndpointUploadAsset: 2},
		},
		{
			// 150 releases listed newest first; the target, a draft that
			// GET-by-tag cannot see, is 140th in the list, on page 2.
			name: "draft_beyond_first_100",
			seed: func(t *testing.T, e *env) int64 {
				ids, err := e.fake.CreateReleases(owner, repo, 150, func(i int) fakegithub.Release {
					if i == 11 {
						return fakegithub.Release{Tag: "v1.0.0", Draft: true}
					}
					return fakegithub.Release{Tag: fmt.Sprintf("v0.0.%d", i)}
				})
				if err != nil {
					t.Fatal(err)
				}
				if got := e.fake.Releases(owner, repo)[139].ID; got != ids[10] {
					t.Fatalf("the target is not 140th in the list")
				}
				return ids[10]
			},
			wantRequests: map[string]int{fakegithub.EndpointGetReleaseByTag: 1, fakegithub.EndpointListReleases: 2,
				fakegithub.EndpointListAssets: 1, fakegithub.EndpointUploadAsset: 2},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := setup(t, fakegithub.Repo{})
			id := tc.seed(t, e)
			got, err := e.uploader().Upload(t.Context(), release.Options{Tag: "v1.0.0", Create: true}, twoAssets)
			if err != nil {
				t.Fatalf("Upload: %v", err)
			}
			rel := e.release(t, id)
			want := &release.Uploaded{ReleaseID: id, ReleaseURL: e.url + "/octo-org/octo-repo/releases/tag/" + webTag(rel), Assets: []release.AssetResult{
				{Name: "app.intoto.jsonl", URL: downloadURL(e, rel, "app.intoto.jsonl"), Action: "uploaded"},
				{Name: "app.sigstore.json", URL: downloadURL(e, rel, "app.sigstore.json"), Action: "uploaded"},
			}}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("Upload mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(twoContents, contents(rel)); diff != "" {
				t.Errorf("assets mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantRequests, e.fake.RequestCounts()); diff != "" {
				t.Errorf("requests mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// webTag is the tag in a release's web URLs ("untagged-…" for drafts).
func webTag(r fakegithub.Release) string {
	if r.Draft {
		return fmt.Sprintf("untagged-%016x", r.ID*0x9E3779B1)
	}
	return r.Tag
}

func downloadURL(e *env, r fakegithub.Release, name string) string {
	return e.url + "/octo-org/octo-repo/releases/download/" + webTag(r) + "/" + name
}

func TestUploader_CreatesRelease(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		repo      fakegithub.Repo
		draft     string
		create    bool
		wantDraft bool
		wantErrIs error
	}{
		{name: "draft_true", draft: "true", create: true, wantDraft: true},
		{name: "draft_empty_publishes", draft: "", create: true},
		{name: "draft_false_publishes", draft: "false", create: true},
		{name: "draft_other_publishes", draft: "yes", create: true},
		{name: "draft_in_immutable_repo", repo: fakegithub.Repo{ImmutableReleases: true}, draft: "true", create: true, wantDraft: true},
		{name: "published_in_immutable_repo", repo: fakegithub.Repo{ImmutableReleases: true}, create: true, wantErrIs: release.ErrImmutable},
		{name: "create_off", draft: "true", wantErrIs: release.ErrReleaseNotFound},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := setup(t, tc.repo)
			got, err := e.uploader().Upload(t.Context(), release.Options{Tag: "v1.0.0", Draft: tc.draft, Create: tc.create}, twoAssets)
			if !errors.Is(err, tc.wantErrIs) {
				t.Fatalf("Upload error = %v, want %v", err, tc.wantErrIs)
			}
			rels := e.fake.Releases(owner, repo)
			if tc.wantErrIs == release.ErrReleaseNotFound {
				if len(rels) != 0 {
					t.Errorf("a release was created: %+v", rels)
				}
				return
			}
			if len(rels) != 1 || rels[0].Tag != "v1.0.0" || rels[0].Draft != tc.wantDraft || !got.Created || got.ReleaseID != rels[0].ID {
				t.Fatalf("Upload = %+v; releases %+v; want one, draft %v", got, rels, tc.wantDraft)
			}
			if tc.wantErrIs == nil {
				if diff := cmp.Diff(twoContents, contents(rels[0])); diff != "" {
					t.Errorf("assets mismatch (-want +got):\n%s", diff)
				}
			} else if !strings.Contains(err.Error(), "draft") {
				t.Errorf("error %q does not say to use a draft", err)
			}
		})
	}
}

func TestUploader_ExistingAssets(t *testing.T) {
	t.Parallel()
	const name = "app.intoto.jsonl"
	asset := []release.Asset{{Name: name, Data: []byte("new")}}
	cases := []struct {
		name         string
		fakeOpts     []fakegithub.Option
		seed         fakegithub.Release
		existing     string
		overwrite    bool
		wantActions  []string
		wantContent  string
		wantErrIs    error
		wantRequests map[string]int // only the endpoints listed are checked
	}{
		{name: "identical_by_digest", seed: fakegithub.Release{Tag: "v1"}, existing: "new", wantActions: []string{"unchanged"}, wantContent: "new",
			wantRequests: map[string]int{fakegithub.EndpointGetAsset: 0, fakegithub.EndpointUploadAsset: 0, fakegithub.EndpointDeleteAsset: 0}},
		{name: "identical_by_download", fakeOpts: []fakegithub.Option{fakegithub.WithoutAssetDigests()}, seed: fakegithub.Release{Tag: "v1"},
			existing: "new", wantActions: []string{"unchanged"}, wantContent: "new",
			wantRequests: map[string]int{fakegithub.EndpointGetAsset: 1, fakegithub.EndpointUploadAsset: 0}},
		{name: "different_without_overwrite", seed: fakegithub.Release{Tag: "v1"}, existing: "old", wantContent: "old", wantErrIs: release.ErrAssetExists},
		{name: "different_by_download", fakeOpts: []fakegithub.Option{fakegithub.WithoutAssetDigests()}, seed: fakegithub.Release{Tag: "v1"},
			existing: "nex", wantContent: "nex", wantErrIs: release.ErrAssetExists},
		{name: "different_with_overwrite", seed: fakegithub.Release{Tag: "v1"}, existing: "old", overwrite: true, wantActions: []string{"replaced"}, wantContent: "new",
			wantRequests: map[string]int{fakegithub.EndpointDeleteAsset: 1, fakegithub.EndpointUploadAsset: 1}},
		{name: "immutable_identical", seed: fakegithub.Release{Tag: "v1", Immutable: true}, existing: "new", wantActions: []string{"unchanged"}, wantContent: "new"},
		{name: "immutable_different", seed: fakegithub.Release{Tag: "v1", Immutable: true}, existing: "old", overwrite: true, wantContent: "old", wantErrIs: release.ErrImmutable,
			wantRequests: map[string]int{fakegithub.EndpointDeleteAsset: 0, fakegithub.EndpointUploadAsset: 0}},
		{name: "immutable_missing", seed: fakegithub.Release{Tag: "v1", Immutable: true}, wantErrIs: release.ErrImmutable},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := setup(t, fakegithub.Repo{}, tc.fakeOpts...)
			seeded := map[string]string{}
			if tc.existing != "" {
				seeded[name] = tc.existing
			}
			id := e.seedRelease(t, tc.seed, seeded)
			got, err := e.uploader().Upload(t.Context(), release.Options{Tag: "v1", Overwrite: tc.overwrite, Create: true}, asset)
			if !errors.Is(err, tc.wantErrIs) {
				t.Fatalf("Upload error = %v, want %v", err, tc.wantErrIs)
			}
			if err != nil && !strings.Contains(err.Error(), name) {
				t.Errorf("error %q does not name the asset", err)
			}
			if diff := cmp.Diff(tc.wantActions, actions(got)); diff != "" {
				t.Errorf("actions mismatch (-want +got):\n%s", diff)
			}
			want := map[string]string{}
			if tc.wantContent != "" {
				want[name] = tc.wantContent
			}
			if diff := cmp.Diff(want, contents(e.release(t, id))); diff != "" {
				t.Errorf("assets mismatch (-want +got):\n%s", diff)
			}
			for ep, n := range tc.wantRequests {
				if got := e.fake.Requests(ep); got != n {
					t.Errorf("requests to %s = %d, want %d", ep, got, n)
				}
			}
		})
	}
}

func TestUploader_Messages(t *testing.T) {
	t.Parallel()
	e := setup(t, fakegithub.Repo{})
	e.seedRelease(t, fakegithub.Release{Tag: "v1"}, map[string]string{"app.intoto.jsonl": "old"})
	_, err := e.uploader().Upload(t.Context(), release.Options{Tag: "v1"}, []release.Asset{{Name: "app.intoto.jsonl", Data: []byte("new")}})
	for _, want := range []string{`"app.intoto.jsonl"`, "overwrite-assets: true"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v does not contain %q", err, want)
		}
	}
	e2 := setup(t, fakegithub.Repo{})
	e2.seedRelease(t, fakegithub.Release{Tag: "v1", Immutable: true}, nil)
	_, err = e2.uploader().Upload(t.Context(), release.Options{Tag: "v1"}, twoAssets)
	for _, want := range []string{"immutable", "cannot be changed", "draft"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v does not contain %q", err, want)
		}
	}
}

func TestUploader_Validation(t *testing.T) {
	t.Parallel()
	e := setup(t, fakegithub.Repo{})
	cases := []struct {
		name    string
		opts    release.Options
		assets  []release.Asset
		wantErr string
	}{
		{"no_tag", release.Options{}, twoAssets, "no release tag"},
		{"duplicate_names", release.Options{Tag: "v1"}, []release.Asset{{Name: "a"}, {Name: "a"}}, `asset "a" is given twice`},
		{"path_name", release.Options{Tag: "v1"}, []release.Asset{{Name: "dir/a"}}, "not a plain file name"},
	}
	t.Cleanup(func() {
		if n := len(e.fake.RequestCounts()); n != 0 {
			t.Errorf("invalid calls made %d kinds of requests", n)
		}
	})
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := e.uploader().Upload(t.Context(), tc.opts, tc.assets)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("Upload error = %v, want %q", err, tc.wantErr)
			}
		})
	}
}
