package ociregistry

import (
	"encoding/json"
	"net/http/httptest"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// TestSpecReferrers pushes an image and an artifact whose manifest has an
// artifactType, and checks the referrers list reports it and filters by it.
func TestSpecReferrers(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(New(true))
	defer srv.Close()
	host := srv.Listener.Addr().String()
	img, _ := random.Image(64, 1)
	tag, _ := name.NewTag(host + "/o/app:v1")
	if err := remote.Write(tag, img); err != nil {
		t.Fatal(err)
	}
	dig, _ := img.Digest()
	mt, _ := img.MediaType()
	sz, _ := img.Size()
	const bundleType = "application/vnd.dev.sigstore.bundle.v0.3+json"
	art := mutate.ConfigMediaType(mutate.MediaType(empty.Image, types.OCIManifestSchema1), "application/vnd.oci.empty.v1+json")
	art, _ = mutate.AppendLayers(art, static.NewLayer([]byte(`{}`), bundleType))
	art = mutate.Subject(art, v1.Descriptor{MediaType: mt, Digest: dig, Size: sz}).(v1.Image)
	ref, _ := name.NewTag(host + "/o/app:attestation")
	if err := remote.Write(ref, withArtifactTypeImage{art, bundleType}); err != nil {
		t.Fatal(err)
	}
	subject := tag.Context().Digest(dig.String())
	allIdx, err := remote.Referrers(subject)
	if err != nil {
		t.Fatal(err)
	}
	all, err := allIdx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	if len(all.Manifests) != 1 || all.Manifests[0].ArtifactType != bundleType {
		t.Fatalf("referrers = %+v, want one with artifactType %s", all.Manifests, bundleType)
	}
	otherIdx, err := remote.Referrers(subject, remote.WithFilter("artifactType", "application/x-other"))
	if err != nil {
		t.Fatal(err)
	}
	other, err := otherIdx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	if len(other.Manifests) != 0 {
		t.Errorf("filter not applied: %+v", other.Manifests)
	}
}

// withArtifactTypeImage adds artifactType to an image's manifest.
type withArtifactTypeImage struct {
	v1.Image
	artifactType string
}

func (w withArtifactTypeImage) Manifest() (*v1.Manifest, error) {
	m, err := w.Image.Manifest()
	if err != nil {
		return nil, err
	}
	m = m.DeepCopy()
	m.ArtifactType = w.artifactType
	return m, nil
}

func (w withArtifactTypeImage) RawManifest() ([]byte, error) {
	m, err := w.Manifest()
	if err != nil {
		return nil, err
	}
	return marshalManifest(m)
}

func marshalManifest(m *v1.Manifest) ([]byte, error) { return jsonMarshal(m) }

var jsonMarshal = json.Marshal
