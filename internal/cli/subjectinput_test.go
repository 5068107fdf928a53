package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSubjectInputs_reportedOnce runs attest and subjects from the command
// line with bad subject inputs, alone and next to another bad option, and
// checks that each mistake is reported exactly once, in the same words.
func TestSubjectInputs_reportedOnce(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		args []string
		want string // appears exactly once on stderr
	}{
		{name: "bad_style", args: []string{"--subject-path", "dist/*", "--subject-name-style", "Bogus"},
			want: `input subject-name-style: is "Bogus"; use relative or basename`},
		{name: "bad_style_and_bad_version", args: []string{"--subject-path", "dist/*", "--subject-name-style", "Bogus", "--predicate-version", "v7"},
			want: `input subject-name-style: is "Bogus"; use relative or basename`},
		{name: "no_subjects", args: nil, want: "no subjects given"},
		{name: "no_subjects_and_bad_version", args: []string{"--predicate-version", "v7"}, want: "no subjects given"},
	}
	for _, tc := range cases {
		for _, cmd := range []string{"attest", "subjects"} {
			t.Run(cmd+"_"+tc.name, func(t *testing.T) {
				t.Parallel()
				args := tc.args
				if cmd == "subjects" && slicesContain(args, "--predicate-version") {
					t.Skip("subjects has no --predicate-version")
				}
				r := newRunner(t, "tag_push")
				code, _, stderr := r.run(map[string]string{"GITHUB_ACTIONS": ""}, append([]string{cmd}, args...)...)
				if code != ExitError {
					t.Fatalf("exit %d, want %d; stderr:\n%s", code, ExitError, stderr)
				}
				if n := strings.Count(stderr, tc.want); n != 1 {
					t.Errorf("stderr has %q %d times, want once:\n%s", tc.want, n, stderr)
				}
				if strings.Contains(tc.want, "subject-name-style") {
					if n := strings.Count(stderr, "subject-name-style"); n != 1 {
						t.Errorf("stderr names subject-name-style %d times, want once:\n%s", n, stderr)
					}
				}
			})
		}
	}
}

// TestSubjectInputs_styleIgnoresCase: subject-name-style is accepted in any
// case, by the command line and the action alike.
func TestSubjectInputs_styleIgnoresCase(t *testing.T) {
	t.Parallel()
	for _, style := range []string{"BASENAME", "Basename", " basename "} {
		t.Run(strings.TrimSpace(style), func(t *testing.T) {
			t.Parallel()
			r := newRunner(t, "tag_push")
			code, stdout, stderr := r.run(map[string]string{"GITHUB_ACTIONS": ""},
				"subjects", "--subject-path", "dist/*", "--subject-name-style", style, "--format", "sha256sum")
			if code != ExitOK {
				t.Fatalf("exit %d; stderr:\n%s", code, stderr)
			}
			if !strings.Contains(stdout, "  app_linux_amd64\n") || strings.Contains(stdout, "dist/") {
				t.Errorf("stdout = %q, want base names", stdout)
			}
		})
	}
}

func slicesContain(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// TestSubjects_absolutePathOutsideActions checks the command line's rule:
// outside Actions an absolute path the user typed may name a file outside
// the workspace; in Actions it is refused.
func TestSubjects_absolutePathOutsideActions(t *testing.T) {
	t.Parallel()
	sums := filepath.Join(t.TempDir(), "SHA256SUMS")
	if err := os.WriteFile(sums, []byte(hexA+"  a.tgz\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := newRunner(t, "tag_push")
	code, stdout, stderr := r.run(map[string]string{"GITHUB_ACTIONS": ""}, "subjects", "--subject-checksums", sums)
	if code != ExitOK || !strings.Contains(stdout, "a.tgz") {
		t.Errorf("outside Actions: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	code, _, stderr = r.run(map[string]string{"INPUT_SUBJECT-CHECKSUMS": sums}, "subjects")
	if code != ExitError || !strings.Contains(stderr, "outside the workspace") {
		t.Errorf("in Actions: exit %d, stderr %q", code, stderr)
	}
}
