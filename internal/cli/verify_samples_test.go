package cli

import (
	"encoding/base64"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// samples is testdata/attestations: real attestations from GitHub
// Actions, npm and slsa-github-generator (see its README).
const samples = "../../testdata/attestations/"

// tamperPayload copies the bundle at path with one byte of its statement
// changed, keeping the signature.
func tamperPayload(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	env := m["dsseEnvelope"].(map[string]any)
	p, err := base64.StdEncoding.DecodeString(env["payload"].(string))
	if err != nil {
		t.Fatal(err)
	}
	env["payload"] = base64.StdEncoding.EncodeToString([]byte(strings.Replace(string(p), "refs/heads/main", "refs/heads/mair", 1)))
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(t.TempDir(), filepath.Base(path))
	if err := os.WriteFile(dst, out, 0o644); err != nil {
		t.Fatal(err)
	}
	return dst
}

// closedURL is the URL of a server that is no longer listening.
func closedURL(t *testing.T) string {
	t.Helper()
	ts := httptest.NewServer(nil)
	ts.Close()
	return ts.URL
}

// TestVerify_realSamples gives the verdicts gh (for GitHub-made
// attestations) and slsa-verifier (for slsa-github-generator's) give on
// the same files, offline.
func TestVerify_realSamples(t *testing.T) {
	const (
		gh        = samples + "gh/"
		sg        = samples + "sigstore-go/"
		sv        = samples + "slsa-verifier/"
		pgRoot    = sg + "trusted-root-public-good.json"
		npmTGZ    = gh + "sigstore-js-2.1.0.tgz"
		npmBundle = gh + "sigstore-js-2.1.0-bundle.json"
		binary    = "sha256:376e7e01348585b6e6643bc6663146b9d525d9b41228bf180eaeb4d4a3706caa"
		generator = "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml"
	)
	npm := []string{npmTGZ, "--trusted-root", pgRoot, "--source-uri", "github.com/sigstore/sigstore-js"}
	reusable := []string{gh + "reusable-workflow-artifact", "--bundle", gh + "reusable-workflow-attestation.sigstore.json",
		"--trusted-root", pgRoot, "--source-uri", "github.com/malancas/attest-demo"}
	custom := []string{gh + "custom-issuer-artifact", "--bundle", gh + "custom-issuer.sigstore.json",
		"--trusted-root", pgRoot, "--source-uri", "github.com/too-legit/attest", "--source-branch", "main"}
	generic := []string{"--digest", binary, "--provenance-path", sv + "gha_generic_v2.1.0_binary-linux-amd64-push-v14.intoto.jsonl",
		"--trusted-root", pgRoot, "--builder-id", generator}
	cases := []struct {
		name string
		args []string
		ok   bool
		want []string // in the output
	}{
		{"npm_v1_bundle_v0.3", append(npm, "--bundle", npmBundle, "--source-branch", "main"), true,
			[]string{"sha512:90f223f9", "slsa-framework.github.io/github-actions-buildtypes/workflow/v1", "release.yml@refs/heads/main"}},
		{"npm_v1_bundle_v0.1", []string{npmTGZ, "--bundle", gh + "sigstore-js-2.1.0-bundle-v0.1.json", "--trusted-root", gh + "trusted_root.json",
			"--source-uri", "github.com/sigstore/sigstore-js", "--source-branch", "main"}, true, []string{"OK"}},
		{"npm_v1_other_branch", append(npm, "--bundle", npmBundle, "--source-branch", "release"), false, []string{"source ref"}},
		{"npm_v1_tampered", append(npm, "--bundle", tamperPayload(t, npmBundle), "--source-branch", "main"), false, []string{"signature"}},
		{"npm_v1_other_file", []string{gh + "custom-issuer-artifact", "--bundle", npmBundle, "--trusted-root", pgRoot,
			"--source-uri", "github.com/sigstore/sigstore-js"}, false, []string{"artifact not in the statement's subjects"}},
		{"npm_v0.2", []string{"--digest", "sha512:76176ffa33808b54602c7c35de5c6e9a4deb96066dba6533f50ac234f4f1f4c6b3527515dc17c06fbe2860030f410eee69ea20079bd3a2c6f3dcf3b329b10751",
			"--bundle", sg + "bundle-provenance.json", "--trusted-root", pgRoot, "--source-uri", "github.com/sigstore/sigstore-js", "--source-branch", "main"},
			true, []string{"https://github.com/npm/cli/gha/v2"}},
		{"attest_2024_reusable", append(reusable, "--signer-workflow", "github/artifact-attestations-workflows/.github/workflows/attest.yml"), true,
			[]string{"built by     https://github.com/github/artifact-attestations-workflows/.github/workflows/attest.yml@"}},
		{"attest_2024_other_signer", append(reusable, "--signer-workflow", "malancas/attest-demo/.github/workflows/attest.yml"), false,
			[]string{"signer workflow"}},
		{"attest_enterprise_issuer", append(custom, "--cert-oidc-issuer", "https://token.actions.githubusercontent.com/hammer-time"), true,
			[]string{"https://actions.github.io/buildtypes/workflow/v1"}},
		{"attest_default_issuer", custom, false, []string{"certificate issuer"}},
		{"generator_v2.1.0", append(generic, "--source-uri", "github.com/slsa-framework/example-package", "--source-tag", "v14"), true,
			[]string{"generator_generic_slsa3.yml@refs/tags/v2.1.0", "commit 4d329c75e7ec1725f7c9ce917a8799d408d06be3"}},
		{"generator_v2.1.0_other_repository", append(generic, "--source-uri", "github.com/slsa-framework/slsa-verifier"), false,
			[]string{"source repository"}},
		{"generator_v2.1.0_other_tag", append(generic, "--source-uri", "github.com/slsa-framework/example-package", "--source-tag", "v13"), false,
			[]string{"source ref"}},
		{"generator_v1.10.0_dsse", []string{"--digest", "sha256:2892146b063a94cb4a4318c0e98d38af12dcf2b1e29237486b58463b59607bbd",
			"--provenance-path", sv + "gha_generic_v1.10.0_binary-linux-amd64-push-v14.intoto.jsonl", "--trusted-root", pgRoot,
			"--source-uri", "github.com/slsa-framework/example-package", "--offline"}, false,
			[]string{"slsa-github-generator v1 DSSE envelope: needs its Rekor entry: not looked up, as lookups are off (offline)"}},
		{"generator_v1.10.0_dsse_log_unreachable", []string{"--digest", "sha256:2892146b063a94cb4a4318c0e98d38af12dcf2b1e29237486b58463b59607bbd",
			"--provenance-path", sv + "gha_generic_v1.10.0_binary-linux-amd64-push-v14.intoto.jsonl", "--trusted-root", pgRoot,
			"--source-uri", "github.com/slsa-framework/example-package", "--rekor-url", closedURL(t)}, false,
			[]string{"slsa-github-generator v1 DSSE envelope: needs its Rekor entry: searching http://127.0.0.1", "the log is unreachable"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runVerifyCmd(t, tc.args...)
			if (code == ExitOK) != tc.ok {
				t.Fatalf("exit %d, want success %t:\n%s%s", code, tc.ok, stdout, stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(stdout, w) {
					t.Errorf("output does not hold %q:\n%s%s", w, stdout, stderr)
				}
			}
		})
	}
}
