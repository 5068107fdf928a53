package oci

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"net/http"
	"slices"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/provenant/provenant/internal/httpretry"
)

const (
	// fallbackDeadline bounds the rounds of writing and re-reading the
	// fallback index, unless the context ends first.
	fallbackDeadline = 2 * time.Minute
	// confirmations is how many more reads, after the first that holds
	// our entry, must hold it too.
	confirmations = 2
	// minSettle and maxSettle bound the wait before re-reading a tag.
	minSettle = 50 * time.Millisecond
	maxSettle = 5 * time.Second
)

// fallbackTag is the referrers tag schema's tag for a subject digest.
func fallbackTag(repo name.Repository, subject v1.Hash) name.Tag {
	return repo.Tag(subject.Algorithm + "-" + subject.Hex)
}

// ensureFallback makes sure the fallback index lists want with its
// artifactType and annotations, no longer lists the referrers want
// replaces (prior), and keeps every other descriptor. ggcr's Put normally
// has added want; when the entry is missing or incomplete (lost to a
// concurrent writer, or written by a tool that drops artifactType), or a
// replaced one is listed, the index is rewritten until it stays so
// (converge). It returns the replaced referrers it found listed.
//
// When a copy of the same run signed after want is listed (superseded),
// that copy replaces want, and want is taken out of the index instead;
// the newest copy's writer keeps it listed, so one always stays.
func (s *session) ensureFallback(ctx context.Context, tag name.Tag, want v1.Descriptor, prior *earlier) (unlisted []v1.Hash, superseded bool, err error) {
	races := raceBudget(raceAttempts)
	err = converge(ctx, func(ctx context.Context) (bool, error) {
		im, err := s.readIndex(ctx, tag)
		if err != nil {
			return false, err
		}
		var stale []v1.Hash
		stale, superseded = prior.copies(ctx, im.Manifests, want.Digest, false)
		for _, h := range stale {
			if !slices.Contains(unlisted, h) {
				unlisted = append(unlisted, h)
			}
		}
		if superseded {
			drop := append(stale, want.Digest)
			if !slices.ContainsFunc(im.Manifests, func(d v1.Descriptor) bool { return slices.Contains(drop, d.Digest) }) {
				return true, nil
			}
			return false, races.absorb(s.putIndex(ctx, tag, without(im, drop)))
		}
		if listsExactly(im, want) && len(stale) == 0 {
			return true, nil
		}
		return false, races.absorb(s.putIndex(ctx, tag, withDescriptor(im, want, stale)))
	})
	if err != nil {
		return nil, false, fmt.Errorf("keeping %s listed in %s: %w", want.Digest, tag, err)
	}
	return unlisted, superseded, nil
}

// converge runs step, which reads a shared tag and reports whether it
// holds our entry, writing it when not, until the entry is seen to stay.
//
// Registries offer no compare-and-swap on tags, so another process that
// read the tag before our write can still overwrite it without our entry.
// Such a writer writes within about one round trip of its read, so the
// entry counts as kept only once confirmations+1 reads in a row, each a
// settle wait of several of our slowest round trips after the last, hold
// it. Until then the tag is re-read and repaired, backing off while
// writers contend, until the context or fallbackDeadline ends.
func converge(ctx context.Context, step func(context.Context) (bool, error)) error {
	ctx, cancel := context.WithTimeout(ctx, fallbackDeadline)
	defer cancel()
	var slowest time.Duration
	held, conflicts := 0, 0
	for {
		start := time.Now()
		ok, err := step(ctx)
		slowest = max(slowest, time.Since(start))
		switch {
		case err != nil:
			return err
		case ok && held == confirmations:
			return nil
		case ok:
			held++
		default:
			held = 0
			conflicts++
		}
		if err := httpretry.Sleep(ctx, settle(slowest, conflicts)); err != nil {
			return fmt.Errorf("other writers kept replacing it (%w); run again", err)
		}
	}
}

// settle is the wait before re-reading a tag: four round trips, at least
// minSettle, doubled for each write that found the entry missing (up to
// 16 times), capped at maxSettle, with jitter so that contending writers
// spread out.
func settle(roundTrip time.Duration, conflicts int) time.Duration {
	d := max(minSettle, 4*roundTrip) << min(max(conflicts-1, 0), 4)
	d = min(d, maxSettle)
	return d/2 + rand.N(d/2+1)
}

// readIndex fetches the fallback index; a missing tag is an empty index.
func (s *session) readIndex(ctx context.Context, tag name.Tag) (*v1.IndexManifest, error) {
	d, err := s.puller.Get(ctx, tag)
	var terr *transport.Error
	if errors.As(err, &terr) && terr.StatusCode == http.StatusNotFound {
		return &v1.IndexManifest{SchemaVersion: 2, MediaType: types.OCIImageIndex, Manifests: []v1.Descriptor{}}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", tag, err)
	}
	if d.MediaType != types.OCIImageIndex {
		return nil, fmt.Errorf("tag %s is a %s, not the OCI image index of the referrers tag schema; remove or rename it", tag, d.MediaType)
	}
	im, err := v1.ParseIndexManifest(bytes.NewReader(d.Manifest))
	if err != nil {
		return nil, fmt.Errorf("parsing %s: %w", tag, err)
	}
	return im, nil
}

func (s *session) putIndex(ctx context.Context, tag name.Tag, im *v1.IndexManifest) error {
	raw, err := json.Marshal(im)
	if err != nil {
		return err
	}
	if err := s.pusher.Put(ctx, tag, rawManifest{raw: raw, mt: types.OCIImageIndex}); err != nil {
		return fmt.Errorf("writing %s: %w", tag, err)
	}
	return nil
}

// listsExactly reports whether im has want's digest with want's
// artifactType and annotations.
func listsExactly(im *v1.IndexManifest, want v1.Descriptor) bool {
	return slices.ContainsFunc(im.Manifests, func(d v1.Descriptor) bool {
		return d.Digest == want.Digest && d.ArtifactType == want.ArtifactType && maps.Equal(d.Annotations, want.Annotations)
	})
}

// withDescriptor returns a copy of im where want replaces any descriptor
// with its digest and the descriptors of drop are left out; all other
// descriptors stay as they are.
func withDescriptor(im *v1.IndexManifest, want v1.Descriptor, drop []v1.Hash) *v1.IndexManifest {
	out := without(im, append(slices.Clone(drop), want.Digest))
	out.Manifests = append(out.Manifests, want)
	return out
}

// without returns a copy of im without the descriptors of drop.
func without(im *v1.IndexManifest, drop []v1.Hash) *v1.IndexManifest {
	out := *im
	out.Manifests = slices.DeleteFunc(slices.Clone(im.Manifests), func(d v1.Descriptor) bool { return slices.Contains(drop, d.Digest) })
	return &out
}
