package verifier_test

import (
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/provenant/provenant/internal/policy"
	"github.com/provenant/provenant/internal/provenance"
	"github.com/provenant/provenant/internal/testing/fakesigstore"
	"github.com/provenant/provenant/internal/verifier"
)

// TestRun_sha512Subject verifies an artifact that a statement names by
// sha512 alone, as npm names its packages, read from a named pipe: it can
// be read once only, so every digest must come from the same read.
func TestRun_sha512Subject(t *testing.T) {
	t.Parallel()
	s, roots := newSigstore(t)
	content := []byte("package tarball\n")
	claims := fakesigstore.GitHubClaims(nil)
	st, err := fakesigstore.Provenance(claims, provenance.V1, map[string][]byte{"pkg": content})
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(st, &m); err != nil {
		t.Fatal(err)
	}
	sum := sha512.Sum512(content)
	m["subject"] = []any{map[string]any{"name": "pkg:npm/pkg@1.0.0", "digest": map[string]string{"sha512": hex.EncodeToString(sum[:])}}}
	if st, err = json.Marshal(m); err != nil {
		t.Fatal(err)
	}
	b, err := s.Attest(t.Context(), st, claims)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	bundle, pipe := filepath.Join(dir, "pkg.sigstore.json"), filepath.Join(dir, "pkg.tgz")
	if err := os.WriteFile(bundle, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(pipe, 0o644); err != nil {
		t.Skipf("no named pipes here: %v", err)
	}
	go func() {
		if err := os.WriteFile(pipe, content, 0o644); err != nil {
			t.Error(err)
		}
	}()
	rep, err := verifier.Run(t.Context(), verifier.Config{Targets: []string{pipe}, Attestations: []string{bundle},
		Roots: roots, Policy: policy.Policy{SourceURI: "github.com/octo-org/octo-repo"}})
	if err != nil {
		t.Fatal(err)
	}
	v := rep.Artifacts[0]
	if want := "sha512:" + hex.EncodeToString(sum[:]); !v.Verified || v.Digest != want {
		t.Errorf("verdict %+v, want verified as %s", v, want)
	}
}
