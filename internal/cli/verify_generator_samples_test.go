package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// sampleCase is one verification of a real sample: the arguments, whether
// it must verify, and what the verdict on stdout (or, when there is none,
// the error on stderr) must hold: for a refusal, the name of the check
// that failed.
type sampleCase struct {
	name string
	args []string
	ok   bool
	want []string
}

func runSampleCases(t *testing.T, cases []sampleCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runVerifyCmd(t, tc.args...)
			if (code == ExitOK) != tc.ok {
				t.Fatalf("exit %d, want success %t:\n%s%s", code, tc.ok, stdout, stderr)
			}
			out := stdout
			if out == "" {
				out = stderr
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("output does not hold %q:\n%s%s", w, stdout, stderr)
				}
			}
		})
	}
}

// with is args followed by more.
func with(args []string, more ...string) []string {
	return append(append([]string(nil), args...), more...)
}

const (
	pgRoot          = samples + "sigstore-go/trusted-root-public-good.json"
	sv              = samples + "slsa-verifier/"
	examplePackage  = "github.com/slsa-framework/example-package"
	generatorFlows  = "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/"
	exampleTRW      = "https://github.com/slsa-framework/example-trw/.github/workflows/builder_high-perms_slsa3.yml"
	untrustedFlow   = generatorFlows + "not-trusted.yml"
	genericBinary   = "sha256:376e7e01348585b6e6643bc6663146b9d525d9b41228bf180eaeb4d4a3706caa" // gha_generic v2.1.0
	rulesLintTarGz  = "sha256:1636f443b01c9ee310ee5834956d0dce374c3d3bf8d4cebc9f6b86f8304b4982"
	bcrPublisher    = "bazel-contrib/publish-to-bcr/.github/workflows/publish.yaml"
	bcrReleaser     = "bazel-contrib/.github/.github/workflows/release_ruleset.yaml"
	rulesLintSource = "github.com/aspect-build/rules_lint"
)

// byob is the arguments for one of slsa-verifier's delegated-builder
// samples (`.build.slsa` beside the artifact).
func byob(builder, version, artifact string) []string {
	f := sv + builder + "_" + version + "_binary-linux-amd64-" + artifact
	return []string{f, "--bundle", f + ".build.slsa", "--trusted-root", pgRoot}
}

// containerBased is the arguments for a container-based builder sample.
func containerBased(artifact string) []string {
	f := sv + "gha_container-based_v2.1.0_binary-linux-amd64-" + artifact
	return []string{f, "--bundle", f + ".intoto.build.slsa", "--trusted-root", pgRoot}
}

// jsonl is the arguments for an `.intoto.jsonl` sample of the artifact
// with the given digest.
func jsonl(digest, builder, version, artifact string) []string {
	return []string{"--digest", digest, "--provenance-path", sv + builder + "_" + version + "_binary-linux-amd64-" + artifact + ".intoto.jsonl",
		"--trusted-root", pgRoot}
}

