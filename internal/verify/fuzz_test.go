package verify

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzReadBundles writes fuzzed .intoto.jsonl contents (or a bundle, or an
// npm attestations document) to a file and reads them back: ReadBundles must not panic, and every candidate it returns is
// a JSON object named after the file.
func FuzzReadBundles(f *testing.F) {
	for _, s := range []string{
		"{\"a\":1}\n{\"b\":2}\n",
		"{\"a\":1}",
		"\n\n{}\n",
		"{\"a\":1}\nnot json\n",
		"[1]",
		"",
		`{"attestations":[{"predicateType":"https://slsa.dev/provenance/v1","bundle":{"mediaType":"x"}},{"bundle":{}}]}`,
		`{"attestations":[{"bundle":[]}]}`,
	} {
		f.Add([]byte(s))
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, b []byte) {
		p := filepath.Join(dir, "f.intoto.jsonl")
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		cands, err := ReadBundles(p)
		if err != nil {
			return
		}
		for _, c := range cands {
			if len(c.JSON) == 0 || c.JSON[0] != '{' || !strings.HasPrefix(c.Where, p) {
				t.Fatalf("candidate %q from %q", c.JSON, c.Where)
			}
		}
	})
}
