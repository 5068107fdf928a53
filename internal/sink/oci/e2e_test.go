package oci

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// TestE2E_registry runs Attach and Platforms against a real registry
// without authentication, such as Debian's docker-registry 2.8.2 on
// loopback, named by OCI_E2E_REGISTRY=host:port. It is skipped otherwise.
func TestE2E_registry(t *testing.T) {
	host := os.Getenv("OCI_E2E_REGISTRY")
	if host == "" {
		t.Skip("set OCI_E2E_REGISTRY=127.0.0.1:PORT to run against a real registry")
	}
	t.Parallel()
	run := fmt.Sprintf("provenant-e2e/%d", time.Now().UnixNano())

	t.Run("image_with_legacy", func(t *testing.T) {
		t.Parallel()
		e2eAttach(t, pushImage(t, host, run+"/image"), nil)
	})
	t.Run("index_and_platforms", func(t *testing.T) {
		t.Parallel()
		idx := pushIndex(t, host, run+"/index", 2)
		st := e2eAttach(t, idx, nil)
		refs, err := Platforms(t.Context(), idx.String(), WithKeychain(anonymous))
		if err != nil {
			t.Fatal(err)
		}
		if len(refs) != 2 {
			t.Fatalf("Platforms = %v, want 2", refs)
		}
		t.Logf("index: %+v, platforms %v", st, refs)
	})
	t.Run("attestation_repository", func(t *testing.T) {
		t.Parallel()
		attRepo, err := name.NewRepository(host + "/" + run + "/attestations")
		if err != nil {
			t.Fatal(err)
		}
		st := e2eAttach(t, pushImage(t, host, run+"/elsewhere"), &attRepo)
		if got := mustRef(st.Referrer).Context(); got != attRepo {
			t.Errorf("referrer stored in %s, want %s", got, attRepo)
		}
	})
	t.Run("missing_image", func(t *testing.T) {
		t.Parallel()
		img, _ := random.Image(64, 1)
		h, _ := img.Digest()
		ref := mustRef(host + "/" + run + "/missing@" + h.String()).(name.Digest)
		bundle, chain := bundleFor(t, ref, kindRekorV1)
		_, err := newPusher(t).Attach(t.Context(), ref.String(), bundle, chain)
		if !errors.Is(err, ErrImageNotFound) {
			t.Errorf("Attach error = %v, want ErrImageNotFound", err)
		}
	})
}

// e2eAttach attaches two attestations with the legacy layout on and
// checks everything a verifier would read.
func e2eAttach(t *testing.T, img name.Digest, attRepo *name.Repository) *Stored {
	t.Helper()
	opts := []Option{WithLegacyAtt(true)}
	repo := img.Context()
	if attRepo != nil {
		opts = append(opts, WithAttestationRepository(attRepo.Name()))
		repo = *attRepo
	}
	var stored []*Stored
	var descs []v1.Descriptor
	for i, kind := range []bundleKind{kindRekorV1, kindRekorV2} {
		at := fixedTime.Add(time.Duration(i) * time.Minute)
		bundle, chain := bundleFor(t, img, kind)
		st, err := newPusher(t, append(opts, WithClock(func() time.Time { return at }))...).Attach(t.Context(), img.String(), bundle, chain)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("stored: %+v", st)
		checkReferrer(t, img, st, bundle, at)
		stored = append(stored, st)
		descs = append(descs, ourDescriptor(t, st, at))
	}
	idx, err := remote.Referrers(repo.Digest(img.DigestStr()), remote.WithContext(t.Context()), remote.WithFilter("artifactType", wantBundleMT))
	if err != nil {
		t.Fatal(err)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(descs, im.Manifests, byDigest); diff != "" {
		t.Errorf("referrers mismatch (-want +got):\n%s", diff)
	}
	if layers := attLayers(t, stored[1].LegacyTag); len(layers) != 2 {
		t.Errorf(".att has %d layers, want 2", len(layers))
	}
	return stored[1]
}

func checkReferrer(t *testing.T, img name.Digest, st *Stored, bundle []byte, created time.Time) {
	t.Helper()
	got, err := v1.ParseManifest(bytes.NewReader(getManifest(t, st.Referrer).Manifest))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(wantReferrer(t, img, bundle, created), got); diff != "" {
		t.Errorf("referrer manifest mismatch (-want +got):\n%s", diff)
	}
}
