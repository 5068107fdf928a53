package oci

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

const (
	wantBundleMT    = "application/vnd.dev.sigstore.bundle.v0.3+json"
	emptyConfigHash = "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
)

func wantAnnotations() map[string]string {
	return map[string]string{
		"dev.sigstore.bundle.content":       "dsse-envelope",
		"dev.sigstore.bundle.predicateType": "https://slsa.dev/provenance/v1",
		"org.opencontainers.image.created":  "2026-01-01T12:00:00Z",
	}
}

// wantReferrer is the referrer manifest formats.md section 6.1 describes.
func wantReferrer(t *testing.T, img name.Digest, bundle []byte, created time.Time) *v1.Manifest {
	t.Helper()
	subject := headDescriptor(t, img)
	ann := wantAnnotations()
	ann["org.opencontainers.image.created"] = created.UTC().Format(time.RFC3339)
	return &v1.Manifest{
		SchemaVersion: 2,
		MediaType:     "application/vnd.oci.image.manifest.v1+json",
		ArtifactType:  wantBundleMT,
		Config:        v1.Descriptor{MediaType: "application/vnd.oci.empty.v1+json", Digest: v1.Hash{Algorithm: "sha256", Hex: emptyConfigHash[7:]}, Size: 2},
		Layers:        []v1.Descriptor{{MediaType: wantBundleMT, Digest: sha256Hash(bundle), Size: int64(len(bundle))}},
		Subject:       &subject,
		Annotations:   ann,
	}
}

func sha256Hash(b []byte) v1.Hash {
	sum := sha256.Sum256(b)
	return v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(sum[:])}
}

// TestPusher_Attach_referrerManifest checks the referrer's shape, read
// back from the registry, for an image and an index in both modes.
func TestPusher_Attach_referrerManifest(t *testing.T) {
	t.Parallel()
	subjects := []struct {
		name string
		push func(t *testing.T, host string) name.Digest
	}{
		{name: "image", push: func(t *testing.T, host string) name.Digest { return pushImage(t, host, "octo-org/app") }},
		{name: "index", push: func(t *testing.T, host string) name.Digest { return pushIndex(t, host, "octo-org/app", 2) }},
	}
	for _, m := range modes {
		for _, sub := range subjects {
			t.Run(m.name+"/"+sub.name, func(t *testing.T) {
				t.Parallel()
				host := newRegistry(t, m.referrers)
				img := sub.push(t, host)
				bundle, chain := bundleFor(t, img, kindRekorV2)

				st, err := newPusher(t).Attach(t.Context(), img.String(), bundle, chain)
				if err != nil {
					t.Fatal(err)
				}
				ref := getManifest(t, st.Referrer)
				got, err := v1.ParseManifest(bytes.NewReader(ref.Manifest))
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(wantReferrer(t, img, bundle, fixedTime), got); diff != "" {
					t.Errorf("referrer manifest mismatch (-want +got):\n%s", diff)
				}
				if ref.MediaType != types.OCIManifestSchema1 {
					t.Errorf("referrer served as %s", ref.MediaType)
				}
				repo := img.Context()
				if diff := cmp.Diff(bundle, fetchBlob(t, repo, got.Layers[0].Digest)); diff != "" {
					t.Errorf("bundle layer mismatch (-want +got):\n%s", diff)
				}
				if diff := cmp.Diff([]byte("{}"), fetchBlob(t, repo, got.Config.Digest)); diff != "" {
					t.Errorf("config blob mismatch (-want +got):\n%s", diff)
				}
				wantStored := &Stored{
					Subject:      img.Name(),
					Referrer:     repo.Digest(ref.Digest.String()).Name(),
					ReferrersAPI: m.referrers,
				}
				if !m.referrers {
					wantStored.FallbackTag = repo.Name() + ":sha256-" + img.DigestStr()[7:]
				}
				if diff := cmp.Diff(wantStored, st); diff != "" {
					t.Errorf("Stored mismatch (-want +got):\n%s", diff)
				}
			})
		}
	}
}

