package oci

import (
	"context"
	"fmt"
	"strings"

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
	out := []sink.Stored{{Kind: sink.KindRegistry, Where: st.Referrer, Note: note, Notice: referrerNotice(st)}}
	if st.LegacyTag != "" {
		notice := ""
		if len(st.ReplacedLayers) > 0 {
			notice = fmt.Sprintf("registry copy %s: %s (dropped layer %s)", st.LegacyTag, NoteRerun, strings.Join(st.ReplacedLayers, ", "))
		}
		out = append(out, sink.Stored{Kind: sink.KindRegistry, Where: st.LegacyTag, Note: "cosign legacy .att layout", Notice: notice})
	}
	return out
}

// NoteRerun is in the notice of a registry copy that replaced the copy
// of an earlier attempt of the same workflow run.
const NoteRerun = "replaced the copy from an earlier attempt of this workflow run"

// referrerNotice says which earlier referrers the new one replaced, and
// which the registry would not delete.
func referrerNotice(st *Stored) string {
	if st.Superseded {
		return "registry copy " + st.Referrer + ": a copy signed later in this same workflow run was stored at the same time and replaces this one"
	}
	if len(st.Replaced) == 0 && len(st.NotRemoved) == 0 {
		return ""
	}
	var parts []string
	if len(st.Replaced) > 0 {
		how := "deleted"
		if !st.ReferrersAPI {
			how = "dropped from the fallback tag"
		}
		parts = append(parts, fmt.Sprintf("%s (%s %s)", NoteRerun, how, strings.Join(st.Replaced, ", ")))
	}
	if len(st.NotRemoved) > 0 {
		left := "it is no longer listed in the fallback tag, but its manifest stays in the repository"
		if st.ReferrersAPI {
			left = "it is still listed next to the new one; delete it with the registry's tools or UI"
		}
		parts = append(parts, fmt.Sprintf("the earlier attempt's referrer could not be deleted (%s): %s", strings.Join(st.NotRemoved, "; "), left))
	}
	return "registry copy " + st.Referrer + ": " + strings.Join(parts, "; ")
}
