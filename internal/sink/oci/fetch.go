package oci

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

const (
	// bundleMediaTypePrefix starts every Sigstore bundle media type, the
	// v0.3 form and the older "+json;version=0.x" forms; gh filters
	// referrers on it too.
	bundleMediaTypePrefix = "application/vnd.dev.sigstore.bundle"
	// bundleMediaTypeV01 is the bundle version that accepts a log entry
	// with only an inclusion promise.
	bundleMediaTypeV01 = "application/vnd.dev.sigstore.bundle+json;version=0.1"

	// maxAttestationSize bounds one bundle or envelope blob, as cosign's
	// default attachment limit does.
	maxAttestationSize = 128 << 20
	// maxReferrerPages bounds the pages of one referrers API listing.
	maxReferrerPages = 100
)

// Found is one attestation found for an image.
type Found struct {
	// Bundle is a Sigstore bundle JSON: as pushed, for a referrer; rebuilt
	// from the DSSE layer and its annotations, for cosign's legacy .att
	// layout (see Fetch). It is nil when the attestation could not be
	// read or converted; Where then ends in ": <reason>".
	Bundle []byte
	// Where says where it was found, for messages: "referrer
	// sha256:<hex> (referrers API)", "referrer sha256:<hex> (fallback tag
	// sha256-<hex>)" or "legacy tag sha256-<hex>.att layer 2" (layers
	// count from 1).
	Where string
}

// Fetch returns every Sigstore bundle attached to the image ref
// (registry/repo@sha256:<hex>) in the layouts of formats.md, section 6:
// first the OCI 1.1 referrers whose artifactType is a Sigstore bundle
// media type (application/vnd.dev.sigstore.bundle.v0.3+json or an older
// …bundle+json;version=0.x), listed by the referrers API or, when the
// registry has none, by the sha256-<hex> fallback tag index; then one
// entry per layer of cosign's legacy sha256-<hex>.att image.
//
// A legacy layer (a DSSE envelope with cosign's annotations) is rebuilt
// into a bundle: version 0.1 with the leaf and chain as
// x509CertificateChain and the Rekor v1 entry of its SET (an inclusion
// promise, no proof) when it has the dev.sigstore.cosign/bundle
// annotation; otherwise version 0.3 with the leaf certificate. RFC 3161
// timestamps are carried over. Key-signed layers (no certificate) are not
// converted. An attestation stored in both layouts is returned twice.
//
// Fetch neither verifies the bundles nor fetches the image. With
// WithAttestationRepository it looks in that repository instead of the
// image's; WithKeychain and WithTransport apply, the other options do
// not. No attestation at all is an empty slice, not an error. An
// attestation that cannot be read or converted (a stale index entry, a
// malformed layer) is a Found with a nil Bundle; registry failures are
// errors, which name ref and never contain credentials.
func Fetch(ctx context.Context, ref string, opts ...Option) ([]Found, error) {
	o, err := makeOptions(opts...)
	if err != nil {
		return nil, err
	}
	if !strings.Contains(ref, "@") {
		return nil, fmt.Errorf("image reference %q has no digest; attestations are looked up for registry/repository@sha256:<hex> (resolve the tag first, for example with `crane digest`)", ref)
	}
	img, err := parseDigest(ref)
	if err != nil {
		return nil, err
	}
	repo := img.Context()
	if o.attRepo != nil {
		repo = *o.attRepo
	}
	found, err := fetch(ctx, img, repo, o)
	if err != nil {
		return nil, redact(fmt.Errorf("fetching attestations of %s from %s: %w", ref, repo, explainReadAuth(err, repo.RegistryStr())), o.keychain)
	}
	return found, nil
}

func fetch(ctx context.Context, img name.Digest, repo name.Repository, o *options) ([]Found, error) {
	subject, err := v1.NewHash(img.DigestStr())
	if err != nil {
		return nil, err
	}
	s, err := newSession(o.keychain, o.wrapTransport())
	if err != nil {
		return nil, err
	}
	found, err := s.fetchReferrers(ctx, repo, subject)
	if err != nil {
		return nil, fmt.Errorf("reading referrers: %w", err)
	}
	legacy, err := s.fetchLegacy(ctx, repo, legacyTag(repo, subject))
	if err != nil {
		return nil, fmt.Errorf("reading the legacy .att tag: %w", err)
	}
	return append(found, legacy...), nil
}

