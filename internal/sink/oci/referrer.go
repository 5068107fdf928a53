package oci

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

const (
	emptyMediaType = "application/vnd.oci.empty.v1+json"

	annotationContent       = "dev.sigstore.bundle.content"
	annotationPredicateType = "dev.sigstore.bundle.predicateType"
	annotationCreated       = "org.opencontainers.image.created"
)

// ErrImageNotFound means the image to attest is not in the registry.
var ErrImageNotFound = errors.New("image not found; the image must be pushed before it is attested")

// rawManifest lets remote.Put send manifest bytes we marshalled ourselves:
// ggcr v0.22.1 has no mutator for artifactType.
type rawManifest struct {
	raw []byte
	mt  types.MediaType
}

func (m rawManifest) RawManifest() ([]byte, error)        { return m.raw, nil }
func (m rawManifest) MediaType() (types.MediaType, error) { return m.mt, nil }

// referrer is a built referrer manifest and the blobs it needs.
type referrer struct {
	manifest rawManifest
	desc     v1.Descriptor // as the fallback index lists it
	blobs    []v1.Layer
	subject  v1.Hash
}

// buildReferrer lays out the OCI 1.1 referrer of formats.md, section 6.1.
func buildReferrer(subject v1.Descriptor, bundleJSON []byte, predicateType string, created time.Time) (*referrer, error) {
	config := static.NewLayer([]byte("{}"), emptyMediaType)
	layer := static.NewLayer(bundleJSON, BundleMediaType)
	configDesc, err := partialDescriptor(config)
	if err != nil {
		return nil, err
	}
	layerDesc, err := partialDescriptor(layer)
	if err != nil {
		return nil, err
	}
	ann := map[string]string{
		annotationContent:       "dsse-envelope",
		annotationPredicateType: predicateType,
		annotationCreated:       created.UTC().Format(time.RFC3339),
	}
	m := v1.Manifest{
		SchemaVersion: 2,
		MediaType:     types.OCIManifestSchema1,
		ArtifactType:  BundleMediaType,
		Config:        configDesc,
		Layers:        []v1.Descriptor{layerDesc},
		Subject:       &v1.Descriptor{MediaType: subject.MediaType, Digest: subject.Digest, Size: subject.Size},
		Annotations:   ann,
	}
	raw, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	h, size, err := v1.SHA256(bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	return &referrer{
		manifest: rawManifest{raw: raw, mt: types.OCIManifestSchema1},
		desc:     v1.Descriptor{MediaType: types.OCIManifestSchema1, Digest: h, Size: size, ArtifactType: BundleMediaType, Annotations: ann},
		blobs:    []v1.Layer{config, layer},
		subject:  subject.Digest,
	}, nil
}

func partialDescriptor(l v1.Layer) (v1.Descriptor, error) {
	d, err := l.Digest()
	if err != nil {
		return v1.Descriptor{}, err
	}
	s, err := l.Size()
	if err != nil {
		return v1.Descriptor{}, err
	}
	mt, err := l.MediaType()
	if err != nil {
		return v1.Descriptor{}, err
	}
	return v1.Descriptor{MediaType: mt, Digest: d, Size: s}, nil
}

// subject looks the image up by digest. A registry that leaves out the
// media type or size on HEAD is asked again with GET.
func (s *session) subject(ctx context.Context, img name.Digest) (v1.Descriptor, error) {
	d, err := s.puller.Head(ctx, img)
	if err == nil && d.MediaType != "" && d.Size > 0 {
		return *d, nil
	}
	if err == nil {
		var full *remote.Descriptor
		if full, err = s.puller.Get(ctx, img); err == nil {
			return full.Descriptor, nil
		}
	}
	var terr *transport.Error
	if errors.As(err, &terr) && terr.StatusCode == http.StatusNotFound {
		return v1.Descriptor{}, fmt.Errorf("%w (%w)", ErrImageNotFound, err)
	}
	return v1.Descriptor{}, err
}

// pushReferrer uploads the blobs, then puts the manifest by digest. On a
// registry without the referrers API, ggcr's Put also adds the referrer to
// the fallback tag index.
// A write that loses a race with another writer of the same blobs is
// made again (retryWriteRace).
func (s *session) pushReferrer(ctx context.Context, repo name.Repository, r *referrer) error {
	return retryWriteRace(ctx, func() error {
		for _, b := range r.blobs {
			if err := s.pusher.Upload(ctx, repo, b); err != nil {
				return fmt.Errorf("uploading blob: %w", err)
			}
		}
		if err := s.pusher.Put(ctx, repo.Digest(r.desc.Digest.String()), r.manifest); err != nil {
			return fmt.Errorf("putting manifest: %w", err)
		}
		return nil
	})
}
