package e2e

import (
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/random"

	"github.com/provenant/provenant/internal/sink/oci"
)

// TestRegistry_layouts covers the registry cases TestAttest_pushToRegistry
// and TestAttest_attestPlatforms leave out, on both of the stack's
// registries: an image index with its platforms, attestations kept in
// another repository, and an image that was never pushed.
func TestRegistry_layouts(t *testing.T) {
	st := needStack(t)
	for kind, reg := range registries(t) {
		t.Run(kind+"/index_and_platforms", func(t *testing.T) {
			index, platforms := pushIndex(t, reg, "octo-org/layout-index-"+kind)
			s := newStep(t, st, "tag_push")
			s.run(map[string]string{"IMAGE": index, "PUSH-TO-REGISTRY": "true", "ATTEST-PLATFORMS": "true", "OCI-LEGACY-ATT": "true"})
			s.expectSigned(1, 3)
			for _, ref := range append([]string{index}, platforms...) {
				if c := copiesOf(t, ref); len(c.referrers) != 1 || c.attLayers != 1 {
					t.Errorf("%s: %d referrers and %d .att layers, want 1 of each", ref, len(c.referrers), c.attLayers)
				}
				if code, out := provenantVerify(t, verifyOCIArgs(st, versions[0], ref, "--signer-workflow", signer)...); code != 0 {
					t.Errorf("provenant verify oci://%s:\n%s", ref, out)
				}
			}
		})
		t.Run(kind+"/attestation_repository", func(t *testing.T) {
			ref := pushImage(t, reg, "octo-org/layout-app-"+kind)
			attRepo := reg + "/octo-org/layout-attestations-" + kind
			s := newStep(t, st, "tag_push")
			s.run(map[string]string{"IMAGE": ref, "PUSH-TO-REGISTRY": "true", "ATTESTATION-REPOSITORY": attRepo, "OCI-LEGACY-ATT": "true"})
			s.expectSigned(1, 1)
			if found, err := oci.Fetch(t.Context(), ref); err != nil || len(found) != 0 {
				t.Errorf("the image's own repository holds %d attestations (%v), want none", len(found), err)
			}
			found, err := oci.Fetch(t.Context(), ref, oci.WithAttestationRepository(attRepo))
			must(t, err)
			if len(found) != 2 { // the referrer and the .att layer
				t.Fatalf("%s holds %d attestations for the image, want 2: %+v", attRepo, len(found), found)
			}
			digest := ref[strings.Index(ref, "@sha256:")+len("@sha256:"):]
			args := verifyArgs(st, versions[0], writeBundle(t, found[0].Bundle), "", digest, "--signer-workflow", signer)
			if code, out := provenantVerify(t, args...); code != 0 {
				t.Errorf("provenant verify of %s from %s:\n%s", found[0].Where, attRepo, out)
			}
		})
		t.Run(kind+"/missing_image", func(t *testing.T) {
			img, err := random.Image(64, 1)
			must(t, err)
			h, err := img.Digest()
			must(t, err)
			s := newStep(t, st, "tag_push")
			s.run(map[string]string{"IMAGE": reg + "/octo-org/layout-missing@" + h.String(), "PUSH-TO-REGISTRY": "true"})
			if s.code == 0 || !strings.Contains(s.stderr, "image not found") {
				t.Errorf("attesting an image that was never pushed: exit %d, stderr:\n%s", s.code, s.stderr)
			}
		})
	}
}