// TestVerify_slsaVerifierSamples gives, on slsa-verifier's own test data,
// the verdicts slsa-verifier's regression tests expect
// (cli/slsa-verifier/main_regression_test.go at the commit the README
// names), with the same policies: source, branch, tag and builder, the
// builder given by name, as name@vX.Y.Z and as name@refs/tags/vX.Y.Z.
// Two differences are deliberate and tested as such: slsa-verifier's
// tests run with SLSA_VERIFIER_TESTING, which lets its own e2e repository
// use builders at refs/heads/main; without it slsa-verifier refuses them,
// as provenant does. And slsa-verifier trusts only its known builders
// when no --builder-id is given; provenant, as gh, accepts any signer of
// the source repository then, and warns.
func TestVerify_slsaVerifierSamples(t *testing.T) {
	delegator := byob("gha_delegator", "v2.1.0", "workflow_dispatch")
	maven := byob("gha_maven", "v2.1.0", "workflow_dispatch")
	gradle := byob("gha_gradle", "v2.1.0", "push-v14")
	container := containerBased("workflow_dispatch")
	const (
		mavenBuilder     = generatorFlows + "builder_maven_slsa3.yml"
		gradleBuilder    = generatorFlows + "builder_gradle_slsa3.yml"
		containerBuilder = generatorFlows + "builder_container-based_slsa3.yml"
		genericBuilder   = generatorFlows + "generator_generic_slsa3.yml"
	)
	cases := []sampleCase{
		// Delegated builders (BYOB): the certificate names the delegator,
		// the predicate the builder, which --builder-id is compared with.
		{"delegator", with(delegator, "--source-uri", examplePackage, "--builder-id", exampleTRW), true,
			[]string{"built by     " + exampleTRW + "@refs/tags/v2.1.0", "delegator-generic@v0"}},
		{"delegator_builder_short_tag", with(delegator, "--source-uri", examplePackage, "--builder-id", exampleTRW+"@v2.1.0"), true, nil},
		{"delegator_builder_full_ref", with(delegator, "--source-uri", examplePackage, "--builder-id", exampleTRW+"@refs/tags/v2.1.0"), true, nil},
		{"delegator_builder_other_tag", with(delegator, "--source-uri", examplePackage, "--builder-id", exampleTRW+"@v2.0.0"), false, []string{"builder"}},
		{"delegator_untrusted_builder", with(delegator, "--source-uri", examplePackage, "--builder-id", untrustedFlow), false,
			[]string{"builder: builder (predicate builder.id"}},
		{"delegator_branch_main", with(delegator, "--source-uri", examplePackage, "--builder-id", exampleTRW, "--source-branch", "main"), true, nil},
		{"delegator_branch_master", with(delegator, "--source-uri", examplePackage, "--builder-id", exampleTRW, "--source-branch", "master"), false,
			[]string{"source ref"}},
		{"delegator_tag_on_dispatch", with(delegator, "--source-uri", examplePackage, "--builder-id", exampleTRW, "--source-tag", "v1.2.3"), false,
			[]string{"source ref"}},
		{"delegator_source_append", with(delegator, "--source-uri", "github.com/laurentsimon/slsa-verifier-test-genA", "--builder-id", exampleTRW), false,
			[]string{"source repository"}},
		{"delegator_source_prefix", with(delegator, "--source-uri", "github.com/laurentsimon/slsa-verifier-test-gen", "--builder-id", exampleTRW), false,
			[]string{"source repository"}},
		{"delegator_push_v13.0.30", with(byob("gha_delegator", "v2.1.0", "push-v13.0.30"), "--source-uri", examplePackage, "--builder-id", exampleTRW,
			"--source-tag", "v13.0.30"), true, nil},
		{"delegator_push_v13.0.30_other_tag", with(byob("gha_delegator", "v2.1.0", "push-v13.0.30"), "--source-uri", examplePackage,
			"--builder-id", exampleTRW, "--source-tag", "v13.0.29"), false, []string{"source ref"}},
		{"delegator_push_v14", with(byob("gha_delegator", "v2.1.0", "push-v14"), "--source-uri", examplePackage, "--builder-id", exampleTRW+"@v2.1.0",
			"--source-tag", "v14"), true, nil},
		{"delegator_push_v14.2", with(byob("gha_delegator", "v2.1.0", "push-v14.2"), "--source-uri", examplePackage, "--builder-id", exampleTRW,
			"--source-tag", "v14.2"), true, nil},
		{"delegator_at_main", with(byob("gha_delegator", "v1.9.0", "push-v14"), "--source-uri", examplePackage, "--builder-id", exampleTRW), false,
			[]string{"delegator: certificate identity \"" + generatorFlows + "delegator_generic_slsa3.yml@refs/heads/main\""}},
		{"maven", with(maven, "--source-uri", examplePackage), true,
			[]string{"built by     " + mavenBuilder + "@refs/tags/v2.1.0"}},
		{"maven_builder", with(maven, "--source-uri", examplePackage, "--builder-id", mavenBuilder), true, nil},
		{"maven_builder_short_tag", with(maven, "--source-uri", examplePackage, "--builder-id", mavenBuilder+"@v2.1.0"), true, nil},
		{"maven_untrusted_builder", with(maven, "--source-uri", examplePackage, "--builder-id", untrustedFlow), false, []string{"builder"}},
		{"maven_other_builder", with(maven, "--source-uri", examplePackage, "--builder-id", gradleBuilder), false, []string{"builder"}},
		{"maven_push_v13.0.30_tag_v13", with(byob("gha_maven", "v2.1.0", "push-v13.0.30"), "--source-uri", examplePackage,
			"--builder-id", mavenBuilder, "--source-tag", "v13"), false, []string{"source ref"}},
		{"maven_push_v13.0.30", with(byob("gha_maven", "v2.1.0", "push-v13.0.30"), "--source-uri", examplePackage,
			"--builder-id", mavenBuilder+"@refs/tags/v2.1.0", "--source-tag", "v13.0.30"), true, nil},
		{"gradle", with(gradle, "--source-uri", examplePackage, "--builder-id", gradleBuilder, "--source-tag", "v14"), true,
			[]string{"built by     " + gradleBuilder + "@refs/tags/v2.1.0"}},
		{"gradle_other_source", with(gradle, "--source-uri", "github.com/Aslsa-framework/example-package", "--builder-id", gradleBuilder), false,
			[]string{"source repository"}},
		{"gradle_dispatch_branch_main", with(byob("gha_gradle", "v2.1.0", "workflow_dispatch"), "--source-uri", examplePackage,
			"--builder-id", gradleBuilder, "--source-branch", "main"), true, nil},
		// The container-based builder: SLSA v1.0, the builder is the signer.
		{"container_based", with(container, "--source-uri", examplePackage), true,
			[]string{"https://slsa.dev/container-based-build/v0.1?draft", "built by     " + containerBuilder + "@refs/tags/v2.1.0"}},
		{"container_based_builder", with(container, "--source-uri", examplePackage, "--builder-id", containerBuilder), true, nil},
		{"container_based_builder_short_tag", with(container, "--source-uri", examplePackage, "--builder-id", containerBuilder+"@v2.1.0"), true, nil},
		{"container_based_builder_full_ref", with(container, "--source-uri", examplePackage, "--builder-id", containerBuilder+"@refs/tags/v2.1.0"), true, nil},
		{"container_based_untrusted_builder", with(container, "--source-uri", examplePackage, "--builder-id", untrustedFlow), false,
			[]string{"builder: builder (certificate identity)"}},
		{"container_based_branch_main", with(container, "--source-uri", examplePackage, "--source-branch", "main"), true, nil},
		{"container_based_branch_master", with(container, "--source-uri", examplePackage, "--source-branch", "master"), false, []string{"source ref"}},
		{"container_based_tag_on_dispatch", with(container, "--source-uri", examplePackage, "--source-tag", "v1.2.3"), false, []string{"source ref"}},
		{"container_based_source_append", with(container, "--source-uri", examplePackage+"A"), false, []string{"source repository"}},
		{"container_based_source_middle", with(container, "--source-uri", "github.com/Aslsa-framework/example-package"), false,
			[]string{"source repository"}},
		{"container_based_push_v13.0.30", with(containerBased("push-v13.0.30"), "--source-uri", examplePackage, "--source-tag", "v13.0.30",
			"--builder-id", containerBuilder), true, nil},
		{"container_based_push_v14.2", with(containerBased("push-v14.2"), "--source-uri", examplePackage, "--source-tag", "v14.2"), true, nil},
		// More bundles of the generic generator (v2.1.0).
		{"generic_push_v13.0.30", with(jsonl(genericBinary, "gha_generic", "v2.1.0", "push-v13.0.30"), "--source-uri", examplePackage,
			"--source-tag", "v13.0.30", "--builder-id", genericBuilder+"@v2.1.0"), true, nil},
		{"generic_push_v13.0.30_tag_v13.0", with(jsonl(genericBinary, "gha_generic", "v2.1.0", "push-v13.0.30"), "--source-uri", examplePackage,
			"--source-tag", "v13.0"), false, []string{"source ref"}},
		{"generic_push_v14.2", with(jsonl(genericBinary, "gha_generic", "v2.1.0", "push-v14.2"), "--source-uri", examplePackage,
			"--source-tag", "v14.2", "--builder-id", genericBuilder+"@refs/tags/v2.1.0"), true, nil},
		{"generic_push_v14.2_untrusted_builder", with(jsonl(genericBinary, "gha_generic", "v2.1.0", "push-v14.2"), "--source-uri", examplePackage,
			"--builder-id", untrustedFlow), false, []string{"builder"}},
		{"generic_push_v14.2_other_artifact", with(jsonl("sha256:2892146b063a94cb4a4318c0e98d38af12dcf2b1e29237486b58463b59607bbd",
			"gha_generic", "v2.1.0", "push-v14.2"), "--source-uri", examplePackage), false, []string{"artifact not in the statement's subjects"}},
	}
	// Versioned tags, as slsa-verifier's tests give them for each tag.
	for _, v := range []struct {
		artifact, version string
		ok                bool
	}{
		{"push-v13.0.30", "v13.0.30", true}, {"push-v13.0.30", "v13.0", true}, {"push-v13.0.30", "v13", true},
		{"push-v13.0.30", "v2", false}, {"push-v13.0.30", "v13.1", false}, {"push-v13.0.30", "v12.9", false},
		{"push-v13.0.30", "v13.0.29", false}, {"push-v13.0.30", "v13.0.31", false},
		{"push-v14", "v14", true}, {"push-v14", "v14.0", true}, {"push-v14", "v14.1", false}, {"push-v14", "v15", false},
		{"push-v14.2", "v14.2", true}, {"push-v14.2", "v14", true}, {"push-v14.2", "v14.2.1", false}, {"push-v14.2", "v14.1", false},
		{"workflow_dispatch", "v1", false},
	} {
		var want []string
		if !v.ok {
			want = []string{"source versioned tag"}
		}
		cases = append(cases, sampleCase{"delegator_" + v.artifact + "_versioned_" + v.version,
			with(byob("gha_delegator", "v2.1.0", v.artifact), "--source-uri", examplePackage, "--builder-id", exampleTRW,
				"--source-versioned-tag", v.version), v.ok, want})
	}
	cases = append(cases,
		sampleCase{"container_based_versioned_v13", with(containerBased("push-v13.0.30"), "--source-uri", examplePackage,
			"--source-versioned-tag", "v13"), true, nil},
		sampleCase{"container_based_dispatch_versioned", with(container, "--source-uri", examplePackage, "--source-versioned-tag", "v1"), false,
			[]string{"source versioned tag"}},
		sampleCase{"generic_versioned_v14.2", with(jsonl(genericBinary, "gha_generic", "v2.1.0", "push-v14.2"), "--source-uri", examplePackage,
			"--source-versioned-tag", "v14.2"), true, nil},
		sampleCase{"generic_versioned_v14.2.3", with(jsonl(genericBinary, "gha_generic", "v2.1.0", "push-v14.2"), "--source-uri", examplePackage,
			"--source-versioned-tag", "v14.2.3"), false, []string{"source versioned tag"}},
		// A versioned tag and a branch cannot both hold.
		sampleCase{"gradle_versioned_and_branch", with(gradle, "--source-uri", examplePackage, "--source-versioned-tag", "v14",
			"--source-branch", "main"), false, []string{"source ref"}},
	)
	runSampleCases(t, cases)
}

