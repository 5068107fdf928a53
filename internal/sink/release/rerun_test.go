package release

import (
	"encoding/base64"
	"encoding/json"
	"testing"
)

// bundleOf wraps a statement's predicate in a minimal bundle.
func bundleOf(t *testing.T, predicate map[string]any) string {
	t.Helper()
	st, err := json.Marshal(map[string]any{"predicate": predicate})
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(map[string]any{"dsseEnvelope": map[string]any{"payload": base64.StdEncoding.EncodeToString(st)}})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestFromRun(t *testing.T) {
	t.Parallel()
	v1 := func(id string) string {
		return bundleOf(t, map[string]any{"runDetails": map[string]any{"metadata": map[string]any{"invocationId": id}}})
	}
	v02 := bundleOf(t, map[string]any{"invocation": map[string]any{
		"configSource": map[string]any{"uri": "git+https://github.com/octo-org/octo-repo@refs/tags/v1"},
		"environment":  map[string]any{"github_run_id": "789"}}})
	this := v1("https://github.com/octo-org/octo-repo/actions/runs/789/attempts/1")
	run := Run{Repository: "octo-org/octo-repo", RunID: "789"}
	cases := []struct {
		name string
		data string
		want bool
	}{
		{"v1_same_run", this, true},
		{"v1_other_attempt", v1("https://github.com/Octo-Org/octo-repo/actions/runs/789/attempts/3"), true},
		{"v02_same_run", v02, true},
		{"jsonl_all_same_run", this + "\n" + v02 + "\n", true},
		{"jsonl_one_other_run", this + "\n" + v1("https://github.com/octo-org/octo-repo/actions/runs/790/attempts/1") + "\n", false},
		{"other_repository", v1("https://github.com/evil/octo-repo/actions/runs/789/attempts/1"), false},
		{"not_an_attestation", "hello\n", false},
		{"empty", "", false},
	}
	for _, tc := range cases {
		if got := fromRun([]byte(tc.data), run); got != tc.want {
			t.Errorf("%s: fromRun = %v, want %v", tc.name, got, tc.want)
		}
	}
	if fromRun([]byte(this), Run{}) {
		t.Error("fromRun with no run identity matched")
	}
}
