package attest_test

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/provenant/provenant/internal/testing/fakegithub"
)

// concurrentRuns is how many attest runs upload into one release at once;
// concurrentRounds how often each scenario repeats, so that a race shows.
const (
	concurrentRuns   = 8
	concurrentRounds = 3
)

// concurrentRun is one of the runs: its claims and its artifact.
type concurrentRun struct {
	claims   map[string]any
	artifact string
}

// attestAll runs every run's attest at once, all against gh, each with
// its own workspace, and returns the runs and their errors.
func attestAll(t *testing.T, gh *fakegithub.TestServer, specs []concurrentRun, extra map[string]string) ([]*run, []error) {
	t.Helper()
	runs := make([]*run, len(specs))
	for i, sp := range specs {
		r := newRun(t, "tag_push", sp.claims)
		r.gh = gh
		for _, f := range []string{"dist/app_linux_amd64", "dist/app_darwin_arm64"} {
			if err := os.Remove(filepath.Join(r.ws, f)); err != nil {
				t.Fatal(err)
			}
		}
		r.write("dist/"+sp.artifact, sp.artifact+" build\n")
		runs[i] = r
	}
	errs := make([]error, len(runs))
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, r := range runs {
		wg.Go(func() {
			<-start
			_, errs[i] = r.attest(extra)
		})
	}
	close(start)
	wg.Wait()
	return runs, errs
}

// releaseAssets returns the assets of the one release for tag, failing
// the test when there is not exactly one, or an asset is duplicated or
// not completely uploaded.
func releaseAssets(t *testing.T, gh *fakegithub.TestServer, tag string) map[string][]byte {
	t.Helper()
	var rels []fakegithub.Release
	for _, r := range gh.Releases("octo-org", "octo-repo") {
		if r.Tag == tag {
			rels = append(rels, r)
		}
	}
	if len(rels) != 1 {
		t.Fatalf("%d releases for %s, want 1", len(rels), tag)
	}
	out := map[string][]byte{}
	for _, a := range rels[0].Assets {
		if _, dup := out[a.Name]; dup || a.State != "uploaded" {
			t.Errorf("asset %s: duplicate %v, state %q", a.Name, dup, a.State)
		}
		out[a.Name] = a.Data
	}
	return out
}

// written returns a run's output files by name.
func (r *run) written() map[string][]byte {
	r.t.Helper()
	out := map[string][]byte{}
	for _, name := range r.files() {
		out[name] = read(r.t, filepath.Join(r.ws, "out", name))
	}
	return out
}

// TestRun_concurrentRunsIntoOneRelease runs eight whole attest runs at
// once, eight workflow runs each attesting its own artifact into the
// release of one tag, which does not exist yet (published, and as a
// draft): every file every run wrote is on the one release, exactly once
// and complete, and nothing else is.
func TestRun_concurrentRunsIntoOneRelease(t *testing.T) {
	t.Parallel()
	for _, draft := range []string{"false", "true"} {
		t.Run("draft_"+draft, func(t *testing.T) {
			t.Parallel()
			for round := range concurrentRounds {
				gh := fakegithub.NewTestServer(t, fakegithub.WithAutoCreateRepos())
				var specs []concurrentRun
				for i := range concurrentRuns {
					specs = append(specs, concurrentRun{claims: map[string]any{"run_id": fmt.Sprint(5000 + i)}, artifact: fmt.Sprintf("app-%d", i)})
				}
				runs, errs := attestAll(t, gh, specs, map[string]string{"upload-assets": "true", "draft-release": draft})
				want := map[string][]byte{}
				for i, r := range runs {
					if errs[i] != nil {
						t.Fatalf("round %d: run %d: %v", round, i, errs[i])
					}
					for name, data := range r.written() {
						want[name] = data
					}
				}
				got := releaseAssets(t, gh, "v1.2.3")
				if len(got) != len(want) || len(want) != 2*concurrentRuns {
					t.Fatalf("round %d: %d assets on the release, %d files written, want %d", round, len(got), len(want), 2*concurrentRuns)
				}
				for name, data := range want {
					if string(got[name]) != string(data) {
						t.Errorf("round %d: asset %s differs from the file written", round, name)
					}
				}
			}
		})
	}
}

// TestRun_concurrentReruns runs eight whole attest runs at once into one
// release: four workflow runs with their own artifacts, and four attempts
// of another run (re-runs) attesting the same artifact. Every run
// succeeds; each other run's files are there as written; the re-run's
// names are there once each, holding one attempt's files.
func TestRun_concurrentReruns(t *testing.T) {
	t.Parallel()
	for round := range concurrentRounds {
		gh := fakegithub.NewTestServer(t, fakegithub.WithAutoCreateRepos())
		var specs []concurrentRun
		for i := range concurrentRuns {
			sp := concurrentRun{claims: map[string]any{"run_id": fmt.Sprint(5000 + i)}, artifact: fmt.Sprintf("app-%d", i)}
			if i >= concurrentRuns/2 {
				sp = concurrentRun{claims: map[string]any{"run_id": "6000", "run_attempt": fmt.Sprint(i)}, artifact: "app"}
			}
			specs = append(specs, sp)
		}
		runs, errs := attestAll(t, gh, specs, map[string]string{"upload-assets": "true"})
		got := releaseAssets(t, gh, "v1.2.3")
		attempts := map[string]map[string]bool{} // name → each attempt's content
		n := 0
		for i, r := range runs {
			if errs[i] != nil {
				t.Fatalf("round %d: run %d: %v", round, i, errs[i])
			}
			for name, data := range r.written() {
				if specs[i].artifact != "app" {
					n++
					if string(got[name]) != string(data) {
						t.Errorf("round %d: asset %s differs from the file written", round, name)
					}
					continue
				}
				if attempts[name] == nil {
					attempts[name] = map[string]bool{}
				}
				attempts[name][string(data)] = true
			}
		}
		for name, contents := range attempts {
			n++
			if !contents[string(got[name])] {
				t.Errorf("round %d: asset %s holds none of the attempts' files", round, name)
			}
		}
		if len(got) != n {
			t.Errorf("round %d: %d assets on the release, want %d", round, len(got), n)
		}
	}
}
