package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/provenant/provenant/internal/provenance"
	"github.com/provenant/provenant/internal/testing/fakesigstore"
)

// TestVerify_offline runs `provenant verify` on a real bundle from the
// in-process Sigstore: accepted as made, refused once its artifact changes.
func TestVerify_offline(t *testing.T) {
	const builderID = "https://github.com/octo-org/octo-repo/.github/workflows/release.yml@refs/tags/v1.2.3"
	claims, bundle, rootJSON, write := signedFiles(t, map[string][]byte{"app": []byte("app\n")})
	app, changed := write("app", []byte("app\n")), write("changed", []byte("app!\n"))
	args := []string{"--bundle", write("app.sigstore.json", bundle), "--trusted-root", write("root.json", rootJSON),
		"--source-uri", "github.com/octo-org/octo-repo", "--source-tag", "v1.2.3", "--builder-id", builderID}

	code, stdout, stderr := runVerifyCmd(t, append([]string{app}, args...)...)
	if code != ExitOK || !strings.HasPrefix(stdout, "OK       "+app) || !strings.Contains(stdout, "built by     "+builderID) ||
		strings.Contains(stderr, "warning") {
		t.Fatalf("exit %d:\n%s%s", code, stdout, stderr)
	}
	code, _, stderr = runVerifyCmd(t, app, "--source-uri", "github.com/octo-org/octo-repo", args[0], args[1], args[2], args[3])
	if code != ExitOK || !strings.Contains(stderr, "warning: only --source-uri github.com/octo-org/octo-repo constrains the build") ||
		!strings.Contains(stderr, "--signer-workflow") {
		t.Errorf("only --source-uri: exit %d, no warning naming the missing constraints:\n%s", code, stderr)
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
		len(rep.Artifacts) != 1 || rep.Artifacts[0].Provenance.Commit != claims["sha"] || rep.Artifacts[0].TrustedRoot == "" {
		t.Errorf("--format json: exit %d, %+v:\n%s", code, rep, stdout)
	}
	code, stdout, _ = runVerifyCmd(t, append([]string{changed}, args...)...)
	if code != ExitError || !strings.Contains(stdout, "REFUSED") || !strings.Contains(stdout, "artifact not in the statement's subjects") {
		t.Errorf("a changed artifact: exit %d:\n%s", code, stdout)
	}
}

// TestVerify_oneStatementManyArtifacts verifies three artifacts against
// one statement naming them all. Each JSON verdict lists the subject of
// its own artifact, and --print-provenance writes the statement once:
// with every subject in every verdict and the statement once per
// artifact, both outputs grew with the square of the artifacts.
func TestVerify_oneStatementManyArtifacts(t *testing.T) {
	files := map[string][]byte{"a": []byte("a\n"), "b": []byte("b\n"), "c": []byte("c\n")}
	_, bundle, rootJSON, write := signedFiles(t, files)
	var arts []string
	for _, n := range []string{"a", "b", "c"} {
		arts = append(arts, write(n, files[n]))
	}
	printed := filepath.Join(t.TempDir(), "statements.jsonl")
	args := append(arts, "--provenance-path", write("all.intoto.jsonl", append(bundle, '\n')), "--trusted-root", write("root.json", rootJSON),
		"--source-uri", "github.com/octo-org/octo-repo", "--source-tag", "v1.2.3", "--format", "json", "--print-provenance", printed)
	code, stdout, stderr := runVerifyCmd(t, args...)
	var rep struct {
		Verified  bool
		Artifacts []struct {
			Name       string
			Provenance struct {
				Subjects []struct{ Name string }
			}
		}
	}
	if err := json.Unmarshal([]byte(stdout), &rep); code != ExitOK || err != nil || !rep.Verified || len(rep.Artifacts) != 3 {
		t.Fatalf("exit %d, %v:\n%s%s", code, err, stdout, stderr)
	}
	for _, a := range rep.Artifacts {
		if subs := a.Provenance.Subjects; len(subs) != 1 || filepath.Base(subs[0].Name) != filepath.Base(a.Name) {
			t.Errorf("%s: verdict lists subjects %+v; want only its own", a.Name, subs)
		}
	}
	out, err := os.ReadFile(printed)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != 1 || !json.Valid([]byte(lines[0])) || !strings.Contains(lines[0], `"predicateType"`) {
		t.Errorf("--print-provenance wrote %d lines; want the one statement once:\n%s", len(lines), out)
	}
}

// signedFiles signs SLSA v1 provenance for files with the in-process
// Sigstore, as a tag push's workflow would, and returns the claims, the
// bundle, the trusted root and a function that writes a file into a
// fresh directory and returns its path.
func signedFiles(t *testing.T, files map[string][]byte) (claims map[string]string, bundle, rootJSON []byte, write func(name string, content []byte) string) {
	t.Helper()
	s, err := fakesigstore.New()
	if err != nil {
		t.Fatal(err)
	}
	claims = fakesigstore.GitHubClaims(nil)
	st, err := fakesigstore.Provenance(claims, provenance.V1, files)
	if err != nil {
		t.Fatal(err)
	}
	if bundle, err = s.Attest(t.Context(), st, claims); err != nil {
		t.Fatal(err)
	}
	if rootJSON, err = s.TrustedRootJSON(); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write = func(name string, content []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, content, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	return claims, bundle, rootJSON, write
}
