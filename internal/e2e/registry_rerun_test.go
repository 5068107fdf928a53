package e2e

import (
	"bytes"
	"fmt"
	"maps"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/provenant/provenant/internal/sink/oci"
)

// jobStep is a step of a job in workflow run runID, attempt attempt: the
// fake issuer's tokens for it name that run, as GitHub's do.
func jobStep(t *testing.T, st stack, runID, attempt string) *step {
	t.Helper()
	s := newStep(t, st, "tag_push")
	s.env["GITHUB_RUN_ID"], s.env["GITHUB_RUN_ATTEMPT"] = runID, attempt
	s.env["ACTIONS_ID_TOKEN_REQUEST_TOKEN"] = running.NewJob(map[string]any{"run_id": runID, "run_attempt": attempt})
	return s
}

// command is `provenant attest` with the inputs, as step.run runs it.
func (s *step) command(inputs map[string]string) (*exec.Cmd, *bytes.Buffer, *bytes.Buffer) {
	cmd := exec.Command(provenant(s.t), "attest")
	cmd.Dir = s.ws
	env := maps.Clone(s.env)
	for k, v := range inputs {
		env["INPUT_"+strings.ToUpper(k)] = v
	}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	return cmd, &out, &errb
}

// registryCopies is what a verifier finds for an image: the referrers
// (from the referrers API, or the fallback index without one) and the
// number of layers of the legacy .att image.
type registryCopies struct {
	referrers []v1.Descriptor
	attLayers int
}

func copiesOf(t *testing.T, ref string) registryCopies {
	t.Helper()
	d, err := name.NewDigest(ref)
	must(t, err)
	idx, err := remote.Referrers(d, remote.WithContext(t.Context()))
	must(t, err)
	im, err := idx.IndexManifest()
	must(t, err)
	var c registryCopies
	for _, desc := range im.Manifests {
		if desc.ArtifactType == oci.BundleMediaType || desc.ArtifactType == "application/vnd.oci.empty.v1+json" {
			c.referrers = append(c.referrers, desc)
		}
	}
	att, err := name.NewTag(d.Context().Name() + ":sha256-" + strings.TrimPrefix(d.DigestStr(), "sha256:") + ".att")
	must(t, err)
	img, err := remote.Image(att, remote.WithContext(t.Context()))
	if err == nil {
		m, err := img.Manifest()
		must(t, err)
		c.attLayers = len(m.Layers)
	}
	return c
}

// digests lists the referrers' digests, sorted, failing on a duplicate.
func (c registryCopies) digests(t *testing.T) []string {
	t.Helper()
	var out []string
	for _, d := range c.referrers {
		out = append(out, d.Digest.String())
	}
	slices.Sort(out)
	if len(slices.Compact(slices.Clone(out))) != len(out) {
		t.Errorf("a referrer is listed twice: %q", out)
	}
	return out
}

// verifyEachReferrer fetches the image's referrer bundles as provenant
// verify does and verifies each one on its own; it returns how many.
func verifyEachReferrer(t *testing.T, st stack, ref string) int {
	t.Helper()
	found, err := oci.Fetch(t.Context(), ref)
	must(t, err)
	digest := ref[strings.Index(ref, "@sha256:")+len("@sha256:"):]
	n := 0
	for _, f := range found {
		if !strings.HasPrefix(f.Where, "referrer") {
			continue
		}
		n++
		if f.Bundle == nil {
			t.Errorf("%s: unreadable", f.Where)
			continue
		}
		args := verifyArgs(st, versions[0], writeBundle(t, f.Bundle), "", digest, "--signer-workflow", signer)
		if code, out := provenantVerify(t, args...); code != 0 {
			t.Errorf("provenant verify of %s:\n%s", f.Where, out)
		}
	}
	return n
}

// TestRegistry_rerun attests an image in run 5001, then again in attempt
// 2 of that run ("Re-run jobs"): the second replaces the first, with a
// notice, on both registries and in cosign's legacy layout, and what stays
// verifies. An attestation from another run (5002) is added beside it.
func TestRegistry_rerun(t *testing.T) {
	st := needStack(t)
	for kind, reg := range registries(t) {
		t.Run(kind, func(t *testing.T) {
			ref := pushImage(t, reg, "octo-org/rerun-"+kind)
			inputs := map[string]string{"IMAGE": ref, "PUSH-TO-REGISTRY": "true", "OCI-LEGACY-ATT": "true"}

			first := jobStep(t, st, "5001", "1")
			first.run(inputs)
			first.expectSigned(1, 1)
			before := copiesOf(t, ref)

			again := jobStep(t, st, "5001", "2")
			again.run(inputs)
			again.expectSigned(1, 1)
			if !strings.Contains(again.stderr, oci.NoteRerun) || !strings.Contains(again.stderr, before.referrers[0].Digest.String()) {
				t.Errorf("the re-run gave no notice naming the replaced referrer %s:\n%s", before.referrers[0].Digest, again.stderr)
			}
			after := copiesOf(t, ref)
			if len(after.referrers) != 1 || after.attLayers != 1 || after.referrers[0].Digest == before.referrers[0].Digest {
				t.Fatalf("after the re-run: referrers %q and %d .att layers; want the re-run's referrer alone and 1 layer", after.digests(t), after.attLayers)
			}
			if n := verifyEachReferrer(t, st, ref); n != 1 {
				t.Errorf("provenant found %d referrers, want 1", n)
			}
			if code, out := tool(t, "cosign", cosignOCIArgs(st, versions[0], ref)...); code != 0 {
				t.Errorf("cosign verify-attestation after the re-run:\n%s", out)
			}

			other := jobStep(t, st, "5002", "1")
			other.run(inputs)
			other.expectSigned(1, 1)
			if strings.Contains(other.stderr, oci.NoteRerun) {
				t.Errorf("another run replaced a copy:\n%s", other.stderr)
			}
			if c := copiesOf(t, ref); len(c.referrers) != 2 || c.attLayers != 2 {
				t.Errorf("after another run: referrers %q and %d .att layers; want 2 of each", c.digests(t), c.attLayers)
			}
		})
	}
}

// itoaRun is the run ID base+i.
func itoaRun(base, i int) string { return fmt.Sprint(base + i) }
