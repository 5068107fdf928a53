package sink

import (
	"context"
	"errors"

	"github.com/provenant/provenant/internal/intoto"
)

// Interface stores copies of an attestation somewhere: a registry, a
// release, an API. Deliver is called only with bundles that were verified.
// It returns every copy it stored; a *Notice error means it deliberately
// stored nothing and the run goes on.
type Interface interface {
	Deliver(ctx context.Context, a *Attestation) ([]Stored, error)
}

// Attestation is what every sink delivers: the signed, verified bundles
// and the .intoto.jsonl file that holds them all.
type Attestation struct {
	// ProvenanceName is the .intoto.jsonl file name.
	ProvenanceName string
	// JSONL is the .intoto.jsonl content: one bundle per line.
	JSONL []byte
	// Bundles are the bundles, one per statement.
	Bundles []Bundle
}

// Bundle is one signed, verified Sigstore bundle.
type Bundle struct {
	JSON []byte
	// FileName is the name of its .sigstore.json file.
	FileName string
	// Subjects are the subjects its statement names.
	Subjects []intoto.Subject
}

// For returns the first bundle whose statement names digest d, or nil.
func (a *Attestation) For(d intoto.Digest) *Bundle {
	for i := range a.Bundles {
		for _, s := range a.Bundles[i].Subjects {
			if s.Digest.Matches(d.Alg, d.Hex) {
				return &a.Bundles[i]
			}
		}
	}
	return nil
}

// Kinds of Stored copies.
const (
	KindFile            = "file"
	KindRegistry        = "registry"
	KindRelease         = "release"
	KindAttestationsAPI = "attestations-api"
)

// Stored is one place a copy of an attestation was stored.
type Stored struct {
	// Kind is one of the Kind constants.
	Kind string
	// Where names the copy: a path, an image reference, an asset name.
	Where string
	// URL links to it, when there is a link.
	URL string
	// Note says more, e.g. "fallback tag sha256-…" or "unchanged".
	Note string
	// ID is the release ID (KindRelease) or attestation ID
	// (KindAttestationsAPI), or 0.
	ID int64
	// Notice, when set, is something the user should read about this
	// copy, shown as a notice: that it replaced the copy from an earlier
	// attempt of this workflow run, or that an earlier copy could not be
	// removed.
	Notice string
}

// Notice is returned by a sink that stored nothing on purpose, for a reason
// the user should read but that must not fail the run (upload-assets on a
// branch, an attestations API the plan does not offer).
type Notice struct {
	// Sink names the sink, e.g. "release assets".
	Sink string
	// Reason says why nothing was stored and what to do about it.
	Reason string
	// Warning marks a notice that likely needs action.
	Warning bool
}

func (n *Notice) Error() string { return n.Sink + " " + n.Reason }

// AsNotice reports whether err is a *Notice, and returns it.
func AsNotice(err error) (*Notice, bool) {
	var n *Notice
	ok := errors.As(err, &n)
	return n, ok
}
