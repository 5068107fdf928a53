package e2e

import (
	"os"
	"path/filepath"
	"testing"
)

// version is a predicate version and the names the verifiers use for it.
type version struct{ input, uri, cosignType string }

// cosignArgs builds `cosign verify-blob-attestation` for the stack's mode.
func cosignArgs(st stack, v version, bundle, artifact, digest string, overrides map[string]string) []string {
	flags := map[string]string{
		"--certificate-identity":                   builder,
		"--certificate-oidc-issuer":                st.issuer,
		"--certificate-github-workflow-repository": repo,
		"--certificate-github-workflow-sha":        sha,
		"--certificate-github-workflow-ref":        ref,
		"--certificate-github-workflow-trigger":    "push",
		"--certificate-github-workflow-name":       "release",
		"--type":                                   v.cosignType,
	}
	for k, val := range overrides {
		flags[k] = val
	}
	args := []string{"verify-blob-attestation", "--bundle", bundle, "--trusted-root", st.trustedRoot}
	for k, val := range flags {
		args = append(args, k, val)
	}
	if st.tsa {
		args = append(args, "--use-signed-timestamps")
	}
	if !st.ct {
		args = append(args, "--insecure-ignore-sct")
	}
	if st.rekor == "none" {
		args = append(args, "--insecure-ignore-tlog")
	}
	if digest != "" {
		return append(args, "--digest", digest, "--digestAlg", "sha256")
	}
	return append(args, artifact)
}

// ghArgs builds `gh attestation verify` for the stack's mode.
func ghArgs(st stack, v version, bundle, artifact string, extra ...string) []string {
	root := st.trustedRootJSONL
	if st.rekor == "none" {
		// gh demands a log entry whenever the root lists a log.
		root = st.trustedRootNoTlogJSONL
	}
	args := []string{"attestation", "verify", artifact, "--bundle", bundle, "--custom-trusted-root", root,
		"--cert-oidc-issuer", st.issuer, "--predicate-type", v.uri}
	if len(extra) == 0 {
		extra = []string{"--owner", owner, "--signer-workflow", signer}
	}
	return append(args, extra...)
}

// verifyArgs builds `provenant verify` for the stack's mode, with the
// policy the other verifiers get: repository, signer workflow, issuer,
// predicate type. extra flags replace none of these; they add to them.
func verifyArgs(st stack, v version, bundle, artifact, digest string, extra ...string) []string {
	root := st.trustedRoot
	if st.rekor == "none" {
		// Like gh, provenant requires a log entry whenever the root lists a log.
		root = st.trustedRootNoTlogJSONL
	}
	args := []string{"verify", "--bundle", bundle, "--trusted-root", root, "--source-uri", "github.com/" + repo,
		"--cert-oidc-issuer", st.issuer, "--predicate-type", v.input}
	args = append(args, extra...)
	if digest != "" {
		return append(args, "--digest", "sha256:"+digest)
	}
	return append(args, artifact)
}

// provenantVerify runs `provenant verify` and returns its exit code and
// output.
func provenantVerify(t *testing.T, args ...string) (int, string) {
	t.Helper()
	return tool(t, provenant(t), args...)
}

// writeBundle puts one bundle in its own file: cosign reads one per file.
func writeBundle(t *testing.T, b []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "bundle.sigstore.json")
	must(t, os.WriteFile(p, b, 0o644))
	return p
}

func expectVerified(t *testing.T, st stack, v version, bundles [][]byte, artifact, digest string) {
	t.Helper()
	bundle := writeBundle(t, bundles[0])
	if code, out := tool(t, "cosign", cosignArgs(st, v, bundle, artifact, digest, nil)...); code != 0 {
		t.Errorf("cosign refused a good bundle for %s:\n%s", artifact, out)
	}
	if code, out := tool(t, "gh", ghArgs(st, v, bundle, artifact)...); code != 0 {
		t.Errorf("gh refused a good bundle for %s:\n%s", artifact, out)
	}
	if code, out := provenantVerify(t, verifyArgs(st, v, bundle, artifact, digest, "--signer-workflow", signer, "--source-ref", ref)...); code != 0 {
		t.Errorf("provenant verify refused a good bundle for %s:\n%s", artifact, out)
	}
}

// expectRefusals checks that both verifiers refuse a tampered artifact, the
// wrong repository and the wrong signer workflow.
func expectRefusals(t *testing.T, st stack, v version, bundles [][]byte, s *step) {
	t.Helper()
	bundle := writeBundle(t, bundles[0])
	tampered := filepath.Join(t.TempDir(), "app_linux_amd64")
	must(t, os.WriteFile(tampered, append(read(t, filepath.Join(s.ws, "dist/app_linux_amd64")), '!'), 0o644))
	good := filepath.Join(s.ws, "dist/app_linux_amd64")
	cases := []struct {
		name      string
		cosign    []string
		gh        []string
		provenant []string
	}{
		{"tampered_artifact", cosignArgs(st, v, bundle, tampered, "", nil), ghArgs(st, v, bundle, tampered),
			verifyArgs(st, v, bundle, tampered, "")},
		{"wrong_repository",
			cosignArgs(st, v, bundle, good, "", map[string]string{"--certificate-github-workflow-repository": "evil-org/octo-repo"}),
			ghArgs(st, v, bundle, good, "--repo", "evil-org/octo-repo"),
			append(verifyArgs(st, v, bundle, good, ""), "--source-uri", "github.com/evil-org/octo-repo")},
		{"wrong_signer_workflow",
			cosignArgs(st, v, bundle, good, "", map[string]string{"--certificate-identity": "https://github.com/octo-org/octo-repo/.github/workflows/other.yml@refs/tags/v1.2.3"}),
			ghArgs(st, v, bundle, good, "--owner", owner, "--signer-workflow", "octo-org/octo-repo/.github/workflows/other.yml"),
			verifyArgs(st, v, bundle, good, "", "--signer-workflow", "octo-org/octo-repo/.github/workflows/other.yml")},
	}
	for _, tc := range cases {
		if code, out := tool(t, "cosign", tc.cosign...); code == 0 {
			t.Errorf("%s: cosign accepted it:\n%s", tc.name, out)
		}
		if code, out := tool(t, "gh", tc.gh...); code == 0 {
			t.Errorf("%s: gh accepted it:\n%s", tc.name, out)
		}
		if code, out := provenantVerify(t, tc.provenant...); code != 1 {
			t.Errorf("%s: provenant verify exit %d, want 1:\n%s", tc.name, code, out)
		}
	}
}
