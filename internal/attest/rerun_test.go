package attest_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/provenant/provenant/internal/sink/release"
)

// TestRun_rerunReplacesOwnAssets runs attest twice into one release: a
// re-run of the same workflow run (a retried step, or "Re-run jobs")
// replaces the assets of the earlier attempt, with a notice; another
// run's assets still need overwrite-assets.
func TestRun_rerunReplacesOwnAssets(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		second  map[string]any // claims of the second run
		wantErr error
	}{
		{name: "same_attempt", second: nil},
		{name: "next_attempt", second: map[string]any{"run_attempt": "2"}},
		{name: "another_run", second: map[string]any{"run_id": "987654321"}, wantErr: release.ErrAssetExists},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			in := map[string]string{"upload-assets": "true"}
			first := newRun(t, "tag_push", nil)
			if _, err := first.attest(in); err != nil {
				t.Fatalf("first run: %v", err)
			}
			second := newRun(t, "tag_push", tc.second)
			second.gh = first.gh
			second.inputs["github-token"] = first.inputs["github-token"]
			res, err := second.attest(in)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("second run: %v, want %v", err, tc.wantErr)
			}
			if tc.wantErr != nil {
				return
			}
			var notes []string
			for _, s := range res.Stored {
				if s.Kind == "release" {
					notes = append(notes, s.Note)
				}
			}
			if want := []string{release.NoteRerun, release.NoteRerun}; !slices.Equal(notes, want) {
				t.Errorf("release notes %q, want %q", notes, want)
			}
			if len(res.Notices) != 2 || !strings.Contains(res.Notices[0], "earlier attempt") {
				t.Errorf("notices %q, want one per replaced asset", res.Notices)
			}
		})
	}
}
