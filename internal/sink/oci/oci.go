package oci

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
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
// created annotation differs), so a re-run adds an attestation rather than
// replacing one; only an identical .att layer is skipped. On error the
// *Stored is nil, and the error never contains credentials.
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
	if err := p.storeReferrer(ctx, s, repo, r, st); err != nil {
		return nil, fmt.Errorf("pushing referrer for %s to %s: %w", ref, repo, explainAuth(err, repo.RegistryStr()))
	}
	if p.legacy {
		if st.LegacyTag, err = p.storeLegacy(ctx, s, legacyTag(repo, subject.Digest), att, chainPEM); err != nil {
			return nil, fmt.Errorf("appending to the legacy .att tag for %s (the referrer %s is stored): %w", ref, st.Referrer, explainAuth(err, repo.RegistryStr()))
		}
	}
	return st, nil
}

// storeLegacy appends the attestation to the .att image under its lock.
func (p *Pusher) storeLegacy(ctx context.Context, s *session, tag name.Tag, att *attestation, chainPEM []byte) (string, error) {
	layer, ann := legacyLayer(att, chainPEM)
	unlock := p.locks.lock(tag.Name())
	defer unlock()
	if err := s.appendLegacy(ctx, tag, layer, ann); err != nil {
		return "", err
	}
	return tag.Name(), nil
}

// storeReferrer pushes the referrer and, without a referrers API, checks
// the fallback index. The fallback tag is locked for the whole sequence.
func (p *Pusher) storeReferrer(ctx context.Context, s *session, repo name.Repository, r *referrer, st *Stored) error {
	tag := fallbackTag(repo, r.subject)
	unlock := p.locks.lock(tag.Name())
	defer unlock()
	if err := s.pushReferrer(ctx, repo, r); err != nil {
		return err
	}
	st.Referrer = repo.Digest(r.desc.Digest.String()).Name()
	api, err := s.referrersAPI(ctx, repo, r.subject)
	if err != nil {
		return fmt.Errorf("probing the referrers API: %w", err)
	}
	st.ReferrersAPI = api
	if api {
		return nil
	}
	if err := s.ensureFallback(ctx, tag, r.desc); err != nil {
		return fmt.Errorf("updating the fallback tag: %w", err)
	}
	st.FallbackTag = tag.Name()
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
