package oci

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"

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
// keeping every layer already there except those the attestation replaces
// (prior), and skipping the write when a layer with the same digest (the
// same envelope) is present. It re-reads the image until the layer is seen
// to stay and the replaced ones to be gone (converge), and returns the
// replaced layers it found. When a layer of the same run signed later is
// there (superseded), it replaces this one, which is taken out instead.
func (s *session) appendLegacy(ctx context.Context, tag name.Tag, layer v1.Layer, ann map[string]string, prior *earlier) (dropped []v1.Hash, superseded bool, err error) {
	want, err := layer.Digest()
	if err != nil {
		return nil, false, err
	}
	races := raceBudget(raceAttempts)
	err = converge(ctx, func(ctx context.Context) (bool, error) {
		base, err := s.readAtt(ctx, tag)
		if err != nil {
			return false, err
		}
		m, err := base.Manifest()
		if err != nil {
			return false, err
		}
		var stale []v1.Hash
		stale, superseded = prior.copies(ctx, m.Layers, want, true)
		for _, h := range stale {
			if !slices.Contains(dropped, h) {
				dropped = append(dropped, h)
			}
		}
		has := slices.ContainsFunc(m.Layers, func(d v1.Descriptor) bool { return d.Digest == want })
		if has != superseded && len(stale) == 0 { // ours there, or superseded and gone
			return true, nil
		}
		add, drop := layer, stale
		if has || superseded {
			add = nil
		}
		if superseded {
			drop = append(drop, want)
		}
		img, err := withLayer(base, m, add, ann, drop)
		if err != nil {
			return false, err
		}
		if err := races.absorb(s.pusher.Push(ctx, tag, img)); err != nil {
			return false, fmt.Errorf("writing %s: %w", tag, err)
		}
		return false, nil
	})
	if err != nil {
		return nil, false, fmt.Errorf("keeping layer %s in %s: %w", want, tag, err)
	}
	return dropped, superseded, nil
}

// withLayer returns base with the layers of drop removed, keeping the
// order and annotations of the others, and layer, unless nil, appended.
func withLayer(base v1.Image, m *v1.Manifest, layer v1.Layer, ann map[string]string, drop []v1.Hash) (v1.Image, error) {
	img := base
	if len(drop) > 0 {
		cfg, err := base.ConfigFile()
		if err != nil {
			return nil, err
		}
		img = mutate.ConfigMediaType(mutate.MediaType(empty.Image, m.MediaType), m.Config.MediaType)
		if img, err = mutate.ConfigFile(img, &v1.ConfigFile{Architecture: cfg.Architecture, OS: cfg.OS, RootFS: v1.RootFS{Type: "layers"}}); err != nil {
			return nil, err
		}
		for _, d := range m.Layers {
			if slices.Contains(drop, d.Digest) {
				continue
			}
			l, err := base.LayerByDigest(d.Digest)
			if err != nil {
				return nil, err
			}
			if img, err = mutate.Append(img, mutate.Addendum{Layer: l, Annotations: d.Annotations, MediaType: d.MediaType}); err != nil {
				return nil, err
			}
		}
	}
	if layer == nil {
		return img, nil
	}
	return mutate.Append(img, mutate.Addendum{Layer: layer, Annotations: ann})
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
