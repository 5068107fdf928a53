package e2e

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/provenant/provenant/internal/sink/oci"
)

// registries are the two real registries the stack runs with --registry:
// Debian's docker-registry (no referrers API: the fallback tag) and
// go-containerregistry's registry with the referrers API on.
func registries(t *testing.T) map[string]string {
	t.Helper()
	st := needStack(t)
	r := map[string]string{"docker-registry": st.registry, "referrers-api": st.registryReferrers}
	if r["docker-registry"] == "" || r["referrers-api"] == "" {
		t.Skip("registry tests need the stack's registries: -stack with --registry (make e2e's second mode)")
	}
	return r
}

// pushImage pushes a random image and returns its digest reference.
func pushImage(t *testing.T, registry, repo string) string {
	t.Helper()
	img, err := random.Image(512, 2)
	must(t, err)
	tag, err := name.NewTag(registry + "/" + repo + ":build")
	must(t, err)
	must(t, remote.Write(tag, img))
	d, err := img.Digest()
	must(t, err)
	return registry + "/" + repo + "@" + d.String()
}

// TestAttest_pushToRegistry attests an image on each registry, twice (SLSA
// v1 then v0.2, the second also in cosign's legacy layout), and checks that
// cosign and gh find and verify both attestations from the registry.
func TestAttest_pushToRegistry(t *testing.T) {
	st := needStack(t)
	for kind, reg := range registries(t) {
		t.Run(kind, func(t *testing.T) {
			ref := pushImage(t, reg, "octo-org/app-"+kind)
			for _, v := range versions {
				s := newStep(t, st, "tag_push")
				s.run(map[string]string{"IMAGE": ref, "PUSH-TO-REGISTRY": "true", "PREDICATE-VERSION": v.input,
					"OCI-LEGACY-ATT": fmt.Sprint(v.input == "v0.2")})
				s.expectSigned(1, 1)
				if !strings.Contains(string(read(t, s.summary)), "| registry |") {
					t.Errorf("summary does not list the registry copy:\n%s", read(t, s.summary))
				}
			}
			// Both attestations must be found: the second did not hide the first.
			for _, v := range versions {
				if code, out := tool(t, "cosign", cosignOCIArgs(st, v, ref)...); code != 0 {
					t.Errorf("cosign verify-attestation --type %s on %s:\n%s", v.cosignType, kind, out)
				}
				if code, out := tool(t, "gh", ghOCIArgs(st, v, ref, "--signer-workflow", signer)...); code != 0 {
					t.Errorf("gh attestation verify oci:// (%s) on %s:\n%s", v.uri, kind, out)
				}
				if code, out := provenantVerify(t, verifyOCIArgs(st, v, ref, "--signer-workflow", signer)...); code != 0 {
					t.Errorf("provenant verify oci:// (%s) on %s:\n%s", v.uri, kind, out)
				}
			}
			// cosign's legacy .att copy of the v0.2 attestation, converted
			// back to a bundle. The layout carries only a Rekor v1 entry: a
			// copy made with Rekor v2 has no log entry, so it is refused under
			// a root that lists logs and verifies without one (signature,
			// chain and timestamps hold).
			legacy := legacyBundle(t, ref)
			digest := ref[strings.Index(ref, "@sha256:")+len("@sha256:"):]
			args := verifyArgs(st, versions[1], legacy, "", digest, "--signer-workflow", signer)
			code, out := provenantVerify(t, args...)
			switch {
			case st.rekor == "v1" && code != 0:
				t.Errorf("provenant verify of the legacy .att attestation on %s:\n%s", kind, out)
			case st.rekor != "v1" && (code != 1 || !strings.Contains(out, "transparency log")):
				t.Errorf("the legacy .att copy has no log entry but was not refused for it on %s (exit %d):\n%s", kind, code, out)
			}
			if st.rekor != "v1" {
				if code, out := provenantVerify(t, withRoot(args, st.trustedRootNoTlogJSONL)...); code != 0 {
					t.Errorf("provenant verify of the legacy .att attestation without a log on %s:\n%s", kind, out)
				}
			}
			if code, out := provenantVerify(t, verifyOCIArgs(st, versions[0], ref, "--signer-workflow", "octo-org/octo-repo/.github/workflows/other.yml")...); code != 1 {
				t.Errorf("provenant verify accepted a wrong signer workflow from the registry (exit %d):\n%s", code, out)
			}
			if code, out := tool(t, "gh", ghOCIArgs(st, versions[0], ref, "--signer-workflow", "octo-org/octo-repo/.github/workflows/other.yml")...); code == 0 {
				t.Errorf("gh accepted a wrong signer workflow from the registry:\n%s", out)
			}
		})
	}
}

