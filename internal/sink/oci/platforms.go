package oci

import (
	"bytes"
	"context"
	"fmt"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// Platforms returns the per-platform image manifests of the image index
// ref as repo@sha256:<hex>, in index order, for attesting each platform as
// well as the index. A single-platform image has none: the result is
// empty. Entries that are not images are left out, and so are the
// attestation manifests BuildKit stores in an index (platform
// unknown/unknown). Only WithKeychain and WithTransport apply.
func Platforms(ctx context.Context, ref string, opts ...Option) ([]string, error) {
	o, err := makeOptions(opts...)
	if err != nil {
		return nil, err
	}
	r, err := name.ParseReference(ref)
	if err != nil {
		return nil, fmt.Errorf("image reference %q is not valid: %w", ref, err)
	}
	out, err := platforms(ctx, r, o)
	if err != nil {
		return nil, redact(fmt.Errorf("listing platforms of %s: %w", ref, explainAuth(err, r.Context().RegistryStr())), o.keychain)
	}
	return out, nil
}

func platforms(ctx context.Context, r name.Reference, o *options) ([]string, error) {
	s, err := newSession(o.keychain, o.wrapTransport())
	if err != nil {
		return nil, err
	}
	d, err := s.puller.Get(ctx, r)
	if err != nil {
		return nil, err
	}
	out := []string{}
	if !d.MediaType.IsIndex() {
		return out, nil
	}
	im, err := v1.ParseIndexManifest(bytes.NewReader(d.Manifest))
	if err != nil {
		return nil, fmt.Errorf("parsing index: %w", err)
	}
	for _, m := range im.Manifests {
		if !m.MediaType.IsImage() || isAttestationManifest(m) {
			continue
		}
		out = append(out, r.Context().Digest(m.Digest.String()).Name())
	}
	return out, nil
}

// isAttestationManifest recognizes BuildKit's in-index attestation
// manifests.
func isAttestationManifest(d v1.Descriptor) bool {
	if d.Annotations["vnd.docker.reference.type"] == "attestation-manifest" {
		return true
	}
	return d.Platform != nil && d.Platform.OS == "unknown" && d.Platform.Architecture == "unknown"
}
