package oci

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// buildkitIndex is an index with one platform image and BuildKit's
// attestation manifest for it.
func buildkitIndex(t *testing.T) (v1.ImageIndex, v1.Hash) {
	t.Helper()
	img, err := random.Image(64, 1)
	if err != nil {
		t.Fatal(err)
	}
	att, err := random.Image(64, 1)
	if err != nil {
		t.Fatal(err)
	}
	imgDigest, _ := img.Digest()
	idx := mutate.AppendManifests(mutate.IndexMediaType(empty.Index, types.OCIImageIndex),
		mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "arm64"}}},
		mutate.IndexAddendum{Add: att, Descriptor: v1.Descriptor{
			Platform:    &v1.Platform{OS: "unknown", Architecture: "unknown"},
			Annotations: map[string]string{"vnd.docker.reference.type": "attestation-manifest", "vnd.docker.reference.digest": imgDigest.String()},
		}},
	)
	return idx, imgDigest
}

func TestPlatforms(t *testing.T) {
	t.Parallel()
	host := newRegistry(t, false)
	cases := []struct {
		name    string
		push    func(t *testing.T) (ref string, want []string)
		wantErr string
	}{
		{name: "index", push: func(t *testing.T) (string, []string) {
			idx, err := random.Index(64, 1, 3)
			if err != nil {
				t.Fatal(err)
			}
			d := push(t, host, "octo-org/multi", idx)
			im, _ := idx.IndexManifest()
			var want []string
			for _, m := range im.Manifests {
				want = append(want, d.Context().Digest(m.Digest.String()).Name())
			}
			return d.String(), want
		}},
		{name: "index_by_tag", push: func(t *testing.T) (string, []string) {
			idx, err := random.Index(64, 1, 2)
			if err != nil {
				t.Fatal(err)
			}
			d := push(t, host, "octo-org/tagged", idx)
			im, _ := idx.IndexManifest()
			return d.Context().Name() + ":latest", []string{
				d.Context().Digest(im.Manifests[0].Digest.String()).Name(),
				d.Context().Digest(im.Manifests[1].Digest.String()).Name(),
			}
		}},
		{name: "skips_buildkit_attestations", push: func(t *testing.T) (string, []string) {
			idx, imgDigest := buildkitIndex(t)
			d := push(t, host, "octo-org/buildkit", idx)
			return d.String(), []string{d.Context().Digest(imgDigest.String()).Name()}
		}},
		{name: "single_image", push: func(t *testing.T) (string, []string) {
			return pushImage(t, host, "octo-org/single").String(), []string{}
		}},
		{name: "missing", push: func(t *testing.T) (string, []string) {
			return host + "/octo-org/none:latest", nil
		}, wantErr: "listing platforms of " + host + "/octo-org/none:latest"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ref, want := tc.push(t)
			got, err := Platforms(t.Context(), ref, WithKeychain(anonymous), withTestPolicy(testTimeout))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("Platforms error = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("Platforms(%s) mismatch (-want +got):\n%s", ref, diff)
			}
		})
	}
}

// TestPlatforms_attachEach attests an index and each of its platforms, as
// attest-platforms does.
func TestPlatforms_attachEach(t *testing.T) {
	t.Parallel()
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			host := newRegistry(t, m.referrers)
			idx := pushIndex(t, host, "octo-org/app", 2)
			refs, err := Platforms(t.Context(), idx.String(), WithKeychain(anonymous))
			if err != nil {
				t.Fatal(err)
			}
			p := newPusher(t)
			for _, ref := range append([]string{idx.String()}, refs...) {
				d, err := name.NewDigest(ref)
				if err != nil {
					t.Fatal(err)
				}
				bundle, chain := bundleFor(t, d, kindRekorV1)
				st, err := p.Attach(t.Context(), ref, bundle, chain)
				if err != nil {
					t.Fatal(err)
				}
				if st.Subject != ref {
					t.Errorf("Subject = %s, want %s", st.Subject, ref)
				}
			}
		})
	}
}
