package config

import (
	"strings"
	"testing"
)

func load(t *testing.T, in map[string]string) error {
	t.Helper()
	_, err := Load(Attest, func(name string) (string, bool) {
		v, ok := in[name]
		return v, ok && strings.TrimSpace(v) != ""
	})
	return err
}

// TestLoad_messages checks refusals whose wording matters: the code point
// of a deceptive character, and JSON problems told without Go type names.
func TestLoad_messages(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		in   map[string]string
		want string
	}{
		{"provenance_name_rlo", map[string]string{"provenance-name": "app\u202Egpj.intoto.jsonl"}, "U+202E RIGHT-TO-LEFT OVERRIDE"},
		{"provenance_name_zero_width", map[string]string{"provenance-name": "a\u200Db.intoto.jsonl"}, "U+200D ZERO WIDTH JOINER"},
		{"provenance_name_line_separator", map[string]string{"provenance-name": "a\u2029b.intoto.jsonl"}, "U+2029 PARAGRAPH SEPARATOR"},
		{"provenance_name_dotdot", map[string]string{"provenance-name": "..x.intoto.jsonl"}, `starts with ".."`},
		{"vars_array", map[string]string{"vars": "[1]"}, "is a JSON array but must be an object"},
		{"workflow_inputs_string", map[string]string{"workflow-inputs": `"x"`}, "is a JSON string but must be an object"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := load(t, tc.in)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Load() error = %v; want %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "Go value") || strings.Contains(err.Error(), "interface {}") {
				t.Errorf("Load() error names a Go type: %v", err)
			}
		})
	}
}
