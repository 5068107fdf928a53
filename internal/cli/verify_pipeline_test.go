package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/provenant/provenant/internal/verify/verifytest"
)

// TestVerify_offline runs `provenant verify` on a real bundle from the
// in-process Sigstore: accepted as made, refused once its artifact changes.
func TestVerify_offline(t *testing.T) {
	s, err := verifytest.New()
	if err != nil {
		t.Fatal(err)
	}
	b := verifytest.Build{Repository: "https://github.com/octo-org/octo-repo", Ref: "refs/tags/v1.2.3",
		Commit: "c27d339ee6075c1f744c5d4b200f7901aad2c369", Workflow: ".github/workflows/release.yml"}
	st, err := b.Statement(map[string][]byte{"app": []byte("app\n")})
	if err != nil {
		t.Fatal(err)
	}
	bundle, err := s.Attest(st, b.Signer())
	if err != nil {
		t.Fatal(err)
	}
	rootJSON, err := s.TrustedRootJSON()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(name string, content []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, content, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	app, changed := write("app", []byte("app\n")), write("changed", []byte("app!\n"))
	args := []string{"--bundle", write("app.sigstore.json", bundle), "--trusted-root", write("root.json", rootJSON),
		"--source-uri", "github.com/octo-org/octo-repo", "--source-tag", "v1.2.3", "--builder-id", b.BuilderID()}

	code, stdout, stderr := runVerifyCmd(t, append([]string{app}, args...)...)
	if code != ExitOK || !strings.HasPrefix(stdout, "OK       "+app) || !strings.Contains(stdout, "built by     "+b.BuilderID()) {
		t.Fatalf("exit %d:\n%s%s", code, stdout, stderr)
	}
	code, stdout, _ = runVerifyCmd(t, append([]string{app, "--format", "json"}, args...)...)
	var rep struct {
		Verified  bool
		Artifacts []struct {
			Name, TrustedRoot string
			Provenance        struct{ Commit string }
		}
	}
	if err := json.Unmarshal([]byte(stdout), &rep); code != ExitOK || err != nil || !rep.Verified ||
		len(rep.Artifacts) != 1 || rep.Artifacts[0].Provenance.Commit != b.Commit || rep.Artifacts[0].TrustedRoot == "" {
		t.Errorf("--format json: exit %d, %+v:\n%s", code, rep, stdout)
	}
	code, stdout, _ = runVerifyCmd(t, append([]string{changed}, args...)...)
	if code != ExitError || !strings.Contains(stdout, "REFUSED") || !strings.Contains(stdout, "artifact not in the statement's subjects") {
		t.Errorf("a changed artifact: exit %d:\n%s", code, stdout)
	}
}
