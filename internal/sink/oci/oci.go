package oci

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// Pusher attaches attestations to images. It is safe for concurrent use;
// concurrent Attach calls for the same image serialize their updates of
// the shared fallback and .att tags.
type Pusher struct {
	keychain  authn.Keychain
	attRepo   *name.Repository
	legacy    bool
	transport http.RoundTripper
	clock     func() time.Time
	locks     keyedLocks
}

// Stored says where Attach put an attestation.
type Stored struct {
	Subject      string // the image reference attested, registry/repo@sha256:<hex>
	Referrer     string // repo@sha256:<digest of the referrer manifest>
	ReferrersAPI bool   // true when the registry serves the referrers API; false when the sha256-<hex> fallback tag index was used
	FallbackTag  string // repo:sha256-<hex> when the fallback index was written
	LegacyTag    string // repo:sha256-<hex>.att when written

	// Replaced lists the referrers (repo@sha256:<digest>) from an earlier
	// attempt of the same workflow run that this attestation replaced:
	// deleted, or dropped from the fallback index.
	Replaced []string
	// ReplacedLayers lists the .att layers (sha256:<digest>) it replaced.
	ReplacedLayers []string
	// NotRemoved says, for each replaced referrer whose manifest the
	// registry would not delete, which and why. With the referrers API it
	// is still listed next to the new one; with the fallback index it is
	// no longer listed.
	NotRemoved []string
	// Superseded is set when a copy from the same workflow run, signed
	// after this one, was stored at the same time: that copy replaces
	// this one, which may already be gone.
	Superseded bool
}

// New returns a Pusher configured by opts.
func New(opts ...Option) (*Pusher, error) {
	o, err := makeOptions(opts...)
	if err != nil {
		return nil, err
	}
	return &Pusher{
		keychain:  o.keychain,
		attRepo:   o.attRepo,
		legacy:    o.legacy,
		transport: o.wrapTransport(),
		clock:     o.clock,
	}, nil
}

// Attach pushes bundleJSON, a Sigstore bundle v0.3 whose statement names
// the image, as an OCI referrer of ref (registry/repo@sha256:<hex>), keeps
// the fallback tag index current on registries without the referrers API,
// and with WithLegacyAtt appends the envelope to the .att image. The image
// must exist: its descriptor becomes the referrer's subject. chainPEM, the
// CA chain (intermediates and root) for the legacy layout, may be nil.
//
// Attach does not verify the bundle. Each call writes a new referrer (its
// created annotation differs). Copies from an earlier attempt of the same
// workflow run (a retried step, or "Re-run jobs") about the same subjects
// with the same predicate type are replaced once the new copy is stored:
// their referrer manifests are deleted (a registry that refuses is noted
// in Stored.NotRemoved, and the run goes on), dropped from the fallback
// index, and their .att layers dropped. The run is read from the Fulcio
// certificates (OIDC issuer, signer, source repository and Run Invocation
// URI), never from the statements; copies from other runs, repositories
// or signers stay. An
// identical .att layer is not added twice. On error the *Stored is nil,
// and the error never contains credentials.
func (p *Pusher) Attach(ctx context.Context, ref string, bundleJSON []byte, chainPEM []byte) (*Stored, error) {
	st, err := p.attach(ctx, ref, bundleJSON, chainPEM)
	if err != nil {
		return nil, redact(err, p.keychain)
	}
	return st, nil
}

func (p *Pusher) attach(ctx context.Context, ref string, bundleJSON, chainPEM []byte) (*Stored, error) {
	img, err := parseDigest(ref)
	if err != nil {
		return nil, err
	}
	att, err := parseBundle(bundleJSON)
	if err != nil {
		return nil, fmt.Errorf("attaching to %s: %w", ref, err)
	}
	if !att.names(img.DigestStr()) {
		return nil, fmt.Errorf("attaching to %s: the bundle's statement does not list %s among its subjects", ref, img.DigestStr())
	}
	repo := img.Context()
	if p.attRepo != nil {
		repo = *p.attRepo
	}
	s, err := p.newSession()
	if err != nil {
		return nil, err
	}
	subject, err := s.subject(ctx, img)
	if err != nil {
		return nil, fmt.Errorf("looking up %s: %w", ref, explainAuth(err, img.RegistryStr()))
	}
	st := &Stored{Subject: img.Name()}
	r, err := buildReferrer(subject, bundleJSON, att.predicateType, p.clock())
	if err != nil {
		return nil, fmt.Errorf("building referrer for %s: %w", ref, err)
	}
	if err := p.storeReferrer(ctx, s, repo, r, att, st); err != nil {
		return nil, fmt.Errorf("pushing referrer for %s to %s: %w", ref, repo, explainAuth(err, repo.RegistryStr()))
	}
	if p.legacy {
		if st.LegacyTag, err = p.storeLegacy(ctx, s, repo, subject.Digest, legacyTag(repo, subject.Digest), att, chainPEM, st); err != nil {
			return nil, fmt.Errorf("appending to the legacy .att tag for %s (the referrer %s is stored): %w", ref, st.Referrer, explainAuth(err, repo.RegistryStr()))
		}
	}
	return st, nil
}

