package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/provenant/provenant/internal/testing/fakesigstore"
)

// withSigstore points the runner at in-process stand-ins for Fulcio and the
// timestamp authority, with their trusted root and signing config.
func (r *runner) withSigstore() *fakesigstore.TestServer {
	r.t.Helper()
	sig := fakesigstore.NewTestServer(r.t)
	tr, err := sig.TrustedRootJSON()
	if err != nil {
		r.t.Fatal(err)
	}
	sc, err := sig.SigningConfigJSON(sig.FulcioURL(), sig.TSAURL())
	if err != nil {
		r.t.Fatal(err)
	}
	r.write("in/trusted_root.json", string(tr))
	r.write("in/signing_config.json", string(sc))
	r.env["INPUT_SIGSTORE"] = "in/signing_config.json"
	r.env["INPUT_TRUSTED-ROOT"] = "in/trusted_root.json"
	return sig
}

// outputs parses the GITHUB_OUTPUT file (name<<delimiter blocks).
func (r *runner) outputs() map[string]string {
	r.t.Helper()
	lines := strings.Split(string(mustRead(r.t, r.output)), "\n")
	out := map[string]string{}
	for i := 0; i < len(lines); i++ {
		name, delim, ok := strings.Cut(lines[i], "<<")
		if !ok {
			continue
		}
		var val []string
		for i++; i < len(lines) && lines[i] != delim; i++ {
			val = append(val, lines[i])
		}
		out[name] = strings.Join(val, "\n")
	}
	return out
}

// TestAttest_successPath runs the action front end through signing,
// verification, files, outputs and the job summary, in process.
func TestAttest_successPath(t *testing.T) {
	t.Parallel()
	r := newRunner(t, "tag_push")
	r.withSigstore()
	code, stdout, stderr := r.run(map[string]string{"INPUT_SUBJECT-PATH": "dist/*"}, "attest")
	if code != ExitOK {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	out := r.outputs()
	want := map[string]string{
		"provenance-name":      "multiple.intoto.jsonl",
		"bundle-path":          "multiple.sigstore.json",
		"certificate-identity": "https://github.com/octo-org/octo-repo/.github/workflows/release.yml@refs/tags/v1.2.3",
		"certificate-issuer":   r.oidc.URL,
		"predicate-type":       "https://slsa.dev/provenance/v1",
		"subject-count":        "2",
		"log-index":            "",
		"outcome":              "success",
	}
	for k, v := range want {
		if got, ok := out[k]; !ok || got != v {
			t.Errorf("output %s = %q (set: %v), want %q", k, got, ok, v)
		}
	}
	if !strings.HasPrefix(out["attestation-digest"], "sha256:") {
		t.Errorf("attestation-digest = %q", out["attestation-digest"])
	}
	for _, f := range []string{"multiple.intoto.jsonl", "multiple.sigstore.json"} {
		if _, err := os.Stat(filepath.Join(r.ws, f)); err != nil {
			t.Errorf("%s not written: %v", f, err)
		}
	}
	summary := string(mustRead(t, r.summary))
	for _, s := range []string{"## Provenance", "`dist/app_linux_amd64`", "RFC 3161 timestamp", "provenant verify", "gh attestation verify"} {
		if !strings.Contains(summary, s) {
			t.Errorf("job summary lacks %q:\n%s", s, summary)
		}
	}
	var printed []string // everything but the runner's mask commands
	for _, l := range strings.Split(stdout+stderr, "\n") {
		if !strings.HasPrefix(l, "::add-mask::") {
			printed = append(printed, l)
		}
	}
	if strings.Contains(summary+strings.Join(printed, "\n"), requestToken) {
		t.Errorf("the request token was printed:\nstdout:%s\nstderr:%s", stdout, stderr)
	}
}

// TestAttest_uploadOnBranchNotice: upload-assets on a branch run succeeds
// and says, as a notice, that nothing was uploaded.
func TestAttest_uploadOnBranchNotice(t *testing.T) {
	t.Parallel()
	r := newRunner(t, "branch_push")
	r.withSigstore()
	code, stdout, stderr := r.run(map[string]string{"INPUT_SUBJECT-PATH": "dist/*", "INPUT_UPLOAD-ASSETS": "true", "INPUT_GITHUB-TOKEN": "t0k"}, "attest")
	if code != ExitOK {
		t.Fatalf("exit %d\nstderr:\n%s", code, stderr)
	}
	if !strings.Contains(stdout, "::notice::release assets not uploaded") || !strings.Contains(stderr, "refs/heads/main") {
		t.Errorf("no notice of the skipped upload\nstdout:\n%s\nstderr:\n%s", stdout, stderr)
	}
}
