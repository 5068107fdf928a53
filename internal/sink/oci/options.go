package oci

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// Option configures a Pusher (New) or a lookup (Platforms).
type Option func(*options) error

type options struct {
	keychain  authn.Keychain
	attRepo   *name.Repository
	legacy    bool
	transport http.RoundTripper
	clock     func() time.Time

	// Seams for tests of the transport policy; not exported.
	timeout time.Duration // per attempt
	retries int           // after the first attempt
	backoff time.Duration // first delay between attempts
}

func makeOptions(opts ...Option) (*options, error) {
	o := &options{
		keychain:  authn.DefaultKeychain,
		transport: remote.DefaultTransport,
		clock:     time.Now,
		timeout:   30 * time.Second,
		retries:   3,
		backoff:   500 * time.Millisecond,
	}
	var errs []error
	for _, opt := range opts {
		if err := opt(o); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return o, nil
}

// WithKeychain sets where registry credentials come from. The default is
// authn.DefaultKeychain (the Docker configuration under DOCKER_CONFIG or
// HOME, with credential helpers), which is also the last link of the chain
// Keychain builds.
func WithKeychain(k authn.Keychain) Option {
	return func(o *options) error {
		if k == nil {
			return errors.New("oci: WithKeychain: keychain is nil")
		}
		o.keychain = k
		return nil
	}
}

// WithAttestationRepository stores referrers, fallback tags and legacy .att
// images in repo (registry/repository, no tag or digest) instead of next to
// the image, like cosign's COSIGN_REPOSITORY. The subject still names the
// image's digest. The default, and an empty repo, is the image's own
// repository.
func WithAttestationRepository(repo string) Option {
	return func(o *options) error {
		if repo == "" {
			o.attRepo = nil
			return nil
		}
		r, err := name.NewRepository(repo)
		if err != nil {
			return fmt.Errorf("oci: attestation repository %q is not registry/repository: %w", repo, err)
		}
		o.attRepo = &r
		return nil
	}
}

// WithLegacyAtt also appends each attestation to cosign's legacy
// sha256-<hex>.att image, for verifiers that predate OCI referrers. The
// default is false.
func WithLegacyAtt(on bool) Option {
	return func(o *options) error {
		o.legacy = on
		return nil
	}
}

// WithTransport sets the transport that carries registry requests. The
// default is remote.DefaultTransport. Whichever is used, each request gets
// a 30 s timeout and up to 3 retries with backoff on 5xx, 429 and dropped
// connections.
func WithTransport(rt http.RoundTripper) Option {
	return func(o *options) error {
		if rt == nil {
			return errors.New("oci: WithTransport: transport is nil")
		}
		o.transport = rt
		return nil
	}
}

// WithClock sets the clock for the org.opencontainers.image.created
// annotation. The default is time.Now.
func WithClock(now func() time.Time) Option {
	return func(o *options) error {
		if now == nil {
			return errors.New("oci: WithClock: clock is nil")
		}
		o.clock = now
		return nil
	}
}