// storeLegacy appends the attestation to the .att image under its lock.
// Layers it replaces are added to st.ReplacedLayers.
func (p *Pusher) storeLegacy(ctx context.Context, s *session, repo name.Repository, subject v1.Hash, tag name.Tag, att *attestation, chainPEM []byte, st *Stored) (string, error) {
	layer, ann := legacyLayer(att, chainPEM)
	unlock := p.locks.lock(tag.Name())
	defer unlock()
	dropped, superseded, err := s.appendLegacy(ctx, tag, layer, ann, s.earlier(repo, subject, att))
	if err != nil {
		return "", err
	}
	st.Superseded = st.Superseded || superseded
	for _, h := range dropped {
		st.ReplacedLayers = append(st.ReplacedLayers, h.String())
	}
	return tag.Name(), nil
}

// storeReferrer pushes the referrer and, without a referrers API, checks
// the fallback index; then it deletes the referrers the new one replaces.
// The fallback tag is locked for the whole sequence.
func (p *Pusher) storeReferrer(ctx context.Context, s *session, repo name.Repository, r *referrer, att *attestation, st *Stored) error {
	tag := fallbackTag(repo, r.subject)
	unlock := p.locks.lock(tag.Name())
	defer unlock()
	if err := s.pushReferrer(ctx, repo, r); err != nil {
		return err
	}
	st.Referrer = repo.Digest(r.desc.Digest.String()).Name()
	listed, api, err := s.listReferrers(ctx, repo, r.subject)
	if err != nil {
		return fmt.Errorf("probing the referrers API: %w", err)
	}
	st.ReferrersAPI = api
	prior := s.earlier(repo, r.subject, att)
	if api {
		var stale []v1.Hash
		stale, st.Superseded = prior.copies(ctx, listed, r.desc.Digest, false)
		if st.Superseded {
			stale = append(stale, r.desc.Digest)
		}
		st.Replaced, st.NotRemoved = s.deleteReferrers(ctx, repo, stale)
		st.Replaced = slices.DeleteFunc(st.Replaced, func(ref string) bool { return ref == st.Referrer })
		return nil
	}
	unlisted, superseded, err := s.ensureFallback(ctx, tag, r.desc, prior)
	if err != nil {
		return fmt.Errorf("updating the fallback tag: %w", err)
	}
	st.FallbackTag, st.Superseded = tag.Name(), superseded
	gone := unlisted
	if superseded {
		gone = append(slices.Clone(unlisted), r.desc.Digest)
	}
	_, refused := s.deleteReferrers(ctx, repo, gone)
	for _, h := range unlisted {
		st.Replaced = append(st.Replaced, repo.Digest(h.String()).Name())
	}
	st.NotRemoved = refused
	return nil
}

// parseDigest accepts registry/repo[:tag]@sha256:<hex> only.
func parseDigest(ref string) (name.Digest, error) {
	if !strings.Contains(ref, "@") {
		return name.Digest{}, fmt.Errorf("image reference %q has no digest; attestations attach to registry/repository@sha256:<hex>", ref)
	}
	d, err := name.NewDigest(ref)
	if err != nil {
		return name.Digest{}, fmt.Errorf("image reference %q is not registry/repository@sha256:<hex>: %w", ref, err)
	}
	if !strings.HasPrefix(d.DigestStr(), "sha256:") {
		return name.Digest{}, fmt.Errorf("image reference %q: only sha256 digests are supported", ref)
	}
	return d, nil
}

// session holds the ggcr clients for one operation. They are not shared
// between operations: ggcr caches per-repository state, including failed
// logins, for the lifetime of a Pusher or Puller.
type session struct {
	keychain  authn.Keychain
	transport http.RoundTripper
	puller    *remote.Puller
	pusher    *remote.Pusher
}

func (p *Pusher) newSession() (*session, error) {
	return newSession(p.keychain, p.transport)
}

func newSession(k authn.Keychain, rt http.RoundTripper) (*session, error) {
	opts := remoteOptions(k, rt)
	puller, err := remote.NewPuller(opts...)
	if err != nil {
		return nil, err
	}
	pusher, err := remote.NewPusher(opts...)
	if err != nil {
		return nil, err
	}
	return &session{keychain: k, transport: rt, puller: puller, pusher: pusher}, nil
}
