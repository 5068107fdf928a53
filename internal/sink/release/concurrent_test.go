package release_test

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/provenant/provenant/internal/sink/ghapi"
	"github.com/provenant/provenant/internal/sink/release"
	"github.com/provenant/provenant/internal/testing/fakegithub"
)

// concurrentRuns is how many runs upload at once, and rounds how often
// each scenario is repeated so that a race shows.
const (
	concurrentRuns = 8
	rounds         = 15
)

// attestationJSON is a minimal bundle whose statement names subjects and
// the workflow run (SLSA v1's invocationId), as the same-run check reads
// it.
func attestationJSON(t *testing.T, runID string, attempt int, nonce string, subjects ...string) string {
	t.Helper()
	var subs []any
	for _, s := range subjects {
		subs = append(subs, map[string]any{"name": s, "digest": map[string]string{"sha256": strings.Repeat("ab", 32)}})
	}
	st, err := json.Marshal(map[string]any{"subject": subs, "predicate": map[string]any{"runDetails": map[string]any{
		"metadata": map[string]any{"invocationId": fmt.Sprintf("https://github.com/%s/%s/actions/runs/%s/attempts/%d", owner, repo, runID, attempt)},
	}}, "nonce": nonce})
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(map[string]any{"dsseEnvelope": map[string]any{"payload": base64.StdEncoding.EncodeToString(st)}})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// job is one concurrent run's upload.
type job struct {
	opts   release.Options
	assets []release.Asset
}

// runJobs uploads every job at once, each with its own Uploader, and
// returns their errors.
func runJobs(t *testing.T, e *env, jobs []job) []error {
	errs := make([]error, len(jobs))
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i, j := range jobs {
		wg.Go(func() {
			<-start
			// One client per run, as runs are separate processes (and
			// go-github's DownloadReleaseAsset swaps the redirect policy
			// of the client it is given, so a client is not shared
			// between goroutines that download).
			c, err := ghapi.NewClient(e.url+"/api/v3", fakegithub.DefaultToken, nil)
			if err != nil {
				errs[i] = err
				return
			}
			u, err := release.New(c, owner, repo, release.WithSleep(e.sleeps.sleep))
			if err != nil {
				errs[i] = err
				return
			}
			_, errs[i] = u.Upload(t.Context(), j.opts, j.assets)
		})
	}
	close(start)
	wg.Wait()
	return errs
}

// releasesFor returns the fake's releases for tag, drafts included.
func releasesFor(e *env, tag string) []fakegithub.Release {
	var out []fakegithub.Release
	for _, r := range e.fake.Releases(owner, repo) {
		if r.Tag == tag {
			out = append(out, r)
		}
	}
	return out
}

// TestUploader_concurrentRunsIntoOneRelease runs eight uploads at once
// into one release that does not exist yet, each attesting its own
// subject, published and draft: every asset arrives exactly once, in one
// release, complete.
func TestUploader_concurrentRunsIntoOneRelease(t *testing.T) {
	t.Parallel()
	for _, draft := range []string{"", "true"} {
		t.Run("draft_"+draft, func(t *testing.T) {
			t.Parallel()
			for round := range rounds {
				e := setup(t, fakegithub.Repo{})
				var jobs []job
				want := map[string]string{}
				for i := range concurrentRuns {
					name := fmt.Sprintf("app-%d", i)
					jsonl := attestationJSON(t, fmt.Sprint(1000+i), 1, "jsonl", name) + "\n"
					bundle := attestationJSON(t, fmt.Sprint(1000+i), 1, "bundle", name)
					jobs = append(jobs, job{
						opts: release.Options{Tag: "v1", Create: true, Draft: draft, Run: release.Run{Repository: owner + "/" + repo, RunID: fmt.Sprint(1000 + i)}},
						assets: []release.Asset{{Name: name + ".intoto.jsonl", Data: []byte(jsonl)},
							{Name: name + ".sigstore.json", Data: []byte(bundle)}},
					})
					want[name+".intoto.jsonl"], want[name+".sigstore.json"] = jsonl, bundle
				}
				for i, err := range runJobs(t, e, jobs) {
					if err != nil {
						t.Errorf("round %d: run %d: %v", round, i, err)
					}
				}
				rels := releasesFor(e, "v1")
				if len(rels) != 1 {
					t.Fatalf("round %d: %d releases for the tag, want 1", round, len(rels))
				}
				if got := contents(rels[0]); !equalMaps(got, want) {
					t.Fatalf("round %d: assets %v, want %v", round, keys(got), keys(want))
				}
			}
		})
	}
}

// TestUploader_concurrentReruns runs eight uploads at once into one
// release: four other runs, and four attempts of one run re-uploading
// the same names. Every upload succeeds; each name is there once, and
// the same run's names hold one of its attempts.
func TestUploader_concurrentReruns(t *testing.T) {
	t.Parallel()
	for round := range rounds {
		e := setup(t, fakegithub.Repo{})
		e.seedRelease(t, fakegithub.Release{Tag: "v1"}, nil)
		var jobs []job
		want := map[string]string{}
		attempts := map[string]map[string]bool{} // name → contents of any attempt
		for i := range concurrentRuns {
			runID, attempt, name := fmt.Sprint(1000+i), 1, fmt.Sprintf("app-%d", i)
			if i >= concurrentRuns/2 {
				runID, attempt, name = "777", i, "app"
			}
			jsonl := attestationJSON(t, runID, attempt, "jsonl", name) + "\n"
			bundle := attestationJSON(t, runID, attempt, "bundle", name)
			jobs = append(jobs, job{
				opts: release.Options{Tag: "v1", Create: true, Run: release.Run{Repository: owner + "/" + repo, RunID: runID}},
				assets: []release.Asset{{Name: name + ".intoto.jsonl", Data: []byte(jsonl)},
					{Name: name + ".sigstore.json", Data: []byte(bundle)}},
			})
			if runID == "777" {
				for n, d := range map[string]string{name + ".intoto.jsonl": jsonl, name + ".sigstore.json": bundle} {
					if attempts[n] == nil {
						attempts[n] = map[string]bool{}
					}
					attempts[n][d] = true
				}
				continue
			}
			want[name+".intoto.jsonl"], want[name+".sigstore.json"] = jsonl, bundle
		}
		for i, err := range runJobs(t, e, jobs) {
			if err != nil {
				t.Errorf("round %d: run %d: %v", round, i, err)
			}
		}
		got := contents(releasesFor(e, "v1")[0])
		for n, ok := range attempts {
			if !ok[got[n]] {
				t.Errorf("round %d: %s holds %q, not one attempt's copy", round, n, got[n])
			}
			want[n] = got[n]
		}
		if !equalMaps(got, want) {
			t.Fatalf("round %d: assets %v, want %v", round, keys(got), keys(want))
		}
	}
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func keys(m map[string]string) []string {
	var out []string
	for k, v := range m {
		if strings.HasSuffix(v, ")") || v == "DUPLICATE" {
			k += "=" + v[max(0, len(v)-12):]
		}
		out = append(out, k)
	}
	return out
}

// TestUploader_matrixSiblingNotReplaced keeps apart two jobs of one
// workflow run (a matrix) that upload the same asset name: the copy of
// another job attests other subjects, so it is not an earlier attempt's
// copy and is not replaced without overwrite-assets. An earlier attempt
// of the same job, the same subjects in any order, is.
func TestUploader_matrixSiblingNotReplaced(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		subjects []string
		wantErr  error
		want     string
	}{
		{name: "sibling_job", subjects: []string{"c", "d"}, wantErr: release.ErrAssetExists},
		{name: "overlapping_job", subjects: []string{"a", "c"}, wantErr: release.ErrAssetExists},
		{name: "same_job_rerun", subjects: []string{"b", "a"}, want: release.ActionReplacedRerun},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := setup(t, fakegithub.Repo{})
			first := attestationJSON(t, "777", 1, "first", "a", "b") + "\n"
			e.seedRelease(t, fakegithub.Release{Tag: "v1"}, map[string]string{"multiple.intoto.jsonl": first})
			next := attestationJSON(t, "777", 1, "next", tc.subjects...) + "\n"
			run := release.Run{Repository: owner + "/" + repo, RunID: "777"}
			got, err := e.uploader().Upload(t.Context(), release.Options{Tag: "v1", Run: run},
				[]release.Asset{{Name: "multiple.intoto.jsonl", Data: []byte(next)}})
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("Upload = %v, want %v", err, tc.wantErr)
			}
			if tc.wantErr != nil {
				if c := contents(releasesFor(e, "v1")[0]); c["multiple.intoto.jsonl"] != first {
					t.Errorf("the other job's copy was changed: %q", c["multiple.intoto.jsonl"])
				}
				return
			}
			if a := actions(got); len(a) != 1 || a[0] != tc.want {
				t.Errorf("actions %v, want %s", a, tc.want)
			}
		})
	}
}
