package oci

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Media type and annotations of cosign's legacy .att layout, formats.md
// section 6.3.
const (
	dsseMediaType = "application/vnd.dsse.envelope.v1+json"

	annotationLegacyPredicateType = "predicateType"
	annotationSignature           = "dev.cosignproject.cosign/signature"
	annotationCertificate         = "dev.sigstore.cosign/certificate"
	annotationChain               = "dev.sigstore.cosign/chain"
	annotationRekorBundle         = "dev.sigstore.cosign/bundle"
	annotationTimestamp           = "dev.sigstore.cosign/rfc3161timestamp"
)

// legacyTag is cosign's attestation tag for a subject digest.
func legacyTag(repo name.Repository, subject v1.Hash) name.Tag {
	return repo.Tag(subject.Algorithm + "-" + subject.Hex + ".att")
}

// legacyLayer is the DSSE envelope layer of one attestation and its
// annotations. chainPEM overrides a chain carried in the bundle.
func legacyLayer(a *attestation, chainPEM []byte) (v1.Layer, map[string]string) {
	ann := map[string]string{
		annotationLegacyPredicateType: a.predicateType,
		annotationSignature:           "",
	}
	if len(chainPEM) == 0 {
		chainPEM = a.chainPEM
	}
	optional := map[string][]byte{
		annotationCertificate: a.leafPEM,
		annotationChain:       chainPEM,
		annotationRekorBundle: a.rekorSET,
		annotationTimestamp:   a.rfc3161,
	}
	for k, v := range optional {
		if len(v) > 0 {
			ann[k] = string(v)
		}
	}
	return static.NewLayer(a.envelope, dsseMediaType), ann
}

// appendLegacy adds the attestation's layer to the .att image at tag,
// keeping every layer already there and skipping the write when a layer
// with the same digest (the same envelope) is present. It re-reads the
// image until the layer is seen to stay (converge).
func (s *session) appendLegacy(ctx context.Context, tag name.Tag, layer v1.Layer, ann map[string]string) error {
	want, err := layer.Digest()
	if err != nil {
		return err
	}
	err = converge(ctx, func(ctx context.Context) (bool, error) {
		base, err := s.readAtt(ctx, tag)
		if err != nil {
			return false, err
		}
		if has, err := hasLayer(base, want); err != nil || has {
			return err == nil, err
		}
		img, err := mutate.Append(base, mutate.Addendum{Layer: layer, Annotations: ann})
		if err != nil {
			return false, err
		}
		if err := s.pusher.Push(ctx, tag, img); err != nil {
			return false, fmt.Errorf("writing %s: %w", tag, err)
		}
		return false, nil
	})
	if err != nil {
		return fmt.Errorf("keeping layer %s in %s: %w", want, tag, err)
	}
	return nil
}

// readAtt returns the image at tag, or an empty OCI image with cosign's
// config media type when the tag does not exist yet.
func (s *session) readAtt(ctx context.Context, tag name.Tag) (v1.Image, error) {
	d, err := s.puller.Get(ctx, tag)
	var terr *transport.Error
	if errors.As(err, &terr) && terr.StatusCode == http.StatusNotFound {
		return mutate.ConfigMediaType(mutate.MediaType(empty.Image, types.OCIManifestSchema1), types.OCIConfigJSON), nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", tag, err)
	}
	if !d.MediaType.IsImage() {
		return nil, fmt.Errorf("tag %s is a %s, not an image; cosign's .att tag must hold an image manifest", tag, d.MediaType)
	}
	img, err := d.Image()
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", tag, err)
	}
	return img, nil
}

func hasLayer(img v1.Image, digest v1.Hash) (bool, error) {
	m, err := img.Manifest()
	if err != nil {
		return false, err
	}
	for _, l := range m.Layers {
		if l.Digest == digest {
			return true, nil
		}
	}
	return false, nil
}
