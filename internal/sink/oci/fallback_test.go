package oci

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// foreignDescriptor pushes another tool's artifact into repo and returns
// the descriptor that tool would list in the fallback index.
func foreignDescriptor(t *testing.T, repo name.Repository) v1.Descriptor {
	t.Helper()
	img, err := random.Image(64, 1)
	if err != nil {
		t.Fatal(err)
	}
	h, _ := img.Digest()
	if err := remote.Write(repo.Digest(h.String()), img, remote.WithContext(t.Context())); err != nil {
		t.Fatal(err)
	}
	size, _ := img.Size()
	mt, _ := img.MediaType()
	return v1.Descriptor{MediaType: mt, Digest: h, Size: size, ArtifactType: "application/spdx+json", Annotations: map[string]string{"org.example.tool": "sbom-maker"}}
}

// seedIndex writes a fallback index holding descs.
func seedIndex(t *testing.T, tag string, descs ...v1.Descriptor) {
	t.Helper()
	raw, err := json.Marshal(v1.IndexManifest{SchemaVersion: 2, MediaType: types.OCIImageIndex, Manifests: descs})
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Put(mustRef(tag), rawManifest{raw: raw, mt: types.OCIImageIndex}, remote.WithContext(t.Context())); err != nil {
		t.Fatal(err)
	}
}

// ourDescriptor is the fallback entry Attach must write for a referrer.
func ourDescriptor(t *testing.T, st *Stored, created time.Time) v1.Descriptor {
	t.Helper()
	d := getManifest(t, st.Referrer)
	ann := wantAnnotations()
	ann["org.opencontainers.image.created"] = created.UTC().Format(time.RFC3339)
	return v1.Descriptor{MediaType: types.OCIManifestSchema1, Digest: d.Digest, Size: d.Size, ArtifactType: wantBundleMT, Annotations: ann}
}

var byDigest = cmpopts.SortSlices(func(a, b v1.Descriptor) bool { return a.Digest.String() < b.Digest.String() })

