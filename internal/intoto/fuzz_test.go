package intoto

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzParseBundle checks that no input makes ParseBundle panic, and that a
// bundle it accepts can be parsed again from the same bytes.
func FuzzParseBundle(f *testing.F) {
	for _, name := range []string{"rekor-v1.sigstore.json", "tsa-only.sigstore.json"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range []string{`{}`, `{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json"}`, `{"dsseEnvelope":{"payload":"!!"}}`, `[]`, ``} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if _, err := ParseBundle(b); err != nil {
			return
		}
		if _, err := ParseBundle(b); err != nil {
			t.Fatalf("ParseBundle accepted, then refused the same bytes: %v", err)
		}
	})
}
