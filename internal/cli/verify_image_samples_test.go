package cli

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/provenant/provenant/internal/testing/ociregistry"
)

// TestVerify_containerGeneratorSample checks slsa-github-generator's
// container generator (v2.1.0): cosign's legacy sha256-<hex>.att image,
// a DSSE layer whose annotations carry the certificate, its chain and the
// Rekor SET. The OCI layout slsa-verifier keeps is served, .att image
// only, by an in-process registry; the verdicts are those of
// slsa-verifier's image tests.
func TestVerify_containerGeneratorSample(t *testing.T) {
	const (
		image   = "sha256:234e2c830c2fb31ac5671789d22adfe44d30c3ee831d01beae5e237841a13122"
		att     = "sha256:21454caf3a160dfbe6359f0501aa8401c6c0f2c7a8b71380ea21f8c4b48b64fe"
		builder = generatorFlows + "generator_container_slsa3.yml"
	)
	idx, err := layout.ImageIndexFromPath(sv + "gha_generic_container_v2.1.0_container_workflow_dispatch")
	if err != nil {
		t.Fatal(err)
	}
	h, err := v1.NewHash(att)
	if err != nil {
		t.Fatal(err)
	}
	img, err := idx.Image(h)
	if err != nil {
		t.Fatal(err)
	}
	reg := httptest.NewServer(ociregistry.New(false))
	t.Cleanup(reg.Close)
	host := strings.TrimPrefix(reg.URL, "http://")
	tag, err := name.NewTag(host + "/slsa-framework/example-package:" + strings.Replace(image, ":", "-", 1) + ".att")
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(tag, img); err != nil {
		t.Fatal(err)
	}
	ref := "oci://" + host + "/slsa-framework/example-package@" + image
	base := []string{ref, "--trusted-root", pgRoot}
	runSampleCases(t, []sampleCase{
		{"default", with(base, "--source-uri", examplePackage), true,
			[]string{"built by     " + builder + "@refs/tags/v2.1.0", "legacy tag"}},
		{"builder", with(base, "--source-uri", examplePackage, "--builder-id", builder), true, nil},
		{"builder_short_tag", with(base, "--source-uri", examplePackage, "--builder-id", builder+"@v2.1.0"), true, nil},
		{"builder_full_ref", with(base, "--source-uri", examplePackage, "--builder-id", builder+"@refs/tags/v2.1.0"), true, nil},
		{"untrusted_builder", with(base, "--source-uri", examplePackage, "--builder-id", untrustedFlow), false, []string{"builder"}},
		{"branch_main", with(base, "--source-uri", examplePackage, "--source-branch", "main"), true, nil},
		{"branch_master", with(base, "--source-uri", examplePackage, "--source-branch", "master"), false, []string{"source ref"}},
		{"source_append", with(base, "--source-uri", examplePackage+"A"), false, []string{"source repository"}},
		{"source_middle", with(base, "--source-uri", "github.com/Aslsa-framework/example-package"), false, []string{"source repository"}},
		{"tag_on_dispatch", with(base, "--source-uri", examplePackage, "--source-tag", "v1.2.3"), false, []string{"source ref"}},
		{"versioned_tag_on_dispatch", with(base, "--source-uri", examplePackage, "--source-versioned-tag", "v1"), false,
			[]string{"source versioned tag"}},
		{"other_image", []string{"oci://" + host + "/slsa-framework/example-package@sha256:" + strings.Repeat("a", 64), "--trusted-root", pgRoot,
			"--source-uri", examplePackage}, false, []string{"no attestation is attached to the image"}},
	})
}
