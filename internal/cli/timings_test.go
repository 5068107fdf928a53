package cli

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/provenant/provenant/internal/timing"
)

// timingsOf returns the report after "provenant timings: " in stderr.
func timingsOf(t *testing.T, stderr string) (timing.Report, bool) {
	t.Helper()
	for l := range strings.SplitSeq(stderr, "\n") {
		if js, ok := strings.CutPrefix(l, "provenant timings: "); ok {
			var rep timing.Report
			if err := json.Unmarshal([]byte(js), &rep); err != nil {
				t.Fatalf("timings line is not JSON: %v\n%s", err, l)
			}
			return rep, true
		}
	}
	return timing.Report{}, false
}

// TestAttest_timings checks that --timings, the action input and
// PROVENANT_TIMINGS print the spans of a signed run, and that nothing is
// printed without them.
func TestAttest_timings(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		env  map[string]string
		args []string
		want bool
	}{
		{"flag", nil, []string{"--timings"}, true},
		{"input", map[string]string{"INPUT_TIMINGS": "true"}, nil, true},
		{"environment", map[string]string{"PROVENANT_TIMINGS": "1"}, nil, true},
		{"off", map[string]string{"PROVENANT_TIMINGS": "0"}, nil, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := newRunner(t, "tag_push")
			r.withSigstore()
			env := map[string]string{"INPUT_SUBJECT-PATH": "dist/*"}
			for k, v := range tc.env {
				env[k] = v
			}
			code, stdout, stderr := r.run(env, append([]string{"attest"}, tc.args...)...)
			if code != ExitOK {
				t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
			}
			rep, ok := timingsOf(t, stderr)
			if ok != tc.want {
				t.Fatalf("timings printed: %v, want %v\nstderr:\n%s", ok, tc.want, stderr)
			}
			if !ok {
				return
			}
			for _, name := range []string{"subjects", "token", "statements", "instance", "sign", "fulcio", "tsa", "self-verify", "write"} {
				if _, ok := rep.Sums[name]; !ok {
					t.Errorf("no %q span; got %v", name, rep.Sums)
				}
			}
			if rep.TotalMS <= 0 {
				t.Errorf("total_ms = %v", rep.TotalMS)
			}
		})
	}
}
