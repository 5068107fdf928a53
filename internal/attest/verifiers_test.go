package attest_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/provenant/provenant/internal/signing"
)

// tool finds a verifier nobody here wrote: in the project's pinned tools
// (scripts/install-tools.sh) or on PATH. Without it the test is skipped.
func tool(t *testing.T, name string) string {
	t.Helper()
	if p, err := filepath.Abs(filepath.Join("..", "..", ".tools", "bin", name)); err == nil {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	p, err := exec.LookPath(name)
	if err != nil {
		t.Skipf("%s is not installed (scripts/install-tools.sh verifiers)", name)
	}
	return p
}

// TestRun_privateRepositoryVerifiedByCosignAndGh signs a private
// repository's run with sigstore left at auto and no trusted-root: GitHub's
// instance (played by the in-process Fulcio and TSA) is chosen, its trusted
// root comes through TUF, and the bundle is accepted by cosign and by
// `gh attestation verify` with that root, as users check it.
func TestRun_privateRepositoryVerifiedByCosignAndGh(t *testing.T) {
	t.Parallel()
	cosign, gh := tool(t, "cosign"), tool(t, "gh")
	r := newRun(t, "tag_push", map[string]any{"repository_visibility": "private"})
	delete(r.inputs, "trusted-root")
	delete(r.inputs, "sigstore")
	rs := newRepos(t, r.sig, r.sig)
	res, err := r.attest(nil, rs.opt)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if res.Instance != signing.GitHub {
		t.Fatalf("signed on %q, want GitHub's instance", res.Instance)
	}
	bundle := filepath.Join(r.ws, "out", "multiple.sigstore.json")
	artifact := filepath.Join(r.ws, "dist", "app_linux_amd64")
	identity := "https://github.com/octo-org/octo-repo/.github/workflows/release.yml@refs/tags/v1.2.3"
	home := t.TempDir()
	run := func(name string, args ...string) (string, error) {
		cmd := exec.CommandContext(t.Context(), name, args...)
		cmd.Env = append(os.Environ(), "HOME="+home, "GH_NO_UPDATE_NOTIFIER=1", "GH_TOKEN=", "GITHUB_TOKEN=",
			"SIGSTORE_NO_CACHE=1", "TUF_ROOT="+filepath.Join(home, "tuf"))
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := run(cosign, "verify-blob-attestation", "--bundle", bundle, "--trusted-root", r.trusted,
		"--certificate-identity", identity, "--certificate-oidc-issuer", r.oidc.URL, "--type", "slsaprovenance1",
		"--use-signed-timestamps", "--insecure-ignore-sct", "--insecure-ignore-tlog", artifact); err != nil {
		t.Errorf("cosign refused the private repository's bundle: %v\n%s", err, out)
	}
	jsonl := filepath.Join(t.TempDir(), "roots.jsonl")
	compact := strings.ReplaceAll(strings.ReplaceAll(string(read(t, r.trusted)), "\n", ""), "\r", "")
	if err := os.WriteFile(jsonl, []byte(compact+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := run(gh, "attestation", "verify", artifact, "--bundle", bundle, "--custom-trusted-root", jsonl,
		"--cert-oidc-issuer", r.oidc.URL, "--owner", "octo-org", "--predicate-type", "https://slsa.dev/provenance/v1"); err != nil {
		t.Errorf("gh refused the private repository's bundle: %v\n%s", err, out)
	}
	// A control: the same bundle with another artifact is refused by both.
	r.write("dist/other", "not the build\n")
	other := filepath.Join(r.ws, "dist", "other")
	if _, err := run(cosign, "verify-blob-attestation", "--bundle", bundle, "--trusted-root", r.trusted,
		"--certificate-identity", identity, "--certificate-oidc-issuer", r.oidc.URL, "--type", "slsaprovenance1",
		"--use-signed-timestamps", "--insecure-ignore-sct", "--insecure-ignore-tlog", other); err == nil {
		t.Error("cosign accepted the bundle for an artifact it does not name")
	}
	if _, err := run(gh, "attestation", "verify", other, "--bundle", bundle, "--custom-trusted-root", jsonl,
		"--cert-oidc-issuer", r.oidc.URL, "--owner", "octo-org", "--predicate-type", "https://slsa.dev/provenance/v1"); err == nil {
		t.Error("gh accepted the bundle for an artifact it does not name")
	}
}