// TestVerify_githubAttestationSamples checks the Bazel Central Registry
// attestations slsa-verifier keeps (actions/attest-build-provenance, from
// reusable workflows of bazel-contrib) as slsa-verifier's
// verify-github-attestation tests and gh attestation verify judge them:
// slsa-verifier's builder ID there is the signing workflow.
func TestVerify_githubAttestationSamples(t *testing.T) {
	module := []string{sv + "bcr_MODULE.bazel", "--bundle", sv + "bcr_MODULE.bazel.intoto.jsonl", "--trusted-root", pgRoot}
	wrongSigner := []string{sv + "bcr_MODULE-wrong-signer.bazel", "--bundle", sv + "bcr_MODULE-wrong-signer.bazel.intoto.jsonl", "--trusted-root", pgRoot}
	archive := []string{"--digest", rulesLintTarGz, "--provenance-path", sv + "bcr_rules_lint-v1.3.1.tar.gz.intoto.jsonl", "--trusted-root", pgRoot}
	cases := []sampleCase{
		{"module_publisher", with(module, "--source-uri", rulesLintSource, "--signer-workflow", bcrPublisher), true,
			[]string{"built by     https://github.com/" + bcrPublisher + "@refs/tags/v0.0.1"}},
		{"module_publisher_as_builder", with(module, "--source-uri", rulesLintSource, "--builder-id", "https://github.com/"+bcrPublisher), true, nil},
		{"module_repo_publisher", with(module, "--repo", "aspect-build/rules_lint", "--signer-workflow", bcrPublisher), true, nil},
		// gh --repo alone wants a workflow of the repository as the signer.
		{"module_repo_no_signer", with(module, "--repo", "aspect-build/rules_lint"), false, []string{"signer repository"}},
		{"module_releaser", with(module, "--source-uri", rulesLintSource, "--signer-workflow", bcrReleaser), false, []string{"signer workflow"}},
		{"module_wrong_signer", with(wrongSigner, "--source-uri", rulesLintSource, "--signer-workflow", bcrPublisher), false,
			[]string{"signer workflow", "source repository"}},
		{"module_wrong_signer_repo", with(wrongSigner, "--repo", "aspect-build/rules_lint"), false, []string{"signer repository"}},
		{"archive_releaser", with(archive, "--source-uri", rulesLintSource, "--signer-workflow", bcrReleaser), true,
			[]string{"https://actions.github.io/buildtypes/workflow/v1"}},
		{"archive_repo_no_signer", with(archive, "--repo", "aspect-build/rules_lint"), false, []string{"signer repository"}},
	}
	runSampleCases(t, cases)
}

