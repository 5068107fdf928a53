package oci

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// fallbackAttempts bounds the read-check-write rounds on the fallback index.
const fallbackAttempts = 3

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
// it is added or repaired and the index read back again.
func (s *session) ensureFallback(ctx context.Context, tag name.Tag, want v1.Descriptor) error {
	for range fallbackAttempts {
		im, err := s.readIndex(ctx, tag)
		if err != nil {
			return err
		}
		if listsExactly(im, want) {
			return nil
		}
		if err := s.putIndex(ctx, tag, withDescriptor(im, want)); err != nil {
			return err
		}
	}
	im, err := s.readIndex(ctx, tag)
	if err != nil {
		return err
	}
	if !listsExactly(im, want) {
		return fmt.Errorf("index %s still does not list %s after %d writes; another writer may be updating it, run again", tag, want.Digest, fallbackAttempts)
	}
	return nil
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