func cosignOCIArgs(st stack, v version, ref string) []string {
	args := []string{"verify-attestation", "--trusted-root", st.trustedRoot, "--allow-http-registry",
		"--certificate-identity", builder, "--certificate-oidc-issuer", st.issuer,
		"--certificate-github-workflow-repository", repo, "--type", v.cosignType}
	if st.tsa {
		args = append(args, "--use-signed-timestamps")
	}
	if !st.ct {
		args = append(args, "--insecure-ignore-sct")
	}
	if st.rekor == "none" {
		args = append(args, "--insecure-ignore-tlog")
	}
	return append(args, ref)
}

func ghOCIArgs(st stack, v version, ref string, extra ...string) []string {
	root := st.trustedRootJSONL
	if st.rekor == "none" {
		root = st.trustedRootNoTlogJSONL
	}
	args := []string{"attestation", "verify", "oci://" + ref, "--bundle-from-oci", "--custom-trusted-root", root,
		"--owner", owner, "--cert-oidc-issuer", st.issuer, "--predicate-type", v.uri}
	return append(args, extra...)
}

// pushIndex pushes a two-platform image index and returns its digest
// reference and those of its platform manifests.
func pushIndex(t *testing.T, registry, repo string) (string, []string) {
	t.Helper()
	var adds []mutate.IndexAddendum
	var platforms []string
	for _, arch := range []string{"amd64", "arm64"} {
		img, err := random.Image(256, 1)
		must(t, err)
		d, err := img.Digest()
		must(t, err)
		platforms = append(platforms, registry+"/"+repo+"@"+d.String())
		adds = append(adds, mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{
			MediaType: types.OCIManifestSchema1, Platform: &v1.Platform{OS: "linux", Architecture: arch}}})
	}
	idx := mutate.IndexMediaType(mutate.AppendManifests(empty.Index, adds...), types.OCIImageIndex)
	tag, err := name.NewTag(registry + "/" + repo + ":multi")
	must(t, err)
	must(t, remote.WriteIndex(tag, idx))
	d, err := idx.Digest()
	must(t, err)
	return registry + "/" + repo + "@" + d.String(), platforms
}

// TestAttest_attestPlatforms attests an image index with attest-platforms:
// the statement covers the index and both platform images, and cosign and
// gh verify the attestation from the registry for each of them. Without the
// option a platform image has no attestation.
func TestAttest_attestPlatforms(t *testing.T) {
	st := needStack(t)
	reg := registries(t)["referrers-api"]
	index, platforms := pushIndex(t, reg, "octo-org/multi")
	v := versions[0]

	s := newStep(t, st, "tag_push")
	s.run(map[string]string{"IMAGE": index, "PUSH-TO-REGISTRY": "true"})
	s.expectSigned(1, 1)
	if code, out := tool(t, "cosign", cosignOCIArgs(st, v, platforms[0])...); code == 0 {
		t.Fatalf("cosign found an attestation for a platform image that was not attested:\n%s", out)
	}

	s = newStep(t, st, "tag_push")
	s.run(map[string]string{"IMAGE": index, "PUSH-TO-REGISTRY": "true", "ATTEST-PLATFORMS": "true"})
	s.expectSigned(1, 3)
	for _, ref := range append([]string{index}, platforms...) {
		if code, out := tool(t, "cosign", cosignOCIArgs(st, v, ref)...); code != 0 {
			t.Errorf("cosign verify-attestation %s:\n%s", ref, out)
		}
		if code, out := tool(t, "gh", ghOCIArgs(st, v, ref, "--signer-workflow", signer)...); code != 0 {
			t.Errorf("gh attestation verify oci://%s:\n%s", ref, out)
		}
		if code, out := provenantVerify(t, verifyOCIArgs(st, v, ref)...); code != 0 {
			t.Errorf("provenant verify oci://%s:\n%s", ref, out)
		}
	}
}

// verifyOCIArgs builds `provenant verify oci://…` for the stack's mode.
func verifyOCIArgs(st stack, v version, ref string, extra ...string) []string {
	args := verifyArgs(st, v, "", "", "", extra...)
	// verifyArgs starts with verify --bundle "" and ends with the artifact.
	return append(append([]string{"verify"}, args[3:len(args)-1]...), "oci://"+ref)
}

// legacyBundle fetches the image's attestations as provenant verify does
// and writes the one rebuilt from cosign's legacy .att layout to a file.
func legacyBundle(t *testing.T, ref string) string {
	t.Helper()
	found, err := oci.Fetch(t.Context(), ref)
	must(t, err)
	for _, f := range found {
		if strings.HasPrefix(f.Where, "legacy") && f.Bundle != nil {
			return writeBundle(t, f.Bundle)
		}
	}
	t.Fatalf("no usable legacy .att attestation among %d found", len(found))
	return ""
}