// npmProvenance writes the SLSA provenance bundle of an npm registry
// attestations document ({"attestations": [{predicateType, bundle}]}, as
// an npm registry serves it at /-/npm/v1/attestations/NAME@VERSION) to a
// file, as a user would extract it with jq.
func npmProvenance(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Attestations []struct {
			PredicateType string          `json:"predicateType"`
			Bundle        json.RawMessage `json:"bundle"`
		} `json:"attestations"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	for _, a := range doc.Attestations {
		if strings.HasPrefix(a.PredicateType, "https://slsa.dev/provenance/") {
			dst := filepath.Join(t.TempDir(), filepath.Base(path))
			if err := os.WriteFile(dst, a.Bundle, 0o644); err != nil {
				t.Fatal(err)
			}
			return dst
		}
	}
	t.Fatalf("%s holds no SLSA provenance", path)
	return ""
}

// TestVerify_npmSamples checks npm's provenance of packages slsa-verifier
// keeps with its npm tests, and the copies whose provenance signature
// slsa-verifier's tests expect to fail: from the registry's attestations
// document as it is, and from the provenance bundle taken out of it.
func TestVerify_npmSamples(t *testing.T) {
	// The registry's document as served, with npm's publish attestation
	// (signed with the registry's key, which provenant does not check)
	// beside the provenance.
	npm := func(pkg string) []string {
		return []string{sv + "npm_gha_" + pkg + ".tgz", "--provenance-path", sv + "npm_gha_" + pkg + ".tgz.json", "--trusted-root", pgRoot}
	}
	tampered := func(pkg string) []string {
		return []string{sv + "npm_gha_" + pkg + ".tgz", "--provenance-path", sv + "npm_gha_" + pkg + "-invalidsigprov.tgz.json", "--trusted-root", pgRoot}
	}
	extracted := func(pkg string) []string {
		return []string{sv + "npm_gha_" + pkg + ".tgz", "--bundle", npmProvenance(t, sv+"npm_gha_"+pkg+".tgz.json"), "--trusted-root", pgRoot}
	}
	cases := []sampleCase{
		{"v1", with(npm("gundam-visor-cli-v1-tag"), "--source-uri", "github.com/ramonpetgrave64/gundam-visor"), true,
			[]string{"sha512:", "https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1", "attestations[1] (https://slsa.dev/provenance/v1)"}},
		{"v1_bundle_taken_out", with(extracted("gundam-visor-cli-v1-tag"), "--source-uri", "github.com/ramonpetgrave64/gundam-visor"), true,
			[]string{"sha512:", "https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1"}},
		{"v0.2_bundle_taken_out", with(extracted("supreme-googles-cli-v02-tag"), "--source-uri", "github.com/trishankatdatadog/supreme-goggles"), true,
			[]string{"https://github.com/npm/cli/gha/v2"}},
		{"v1_other_source", with(npm("gundam-visor-cli-v1-tag"), "--source-uri", "github.com/ramonpetgrave64/gundam-visorS"), false,
			[]string{"source repository"}},
		{"v1_invalid_signature", with(tampered("gundam-visor-cli-v1-tag"), "--source-uri", "github.com/ramonpetgrave64/gundam-visor"), false,
			[]string{"signature: the DSSE signature does not verify"}},
		{"v0.2", with(npm("supreme-googles-cli-v02-tag"), "--source-uri", "github.com/trishankatdatadog/supreme-goggles"), true,
			[]string{"https://github.com/npm/cli/gha/v2"}},
		{"v0.2_other_source", with(npm("supreme-googles-cli-v02-tag"), "--source-uri", "github.com/trishankatdatadog/supreme-goggle"), false,
			[]string{"source repository"}},
		// slsa-verifier refuses "supreme-goggleS"; GitHub's owner and
		// repository names are case-insensitive, so that is the same
		// repository, and provenant, as gh, accepts it.
		{"v0.2_source_other_case", with(npm("supreme-googles-cli-v02-tag"), "--source-uri", "github.com/trishankatdatadog/supreme-goggleS"), true, nil},
		{"v0.2_invalid_signature", with(tampered("supreme-googles-cli-v02-tag"), "--source-uri", "github.com/trishankatdatadog/supreme-goggles"), false,
			[]string{"signature: the DSSE signature does not verify"}},
		{"sigstore_2.3.1", with(npm("provenance-npm-test-cli-v1-prega"), "--source-uri", "github.com/sigstore/sigstore-js"), true, nil},
	}
	runSampleCases(t, cases)
}

// TestVerify_ghSamples checks more of gh's test data and sigstore-go's as
// gh judges them (gh attestation verify --custom-trusted-root, offline).
func TestVerify_ghSamples(t *testing.T) {
	const gh = samples + "gh/"
	tgz := gh + "sigstore-js-2.1.0.tgz"
	sigstoreJS220 := []string{"--digest", "sha512:7dc53d7251f012cb36fccff5d4514cf09c1ce0f8c181b857a0db24a0ae60ba82b4a8640149e51b419449f81d9f0c522f8727f482a09a3eb7a5f66b336e1031ba",
		"--trusted-root", pgRoot, "--owner", "sigstore"}
	cases := []sampleCase{
		{"two_bundles", []string{tgz, "--provenance-path", gh + "sigstore-js-2.1.0_with_2_bundles.jsonl", "--trusted-root", gh + "trusted_root.json",
			"--source-uri", "github.com/sigstore/sigstore-js", "--source-branch", "main"}, true, []string{"OK"}},
		{"invalid_signature", []string{tgz, "--bundle", gh + "sigstoreBundle-invalid-signature.json", "--trusted-root", pgRoot,
			"--source-uri", "github.com/sigstore/sigstore-js"}, false, []string{"signature: the DSSE signature does not verify"}},
		{"sigstore_js_2.0.0", []string{"--digest", "sha512:46d4e2f74c4877316640000a6fdf8a8b59f1e0847667973e9859f774dd31b8f1e0937813b777fb66a2ac67d50540fe34640966eee9fc2ccca387082b4c85cd3c",
			"--bundle", samples + "sigstore-go/sigstore.js@2.0.0-provenance.sigstore.json", "--trusted-root", pgRoot,
			"--source-uri", "github.com/sigstore/sigstore-js", "--source-branch", "main"}, true,
			[]string{"https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1", "commit f0b49a04e5a62250e0f60fb128004a73110fe311"}},
		// sigstore@2.2.0's provenance as bundle v0.2 and v0.3, which gh's
		// integration test verified with --owner sigstore (gh since 2.55
		// refuses bundles before v0.3).
		{"sigstore_js_2.2.0_bundle_v0.2", with(sigstoreJS220, "--bundle", gh+"sigstore.js-2.2.0.bundle.json"), true,
			[]string{"built by     https://github.com/sigstore/sigstore-js/.github/workflows/release.yml@refs/heads/main"}},
		{"sigstore_js_2.2.0_bundle_v0.3", with(sigstoreJS220, "--bundle", gh+"sigstore.js-3.0.0.bundle.json"), true, nil},
		{"sigstore_js_2.2.0_other_owner", []string{"--digest", sigstoreJS220[1], "--bundle", gh + "sigstore.js-3.0.0.bundle.json",
			"--trusted-root", pgRoot, "--owner", "sigstore-js"}, false, []string{"source owner", "signer repository"}},
		{"invalid_mismatched_signatures", []string{tgz, "--bundle", gh + "sigstoreBundle-invalid-mismatched-signatures.json", "--trusted-root", pgRoot,
			"--owner", "sigstore"}, false, []string{"transparency log entry"}},
	}
	runSampleCases(t, cases)
}

// TestVerify_githubInstanceSamples checks attestations signed on GitHub's
// own Sigstore instance (GitHub's Fulcio and timestamp authority, no
// transparency log) and one of the same prober on public-good, under a
// trusted root file holding both instances as gh attestation
// trusted-root prints them. gh 2.83.0 verifies cli/cli's sample with it
// and refuses its copies without certificate or verification material.
func TestVerify_githubInstanceSamples(t *testing.T) {
	const (
		gh     = samples + "gh/"
		am     = samples + "automata/"
		roots  = am + "trusted_root.jsonl"
		prober = "actions/attest-build-provenance"
	)
	whl := gh + "github_provenance_demo-0.0.12-py3-none-any.whl"
	demo := func(bundle string) []string {
		return []string{whl, "--provenance-path", gh + "github_provenance_demo-0.0.12-py3-none-any-" + bundle + ".jsonl", "--trusted-root", roots}
	}
	probe := func(run, digest string) []string {
		return []string{"--digest", "sha256:" + digest, "--bundle", am + "actions-attest-build-provenance-attestation-" + run + ".sigstore.json",
			"--trusted-root", roots}
	}
	cases := []sampleCase{
		{"demo", with(demo("bundle"), "--repo", "actions/attest-demo"), true,
			[]string{"trusted root " + roots + " line 2", "build-python.yml@refs/heads/main"}},
		{"demo_signer_workflow", with(demo("bundle"), "--repo", "actions/attest-demo", "--signer-workflow", "actions/attest-demo/.github/workflows/build-python.yml"),
			true, nil},
		{"demo_other_repo", with(demo("bundle"), "--repo", "actions/attest-build-provenance"), false, []string{"source repository", "signer repository"}},
		{"demo_public_good_root_only", []string{whl, "--provenance-path", gh + "github_provenance_demo-0.0.12-py3-none-any-bundle.jsonl",
			"--trusted-root", pgRoot, "--repo", "actions/attest-demo"}, false, []string{"transparency log entry"}},
		{"demo_missing_cert", with(demo("bundle-missing-cert"), "--repo", "actions/attest-demo"), false, []string{"missing bundle content"}},
		{"demo_missing_verification_material", with(demo("bundle-missing-verification-material"), "--repo", "actions/attest-demo"), false,
			[]string{"missing verification material"}},
		{"prober_github_2025-11-18", with(probe("13531551", "b03d18ed0a16864ef2d2e559c660159a2170b9d086a1f42f570b1679326b90e6"), "--repo", prober), true,
			[]string{"https://actions.github.io/buildtypes/workflow/v1", "prober.yml@refs/heads/main", "line 2"}},
		{"prober_public_good_2025-11-18", with(probe("13532655", "bb030cb9e028ff6d4051f2103b3b08f7e3928aa80a7d3626cef6e2553dc714b8"), "--repo", prober),
			true, []string{"line 1"}},
		{"prober_github_2025-11-19", with(probe("13581567", "658913cfebe8a49165264e2b5e54ad99b3bdbfbc8cd281b3cfaa949a21588f18"), "--repo", prober,
			"--source-branch", "main"), true, nil},
		{"prober_github_2025-11-21", with(probe("13739985", "f4a0d47c6bdbf3bdbe3478a043b7030fcef5fdf34be90d841891803c2efe9fc5"), "--repo", prober,
			"--signer-workflow", prober+"/.github/workflows/prober.yml"), true, nil},
		{"prober_github_other_artifact", with(probe("13739985", "b03d18ed0a16864ef2d2e559c660159a2170b9d086a1f42f570b1679326b90e6"), "--repo", prober),
			false, []string{"artifact not in the statement's subjects"}},
		{"prober_github_tampered", []string{"--digest", "sha256:b03d18ed0a16864ef2d2e559c660159a2170b9d086a1f42f570b1679326b90e6",
			"--bundle", tamperPayload(t, am+"actions-attest-build-provenance-attestation-13531551.sigstore.json"), "--trusted-root", roots, "--repo", prober},
			false, []string{"signature"}},
	}
	runSampleCases(t, cases)
}
