package oci

import (
	"context"
	"fmt"

	"github.com/provenant/provenant/internal/intoto"
	"github.com/provenant/provenant/internal/sink"
)

// Sink attaches an attestation to images: it is the registry
// implementation of sink.Interface.
type Sink struct {
	pusher *Pusher
	images []string
	chain  func(bundleJSON []byte) []byte
}

var _ sink.Interface = (*Sink)(nil)

// NewSink returns a Sink that attaches, with p, the bundle naming each of
// images (registry/repo@sha256:<hex>) to that image. chain returns the CA
// chain PEM of a bundle for cosign's legacy layout; it may be nil.
func NewSink(p *Pusher, images []string, chain func(bundleJSON []byte) []byte) *Sink {
	return &Sink{pusher: p, images: images, chain: chain}
}

// Deliver attaches the bundle that names each image to it.
func (s *Sink) Deliver(ctx context.Context, a *sink.Attestation) ([]sink.Stored, error) {
	var out []sink.Stored
	for _, ref := range s.images {
		b, err := attestationFor(a, ref)
		if err != nil {
			return out, err
		}
		var chain []byte
		if s.chain != nil {
			chain = s.chain(b.JSON)
		}
		st, err := s.pusher.Attach(ctx, ref, b.JSON, chain)
		if err != nil {
			return out, err
		}
		out = append(out, stored(st)...)
	}
	return out, nil
}

// attestationFor finds the bundle whose statement names the image's digest.
func attestationFor(a *sink.Attestation, ref string) (*sink.Bundle, error) {
	d, err := parseDigest(ref)
	if err != nil {
		return nil, err
	}
	digest, ok := intoto.ParseDigest(d.DigestStr())
	if ok {
		if b := a.For(digest); b != nil {
			return b, nil
		}
	}
	return nil, fmt.Errorf("attaching to %s: no attestation names its digest", ref)
}

func stored(st *Stored) []sink.Stored {
	note := "OCI 1.1 referrer (referrers API)"
	if !st.ReferrersAPI {
		note = "OCI 1.1 referrer, listed in the fallback tag " + st.FallbackTag
	}
	out := []sink.Stored{{Kind: sink.KindRegistry, Where: st.Referrer, Note: note}}
	if st.LegacyTag != "" {
		out = append(out, sink.Stored{Kind: sink.KindRegistry, Where: st.LegacyTag, Note: "cosign legacy .att layout"})
	}
	return out
}