// unusableError is a problem with one attestation that Fetch reports in
// its Found instead of failing.
type unusableError struct{ reason string }

func (e *unusableError) Error() string { return e.reason }

func unusable(format string, args ...any) error {
	return &unusableError{reason: fmt.Sprintf(format, args...)}
}

// errNotBundle marks a referrer that turns out to be something else.
var errNotBundle = errors.New("not a Sigstore bundle")

// record turns the result of reading one attestation into a Found, or
// returns the error that ends Fetch.
func record(out []Found, where string, b []byte, err error) ([]Found, error) {
	var u *unusableError
	switch {
	case err == nil:
		return append(out, Found{Bundle: b, Where: where}), nil
	case errors.Is(err, errNotBundle):
		return out, nil
	case errors.As(err, &u):
		return append(out, Found{Where: where + ": " + u.reason}), nil
	}
	return nil, fmt.Errorf("reading %s: %w", where, err)
}

// fetchReferrers reads the bundle of each bundle referrer of subject.
func (s *session) fetchReferrers(ctx context.Context, repo name.Repository, subject v1.Hash) ([]Found, error) {
	descs, via, err := s.referrerIndex(ctx, repo, subject)
	if err != nil {
		return nil, err
	}
	out := []Found{}
	for _, d := range descs {
		if !mayBeBundle(d.ArtifactType) {
			continue
		}
		b, err := s.referrerBundle(ctx, repo, d.Digest, subject)
		if out, err = record(out, fmt.Sprintf("referrer %s (%s)", d.Digest, via), b, err); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// mayBeBundle reports whether a listed artifactType can belong to a bundle
// referrer. An empty one, or the empty config's media type, is checked
// against the manifest: tools have dropped artifactType from fallback
// indexes, and some registries (ggcr's among them) list the config media
// type instead of the manifest's artifactType.
func mayBeBundle(artifactType string) bool {
	return artifactType == "" || artifactType == emptyMediaType || strings.HasPrefix(artifactType, bundleMediaTypePrefix)
}

// referrerIndex lists the referrers of subject in repo, from the referrers
// API when the registry serves it and from the fallback tag index
// otherwise; via names the source for messages.
func (s *session) referrerIndex(ctx context.Context, repo name.Repository, subject v1.Hash) (descs []v1.Descriptor, via string, err error) {
	descs, api, err := s.listReferrers(ctx, repo, subject)
	if err != nil || api {
		return descs, "referrers API", err
	}
	tag := fallbackTag(repo, subject)
	im, err := s.readIndex(ctx, tag)
	if err != nil {
		return nil, "", err
	}
	return im.Manifests, "fallback tag " + tag.TagStr(), nil
}

// listReferrers asks GET /v2/<repo>/referrers/<digest>, following Link
// pages. Like referrers, it takes 404, 400 and a first answer that is
// not an image index to mean the registry has no referrers API (api
// false).
func (s *session) listReferrers(ctx context.Context, repo name.Repository, subject v1.Hash) (descs []v1.Descriptor, api bool, err error) {
	client, err := s.client(ctx, repo)
	if err != nil {
		return nil, false, err
	}
	u := url.URL{Scheme: repo.Scheme(), Host: repo.RegistryStr(), Path: "/v2/" + repo.RepositoryStr() + "/referrers/" + subject.String()}
	next := &u
	for page := 0; next != nil; page++ {
		if page == maxReferrerPages {
			return nil, false, fmt.Errorf("the referrers API answered more than %d pages", maxReferrerPages)
		}
		var im *v1.IndexManifest
		if im, next, err = referrersPage(ctx, client, next); err != nil {
			return nil, false, err
		}
		if im == nil && page == 0 {
			return nil, false, nil
		}
		if im == nil {
			return nil, false, fmt.Errorf("page %d of the referrers API is not an image index", page+1)
		}
		descs = append(descs, im.Manifests...)
	}
	return descs, true, nil
}

// referrersPage fetches one page; im is nil when the answer is not an
// image index. next is the Link rel="next" page, if any.
func referrersPage(ctx context.Context, client *http.Client, u *url.URL) (im *v1.IndexManifest, next *url.URL, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("Accept", string(types.OCIImageIndex))
	resp, err := client.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusNotFound, http.StatusBadRequest, http.StatusNotAcceptable:
		return nil, nil, nil
	case http.StatusOK:
	default:
		return nil, nil, transport.CheckError(resp, http.StatusOK)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return nil, nil, err
	}
	if json.Unmarshal(body, &im) != nil || im == nil || im.SchemaVersion != 2 {
		return nil, nil, nil
	}
	return im, nextLink(u, resp.Header.Get("Link")), nil
}

// nextLink resolves a Link header's rel="next" target against u.
func nextLink(u *url.URL, header string) *url.URL {
	for link := range strings.SplitSeq(header, ",") {
		target, params, ok := strings.Cut(strings.TrimSpace(link), ";")
		if !ok || !strings.Contains(strings.ReplaceAll(params, " ", ""), `rel="next"`) {
			continue
		}
		next, err := u.Parse(strings.Trim(strings.TrimSpace(target), "<>"))
		if err == nil {
			return next
		}
	}
	return nil
}

// client is an HTTP client authorized to pull from repo.
func (s *session) client(ctx context.Context, repo name.Repository) (*http.Client, error) {
	auth, err := authn.Resolve(ctx, s.keychain, repo)
	if err != nil {
		return nil, fmt.Errorf("resolving credentials: %w", err)
	}
	rt, err := transport.NewWithContext(ctx, repo.Registry, auth, s.transport, []string{repo.Scope(transport.PullScope)})
	if err != nil {
		return nil, err
	}
	return &http.Client{Transport: rt}, nil
}

// referrerBundle reads the bundle layer of the referrer manifest at
// digest; errNotBundle when the manifest's artifactType is no bundle's.
func (s *session) referrerBundle(ctx context.Context, repo name.Repository, digest, subject v1.Hash) ([]byte, error) {
	d, err := s.puller.Get(ctx, repo.Digest(digest.String()))
	if isNotFound(err) {
		return nil, unusable("the manifest is not in %s (the listing is stale)", repo)
	}
	if err != nil {
		return nil, err
	}
	m, err := v1.ParseManifest(bytes.NewReader(d.Manifest))
	if err != nil {
		return nil, unusable("the manifest is not an image manifest: %v", err)
	}
	artifactType := m.ArtifactType
	if artifactType == "" {
		artifactType = string(m.Config.MediaType)
	}
	if !strings.HasPrefix(artifactType, bundleMediaTypePrefix) {
		return nil, errNotBundle
	}
	if m.Subject == nil || m.Subject.Digest != subject {
		return nil, unusable("the manifest's subject is not %s", subject)
	}
	for _, l := range m.Layers {
		if strings.HasPrefix(string(l.MediaType), bundleMediaTypePrefix) {
			return s.readBlob(ctx, repo, l)
		}
	}
	return nil, unusable("the manifest has no layer with a Sigstore bundle media type")
}

// readBlob reads a small blob of repo, checking its digest.
func (s *session) readBlob(ctx context.Context, repo name.Repository, d v1.Descriptor) ([]byte, error) {
	if d.Size > maxAttestationSize {
		return nil, unusable("layer %s is %d bytes, more than the %d accepted", d.Digest, d.Size, maxAttestationSize)
	}
	l, err := s.puller.Layer(ctx, repo.Digest(d.Digest.String()))
	if err != nil {
		return nil, err
	}
	rc, err := l.Compressed()
	if isNotFound(err) {
		return nil, unusable("blob %s is not in %s", d.Digest, repo)
	}
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	// Reading to the end makes ggcr check the digest.
	b, err := io.ReadAll(io.LimitReader(rc, maxAttestationSize+1))
	if err != nil {
		return nil, fmt.Errorf("reading blob %s: %w", d.Digest, err)
	}
	if len(b) > maxAttestationSize {
		return nil, unusable("layer %s is more than the %d bytes accepted", d.Digest, maxAttestationSize)
	}
	return b, nil
}

func isNotFound(err error) bool {
	var terr *transport.Error
	return errors.As(err, &terr) && terr.StatusCode == http.StatusNotFound
}
