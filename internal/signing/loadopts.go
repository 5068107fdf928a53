package signing

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/sigstore/sigstore-go/pkg/root"

	"github.com/provenant/provenant/internal/httpretry"
)

// loadOptions holds what LoadInstance takes besides its Source.
type loadOptions struct {
	tuf           map[string]TUFRepository
	signingConfig map[string]*root.SigningConfig
	validityDays  int
	tufTransport  http.RoundTripper
}

// InstanceOption configures LoadInstance.
type InstanceOption func(*loadOptions) error

// WithTUF replaces the TUF repository that the built-in instance (PublicGood
// or GitHub) takes its trusted root from, and for PublicGood its signing
// config. The defaults are PublicGoodTUF and GitHubTUF. Tests use it to
// serve a repository on loopback; nothing else, and no environment
// variable, changes where trust comes from.
func WithTUF(instance string, repo TUFRepository) InstanceOption {
	return func(o *loadOptions) error {
		if instance != PublicGood && instance != GitHub {
			return fmt.Errorf("signing.WithTUF: %q is not a built-in instance", instance)
		}
		if repo.BaseURL == "" || len(repo.Root) == 0 {
			return errors.New("signing.WithTUF: the repository needs a base URL and an initial root")
		}
		o.tuf[instance] = repo
		return nil
	}
}

// WithSigningConfig replaces where the built-in instance (PublicGood or
// GitHub) signs: scJSON is a signing config
// (application/vnd.dev.sigstore.signingconfig.v0.2+json). The defaults are
// the signing config from the public-good TUF repository and, for GitHub,
// its Fulcio and timestamp authority at fulcio.githubapp.com and
// timestamp.githubapp.com, which GitHub does not publish through TUF.
func WithSigningConfig(instance string, scJSON []byte) InstanceOption {
	return func(o *loadOptions) error {
		if instance != PublicGood && instance != GitHub {
			return fmt.Errorf("signing.WithSigningConfig: %q is not a built-in instance", instance)
		}
		sc, err := root.NewSigningConfigFromJSON(scJSON)
		if err != nil {
			return fmt.Errorf("signing.WithSigningConfig: %w", err)
		}
		o.signingConfig[instance] = sc
		return nil
	}
}

// WithCacheValidity sets for how many days after an update the cached TUF
// metadata is used without asking the repository again (metadata that has
// expired is never used). 0 updates on every load. The default is 1, as
// sigstore-go and gh use.
func WithCacheValidity(days int) InstanceOption {
	return func(o *loadOptions) error {
		if days < 0 {
			return fmt.Errorf("signing.WithCacheValidity: %d days is negative", days)
		}
		o.validityDays = days
		return nil
	}
}

// WithTUFTransport sets the transport for TUF metadata and target
// downloads. The default retries 5xx, 429, dropped connections and
// answers cut short with backoff (httpretry); each download is also
// bounded by a 30s timeout.
func WithTUFTransport(rt http.RoundTripper) InstanceOption {
	return func(o *loadOptions) error {
		if rt == nil {
			return errors.New("signing.WithTUFTransport: the transport is nil")
		}
		o.tufTransport = rt
		return nil
	}
}

func makeLoadOptions(opts []InstanceOption) (loadOptions, error) {
	o := loadOptions{
		tuf:           map[string]TUFRepository{PublicGood: PublicGoodTUF(), GitHub: GitHubTUF()},
		signingConfig: map[string]*root.SigningConfig{},
		validityDays:  1,
	}
	for _, opt := range opts {
		if err := opt(&o); err != nil {
			return o, err
		}
	}
	if o.tufTransport == nil {
		rt, err := httpretry.New()
		if err != nil {
			return o, err
		}
		o.tufTransport = rt
	}
	return o, nil
}