// TestPusher_Attach_referrersList checks that remote.Referrers finds the
// referrer. ggcr's in-process registry ignores the artifactType filter and
// reports config.mediaType as artifactType when it serves the API, so the
// filter and artifactType are asserted in fallback mode only.
func TestPusher_Attach_referrersList(t *testing.T) {
	t.Parallel()
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			host := newRegistry(t, m.referrers)
			img := pushImage(t, host, "octo-org/app")
			bundle, chain := bundleFor(t, img, kindRekorV1)
			st, err := newPusher(t).Attach(t.Context(), img.String(), bundle, chain)
			if err != nil {
				t.Fatal(err)
			}
			refDigest := mustRef(st.Referrer).(name.Digest).DigestStr()
			opts := []remote.Option{remote.WithContext(t.Context())}
			if !m.referrers {
				opts = append(opts, remote.WithFilter("artifactType", wantBundleMT))
			}
			idx, err := remote.Referrers(img, opts...)
			if err != nil {
				t.Fatal(err)
			}
			im, err := idx.IndexManifest()
			if err != nil {
				t.Fatal(err)
			}
			i := slices.IndexFunc(im.Manifests, func(d v1.Descriptor) bool { return d.Digest.String() == refDigest })
			if i < 0 {
				t.Fatalf("referrers of %s do not list %s: %+v", img, refDigest, im.Manifests)
			}
			if m.referrers {
				return
			}
			want := []v1.Descriptor{{
				MediaType:    types.OCIManifestSchema1,
				Digest:       im.Manifests[i].Digest,
				Size:         int64(len(getManifest(t, st.Referrer).Manifest)),
				ArtifactType: wantBundleMT,
				Annotations:  wantAnnotations(),
			}}
			if diff := cmp.Diff(want, im.Manifests); diff != "" {
				t.Errorf("filtered referrers mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestPusher_Attach_attestationRepository stores everything in another
// repository while the subject still names the image.
func TestPusher_Attach_attestationRepository(t *testing.T) {
	t.Parallel()
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			host := newRegistry(t, m.referrers)
			img := pushImage(t, host, "octo-org/app")
			attRepo := mustRef(host + "/octo-org/attestations:x").Context()
			bundle, chain := bundleFor(t, img, kindRekorV1)
			st, err := newPusher(t, WithAttestationRepository(attRepo.Name()), WithLegacyAtt(true)).Attach(t.Context(), img.String(), bundle, chain)
			if err != nil {
				t.Fatal(err)
			}
			hex := img.DigestStr()[7:]
			want := &Stored{
				Subject:      img.Name(),
				Referrer:     attRepo.Digest(mustRef(st.Referrer).Identifier()).Name(),
				ReferrersAPI: m.referrers,
				LegacyTag:    attRepo.Name() + ":sha256-" + hex + ".att",
			}
			if !m.referrers {
				want.FallbackTag = attRepo.Name() + ":sha256-" + hex
			}
			if diff := cmp.Diff(want, st); diff != "" {
				t.Errorf("Stored mismatch (-want +got):\n%s", diff)
			}
			got, err := v1.ParseManifest(bytes.NewReader(getManifest(t, st.Referrer).Manifest))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(headDescriptor(t, img), *got.Subject); diff != "" {
				t.Errorf("subject mismatch (-want +got):\n%s", diff)
			}
			// Nothing was written next to the image.
			tags, err := remote.List(img.Context(), remote.WithContext(t.Context()))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]string{"latest"}, tags); diff != "" {
				t.Errorf("image repository tags mismatch (-want +got):\n%s", diff)
			}
			if !m.referrers {
				im := getIndex(t, st.FallbackTag)
				if len(im.Manifests) != 1 || im.Manifests[0].Digest.String() != mustRef(st.Referrer).Identifier() {
					t.Errorf("fallback index in attestation repository = %+v", im.Manifests)
				}
			}
		})
	}
}
