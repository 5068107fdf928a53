package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/provenant/provenant/internal/config"
)

// runVerifyCmd runs `provenant verify` outside Actions.
func runVerifyCmd(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Main(context.Background(), append([]string{"verify"}, args...), Streams{Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }})
	return code, out.String(), errb.String()
}

func TestVerify_badInvocations(t *testing.T) {
	dir := t.TempDir()
	artifact := filepath.Join(dir, "app")
	if err := os.WriteFile(artifact, []byte("app\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	bundle := "../sink/oci/testdata/rekor-v2-tsa.sigstore.json"
	bad := filepath.Join(dir, "bad.intoto.jsonl")
	if err := os.WriteFile(bad, []byte("{}\nnot json\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	root := "testdata/empty_trusted_root.json"
	src := "--source-uri=github.com/octo-org/octo-repo"
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no source", []string{"--bundle", bundle, "--trusted-root", root, artifact}, ExitUsage, "--source-uri is required"},
		{"bad source", []string{"--bundle", bundle, "--trusted-root", root, "--source-uri", "octo-repo", artifact}, ExitUsage, "want host/owner/repo"},
		{"two refs", []string{src, "--source-tag", "v1", "--source-branch", "main", "--bundle", bundle, "--trusted-root", root, artifact}, ExitUsage, "at most one of"},
		{"short ref", []string{src, "--source-ref", "v1.2.3", "--bundle", bundle, "--trusted-root", root, artifact}, ExitUsage, "full ref"},
		{"bad predicate type", []string{src, "--predicate-type", "v3", "--bundle", bundle, "--trusted-root", root, artifact}, ExitUsage, "use v1"},
		{"bad input", []string{src, "--build-workflow-input", "novalue", "--bundle", bundle, "--trusted-root", root, artifact}, ExitUsage, "KEY=VALUE"},
		{"bad format", []string{src, "--format", "yaml", "--bundle", bundle, "--trusted-root", root, artifact}, ExitUsage, "use text or json"},
		{"nothing to verify", []string{src, "--bundle", bundle, "--trusted-root", root}, ExitUsage, "nothing to verify"},
		{"no attestation", []string{src, "--trusted-root", root, artifact}, ExitUsage, "no attestation given"},
		{"bad digest", []string{src, "--bundle", bundle, "--trusted-root", root, "--digest", "sha256:abc"}, ExitError, "want sha256:<64 hex digits>"},
		{"image by tag", []string{src, "--trusted-root", root, "oci://127.0.0.1:1/app:latest"}, ExitError, "name the image by digest"},
		{"malformed line", []string{src, "--provenance-path", bad, "--trusted-root", root, artifact}, ExitError, "line 2: not a JSON object"},
		{"missing artifact", []string{src, "--bundle", bundle, "--trusted-root", root, filepath.Join(dir, "none")}, ExitError, "no such file"},
		{"directory", []string{src, "--bundle", bundle, "--trusted-root", root, dir}, ExitError, "is a directory"},
		{"untrusted", []string{src, "--bundle", bundle, "--trusted-root", root, artifact}, ExitError, "REFUSED"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runVerifyCmd(t, tt.args...)
			if code != tt.code || !strings.Contains(stdout+stderr, tt.want) {
				t.Errorf("exit %d (want %d), output does not hold %q:\n%s%s", code, tt.code, tt.want, stdout, stderr)
			}
		})
	}
}

func TestVerify_jsonRefusal(t *testing.T) {
	artifact := filepath.Join(t.TempDir(), "app")
	if err := os.WriteFile(artifact, []byte("app\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, _ := runVerifyCmd(t, artifact, "--source-uri", "github.com/o/r", "--format", "json",
		"--bundle", "../sink/oci/testdata/tsa-only.sigstore.json", "--trusted-root", "testdata/empty_trusted_root.json")
	if code != ExitError || !strings.Contains(stdout, `"verified": false`) || !strings.Contains(stdout, `"refusals"`) {
		t.Errorf("exit %d:\n%s", code, stdout)
	}
}

// TestVerify_help lists every option of the table with its description,
// and says none is an action input.
func TestVerify_help(t *testing.T) {
	code, stdout, _ := runVerifyCmd(t, "--help")
	if code != ExitOK || strings.Contains(stdout, "action inputs") {
		t.Fatalf("exit %d:\n%s", code, stdout)
	}
	flat := strings.Join(strings.Fields(stdout), " ")
	for _, sp := range config.Verify {
		if !strings.Contains(stdout, "--"+sp.Name) || !strings.Contains(flat, strings.Join(strings.Fields(sp.Description), " ")) {
			t.Errorf("--help does not list --%s with its description", sp.Name)
		}
	}
	if !slices.ContainsFunc(config.Verify, func(sp config.Spec) bool { return sp.Kind == config.List && sp.Name == "trusted-root" }) {
		t.Error("--trusted-root is not a repeatable option")
	}
}

// TestVerify_ignoresActionInputs: inside Actions, verify still reads only
// its command line.
func TestVerify_ignoresActionInputs(t *testing.T) {
	var out, errb bytes.Buffer
	env := map[string]string{"GITHUB_ACTIONS": "true", "INPUT_SOURCE-URI": "github.com/o/r"}
	code := Main(context.Background(), []string{"verify", "--bundle", "x", "--trusted-root", "testdata/empty_trusted_root.json", "app"},
		Streams{Stdout: &out, Stderr: &errb, Getenv: func(k string) string { return env[k] }})
	if code != ExitUsage || !strings.Contains(out.String()+errb.String(), "--source-uri is required") {
		t.Errorf("exit %d:\n%s%s", code, out.String(), errb.String())
	}
}
