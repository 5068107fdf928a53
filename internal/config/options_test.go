package config

import (
	"slices"
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
	if len(For("no-such-command")) != 0 {
		t.Error("For(no-such-command) lists options")
	}
	for _, sp := range table {
		if !slices.Contains(sp.Commands, CmdAttest) && !slices.Contains(sp.Commands, CmdVerify) {
			t.Errorf("option %q is taken by neither attest nor verify", sp.Name)
		}
	}
	seen := map[string]bool{}
	for _, s := range Verify {
		if seen[s.Name] || s.Description == "" {
			t.Errorf("verify option %q: duplicated or undocumented", s.Name)
		}
		seen[s.Name] = true
	}
}