func TestPusher_Attach_fallbackIndex(t *testing.T) {
	t.Parallel()
	t1, t2 := fixedTime, fixedTime.Add(time.Hour)
	cases := []struct {
		name string
		// run attaches and returns the descriptors the index must hold.
		run func(t *testing.T, img name.Digest, tag string) []v1.Descriptor
	}{
		{name: "keeps_foreign_and_both_ours", run: func(t *testing.T, img name.Digest, tag string) []v1.Descriptor {
			foreign := foreignDescriptor(t, img.Context())
			seedIndex(t, tag, foreign)
			st1 := attachAt(t, img, t1, kindRekorV1)
			st2 := attachAt(t, img, t2, kindRekorV2)
			return []v1.Descriptor{foreign, ourDescriptor(t, st1, t1), ourDescriptor(t, st2, t2)}
		}},
		{name: "same_bundle_twice_is_one_entry", run: func(t *testing.T, img name.Digest, _ string) []v1.Descriptor {
			bundle, chain := bundleFor(t, img, kindRekorV1)
			p := newPusher(t)
			st1, err := p.Attach(t.Context(), img.String(), bundle, chain)
			if err != nil {
				t.Fatal(err)
			}
			st2, err := p.Attach(t.Context(), img.String(), bundle, chain)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(st1, st2); diff != "" {
				t.Errorf("second Attach stored elsewhere (-first +second):\n%s", diff)
			}
			return []v1.Descriptor{ourDescriptor(t, st1, t1)}
		}},
		{name: "repairs_entry_without_artifact_type", run: func(t *testing.T, img name.Digest, tag string) []v1.Descriptor {
			bundle, chain := bundleFor(t, img, kindRekorV1)
			r, err := buildReferrer(headDescriptor(t, img), bundle, slsaV1, t1)
			if err != nil {
				t.Fatal(err)
			}
			// Another tool already stored the same referrer and listed it
			// without artifactType or annotations.
			for _, b := range r.blobs {
				if err := remote.WriteLayer(img.Context(), b, remote.WithContext(t.Context())); err != nil {
					t.Fatal(err)
				}
			}
			putRaw(t, img.Context(), r.desc.Digest.String(), r.manifest)
			foreign := foreignDescriptor(t, img.Context())
			bare := v1.Descriptor{MediaType: r.desc.MediaType, Digest: r.desc.Digest, Size: r.desc.Size}
			seedIndex(t, tag, bare, foreign)
			st, err := newPusher(t).Attach(t.Context(), img.String(), bundle, chain)
			if err != nil {
				t.Fatal(err)
			}
			return []v1.Descriptor{foreign, ourDescriptor(t, st, t1)}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			host := newRegistry(t, false)
			img := pushImage(t, host, "octo-org/app")
			tag := img.Context().Name() + ":sha256-" + img.DigestStr()[7:]
			want := tc.run(t, img, tag)
			got := getIndex(t, tag)
			if diff := cmp.Diff(want, got.Manifests, byDigest); diff != "" {
				t.Errorf("fallback index mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// putRaw PUTs a manifest with plain HTTP, bypassing ggcr's fallback tag
// maintenance.
func putRaw(t *testing.T, repo name.Repository, ref string, m rawManifest) {
	t.Helper()
	u := "http://" + repo.RegistryStr() + "/v2/" + repo.RepositoryStr() + "/manifests/" + ref
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPut, u, bytes.NewReader(m.raw))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", string(m.mt))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("PUT %s: %s", u, resp.Status)
	}
}

func attachAt(t *testing.T, img name.Digest, at time.Time, kind bundleKind) *Stored {
	t.Helper()
	bundle, chain := bundleFor(t, img, kind)
	st, err := newPusher(t, WithClock(func() time.Time { return at })).Attach(t.Context(), img.String(), bundle, chain)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// TestPusher_Attach_noFallbackWithReferrersAPI checks that no sha256-<hex>
// tag appears on a registry that serves the referrers API.
func TestPusher_Attach_noFallbackWithReferrersAPI(t *testing.T) {
	t.Parallel()
	host := newRegistry(t, true)
	img := pushImage(t, host, "octo-org/app")
	st := attachAt(t, img, fixedTime, kindRekorV1)
	if !st.ReferrersAPI || st.FallbackTag != "" {
		t.Errorf("Stored = %+v, want the referrers API and no fallback tag", st)
	}
	_, err := remote.Head(mustRef(img.Context().Name()+":sha256-"+img.DigestStr()[7:]), remote.WithContext(t.Context()))
	var terr *transport.Error
	if !errors.As(err, &terr) || terr.StatusCode != http.StatusNotFound {
		t.Errorf("HEAD fallback tag: err = %v, want 404", err)
	}
}

// TestPusher_Attach_fallbackTagTaken refuses to touch a sha256-<hex> tag
// that holds something other than an index.
func TestPusher_Attach_fallbackTagTaken(t *testing.T) {
	t.Parallel()
	host := newRegistry(t, false)
	img := pushImage(t, host, "octo-org/app")
	other, err := random.Image(64, 1)
	if err != nil {
		t.Fatal(err)
	}
	tag := img.Context().Name() + ":sha256-" + img.DigestStr()[7:]
	if err := remote.Write(mustRef(tag), other, remote.WithContext(t.Context())); err != nil {
		t.Fatal(err)
	}
	bundle, chain := bundleFor(t, img, kindRekorV1)
	_, err = newPusher(t).Attach(t.Context(), img.String(), bundle, chain)
	if err == nil || !strings.Contains(err.Error(), "pushing referrer for "+img.String()) || !strings.Contains(err.Error(), "not an OCI image index") {
		t.Errorf("Attach error = %v, want one about the fallback tag not being an index", err)
	}
}

// TestGGCRFallbackDescriptor pins what go-containerregistry's Put writes to
// the fallback index by itself: the descriptor with artifactType and the
// manifest's annotations. If an upgrade stops doing so, ensureFallback
// repairs the entry, but this test says why more requests appear.
func TestGGCRFallbackDescriptor(t *testing.T) {
	t.Parallel()
	host := newRegistry(t, false)
	img, r, s := referrerSession(t, host)
	if err := s.pushReferrer(t.Context(), img.Context(), r); err != nil {
		t.Fatal(err)
	}
	got := getIndex(t, img.Context().Name()+":sha256-"+img.DigestStr()[7:])
	want := []v1.Descriptor{{MediaType: types.OCIManifestSchema1, Digest: r.desc.Digest, Size: r.desc.Size, ArtifactType: wantBundleMT, Annotations: wantAnnotations()}}
	if diff := cmp.Diff(want, got.Manifests); diff != "" {
		t.Errorf("ggcr's fallback index mismatch (-want +got):\n%s", diff)
	}
}
