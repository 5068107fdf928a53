package oci

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
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

// referrersAPI probes GET /v2/<repo>/referrers/<digest>. 404 and 400 mean
// the registry has no referrers API, as in ggcr; so does a 200 whose body
// is not an image index, which some registries answer for unknown paths.
func (s *session) referrersAPI(ctx context.Context, repo name.Repository, subject v1.Hash) (bool, error) {
	auth, err := authn.Resolve(ctx, s.keychain, repo)
	if err != nil {
		return false, fmt.Errorf("resolving credentials: %w", err)
	}
	rt, err := transport.NewWithContext(ctx, repo.Registry, auth, s.transport, []string{repo.Scope(transport.PullScope)})
	if err != nil {
		return false, err
	}
	u := url.URL{Scheme: repo.Scheme(), Host: repo.RegistryStr(), Path: "/v2/" + repo.RepositoryStr() + "/referrers/" + subject.String()}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return false, err
	}
	req.Header.Set("Accept", string(types.OCIImageIndex))
	resp, err := (&http.Client{Transport: rt}).Do(req)
	if err != nil {
		return false, err
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusNotFound, http.StatusBadRequest:
		return false, nil
	case http.StatusOK:
		var im v1.IndexManifest
		body, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
		return err == nil && json.Unmarshal(body, &im) == nil && im.SchemaVersion == 2, err
	}
	return false, transport.CheckError(resp, http.StatusOK)
}

// ensureFallback makes sure the fallback index lists want with its
// artifactType and annotations, and keeps every other descriptor. ggcr's
// Put normally has done it; when the entry is missing or incomplete (lost
// to a concurrent writer, or written by a tool that drops artifactType),
// it is added or repaired until it stays (converge).
func (s *session) ensureFallback(ctx context.Context, tag name.Tag, want v1.Descriptor) error {
	err := converge(ctx, func(ctx context.Context) (bool, error) {
		im, err := s.readIndex(ctx, tag)
		if err != nil || listsExactly(im, want) {
			return err == nil, err
		}
		return false, s.putIndex(ctx, tag, withDescriptor(im, want))
	})
	if err != nil {
		return fmt.Errorf("keeping %s listed in %s: %w", want.Digest, tag, err)
	}
	return nil
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
// with its digest; all other descriptors stay as they are.
func withDescriptor(im *v1.IndexManifest, want v1.Descriptor) *v1.IndexManifest {
	out := *im
	out.Manifests = slices.DeleteFunc(slices.Clone(im.Manifests), func(d v1.Descriptor) bool { return d.Digest == want.Digest })
	out.Manifests = append(out.Manifests, want)
	return &out
}
