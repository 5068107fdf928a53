package config

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestFor(t *testing.T) {
	t.Parallel()
	names := func(specs []Spec) []string {
		var out []string
		for _, s := range specs {
			out = append(out, s.Name)
		}
		return out
	}
	want := []string{"subject-path", "subject-name-style", "subject-digest", "subject-name", "subjects",
		"subject-checksums", "base64-subjects", "base64-subjects-file", "image", "digest"}
	if diff := cmp.Diff(want, names(For(CmdSubjects))); diff != "" {
		t.Errorf("For(subjects) mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(names(Attest[:len(want)]), want); diff != "" {
		t.Errorf("attest does not start with the subject options (-want +got):\n%s", diff)
	}
	if len(Attest)+len(Verify) != len(table) || len(For("no-such-command")) != 0 {
		t.Errorf("For(attest) has %d and For(verify) %d of %d options", len(Attest), len(Verify), len(table))
	}
	seen := map[string]bool{}
	for _, s := range Verify {
		if seen[s.Name] || s.Description == "" {
			t.Errorf("verify option %q: duplicated or undocumented", s.Name)
		}
		seen[s.Name] = true
	}
}
