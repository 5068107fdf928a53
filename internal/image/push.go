package image

import (
	"context"
	"fmt"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Index combines single-platform images from Build into one multi-platform
// OCI index; each entry's platform comes from the image's config.
func Index(imgs ...v1.Image) (v1.ImageIndex, error) {
	var adds []mutate.IndexAddendum
	for _, img := range imgs {
		cf, err := img.ConfigFile()
		if err != nil {
			return nil, fmt.Errorf("reading an image config: %w", err)
		}
		p := cf.Platform()
		if p == nil {
			return nil, fmt.Errorf("an image has no platform in its config")
		}
		adds = append(adds, mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{Platform: p}})
	}
	return mutate.AppendManifests(mutate.IndexMediaType(empty.Index, types.OCIImageIndex), adds...), nil
}

// Push writes an image or an index, with everything it refers to, to ref
// (a tag or a digest reference) and returns the digest reference of what
// was pushed. opts are ggcr's remote options: the default is anonymous
// access, so pass remote.WithAuthFromKeychain to use credentials.
func Push(ctx context.Context, ref name.Reference, t remote.Taggable, opts ...remote.Option) (name.Digest, error) {
	p, err := remote.NewPusher(opts...)
	if err != nil {
		return name.Digest{}, err
	}
	if err := p.Push(ctx, ref, t); err != nil {
		return name.Digest{}, fmt.Errorf("pushing %s: %w", ref, err)
	}
	d, err := partial.Digest(t)
	if err != nil {
		return name.Digest{}, err
	}
	return ref.Context().Digest(d.String()), nil
}

// Size is how big an image is: Compressed counts what a pull downloads
// (manifest, config and compressed layers), Uncompressed the unpacked
// layers.
type Size struct {
	Compressed, Uncompressed int64
}

// Measure returns the image's size. It reads every layer once.
func Measure(img v1.Image) (Size, error) {
	var s Size
	m, err := img.RawManifest()
	if err != nil {
		return s, err
	}
	cf, err := img.RawConfigFile()
	if err != nil {
		return s, err
	}
	s.Compressed = int64(len(m) + len(cf))
	layers, err := img.Layers()
	if err != nil {
		return s, err
	}
	for _, l := range layers {
		n, err := l.Size()
		if err != nil {
			return s, err
		}
		s.Compressed += n
		u, err := uncompressedSize(l)
		if err != nil {
			return s, err
		}
		s.Uncompressed += u
	}
	return s, nil
}
