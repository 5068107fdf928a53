package signing

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/sigstore/sigstore-go/pkg/root"
)

// Names of the built-in Sigstore instances.
const (
	PublicGood = "public-good"
	GitHub     = "github"
)

// GitHub's Sigstore instance for private repositories: its Fulcio and
// timestamp authority; it runs no transparency log.
const (
	githubFulcioURL = "https://fulcio.githubapp.com"
	githubTSAURL    = "https://timestamp.githubapp.com/api/v1/timestamp"
)

// Instance is a Sigstore deployment: where to sign, and what to trust.
type Instance struct {
	// Name is public-good, github, or the signing config's file name.
	Name          string
	SigningConfig *root.SigningConfig
	TrustedRoot   *root.TrustedRoot
}

// Source says which instance to load.
type Source struct {
	// Sigstore is public-good, github, or a path to a signing config JSON.
	// Resolve auto with Choose first.
	Sigstore string
	// TrustedRoot is a path to a trusted root JSON, or JSON Lines of
	// several. Required for a custom signing config; for public-good and
	// github it replaces the root from TUF.
	TrustedRoot string
	// CacheDir holds the TUF cache of the built-in instances.
	CacheDir string
}

// IsPublic reports whether the named instance publishes to a public
// transparency log.
func IsPublic(sigstore string) bool { return sigstore == PublicGood || sigstore == "" }

// LoadInstance loads the signing config and trusted root of an instance.
// For public-good and github, unless src.TrustedRoot is given, it updates
// the instance's TUF repository over the network (or uses the cache in
// src.CacheDir); sigstore-go's TUF client takes no context, so ctx is
// checked before the update and each download has a 30s timeout.
func LoadInstance(ctx context.Context, src Source, opts ...InstanceOption) (*Instance, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("loading the Sigstore instance: %w", err)
	}
	o, err := makeLoadOptions(opts)
	if err != nil {
		return nil, err
	}
	switch src.Sigstore {
	case PublicGood, "":
		return loadPublicGood(src, o)
	case GitHub:
		return loadGitHub(src, o)
	default:
		return loadCustom(src)
	}
}

// loadPublicGood takes the signing config and the trusted root from the
// public-good TUF repository, unless replaced.
func loadPublicGood(src Source, o loadOptions) (*Instance, error) {
	repo := o.tuf[PublicGood]
	sc := o.signingConfig[PublicGood]
	if sc != nil && src.TrustedRoot != "" {
		tr, err := readTrustedRoot(src.TrustedRoot, sc)
		return &Instance{Name: PublicGood, SigningConfig: sc, TrustedRoot: tr}, err
	}
	c, err := tufClient(repo, src.CacheDir, o.validityDays, o.tufTransport)
	if err != nil {
		return nil, err
	}
	if sc == nil {
		if sc, err = root.GetSigningConfig(c); err != nil {
			return nil, fmt.Errorf("reading the public-good signing config from the TUF repository %s: %w", repo.BaseURL, err)
		}
	}
	inst := &Instance{Name: PublicGood, SigningConfig: sc}
	if src.TrustedRoot != "" {
		inst.TrustedRoot, err = readTrustedRoot(src.TrustedRoot, sc)
	} else {
		inst.TrustedRoot, err = tufTrustedRoot(c, repo)
	}
	if err != nil {
		return nil, err
	}
	return inst, nil
}

// loadGitHub signs with GitHub's Fulcio and timestamp authority and trusts
// the root from GitHub's TUF repository, unless replaced.
func loadGitHub(src Source, o loadOptions) (*Instance, error) {
	sc := o.signingConfig[GitHub]
	if sc == nil {
		var err error
		if sc, err = githubSigningConfig(); err != nil {
			return nil, err
		}
	}
	inst := &Instance{Name: GitHub, SigningConfig: sc}
	var err error
	if src.TrustedRoot != "" {
		inst.TrustedRoot, err = readTrustedRoot(src.TrustedRoot, sc)
	} else {
		inst.TrustedRoot, err = githubTrustedRoot(src.CacheDir, o)
	}
	if err != nil {
		return nil, err
	}
	return inst, nil
}

func githubTrustedRoot(cacheDir string, o loadOptions) (*root.TrustedRoot, error) {
	repo := o.tuf[GitHub]
	c, err := tufClient(repo, cacheDir, o.validityDays, o.tufTransport)
	if err != nil {
		return nil, fmt.Errorf("fetching the trusted root of GitHub's Sigstore instance: %w "+
			"(trusted-root can name a copy instead, e.g. from `gh attestation trusted-root`)", err)
	}
	return tufTrustedRoot(c, repo)
}

// githubSigningConfig is where GitHub's instance signs; GitHub publishes
// no signing config.
func githubSigningConfig() (*root.SigningConfig, error) {
	svc := func(u string) []root.Service {
		return []root.Service{{URL: u, MajorAPIVersion: 1, ValidityPeriodStart: time.Unix(0, 0), Operator: "github"}}
	}
	sc, err := root.NewSigningConfig(root.SigningConfigMediaType02, svc(githubFulcioURL), nil, nil,
		root.ServiceConfiguration{Selector: 1}, svc(githubTSAURL), root.ServiceConfiguration{Selector: 1})
	if err != nil {
		return nil, fmt.Errorf("building GitHub's signing config: %w", err)
	}
	return sc, nil
}

func loadCustom(src Source) (*Instance, error) {
	if src.TrustedRoot == "" {
		return nil, fmt.Errorf("sigstore is the signing config %s, so trusted-root must name the trusted root JSON of the same instance", src.Sigstore)
	}
	sc, err := root.NewSigningConfigFromPath(src.Sigstore)
	if err != nil {
		return nil, fmt.Errorf("reading the signing config %s: %w", src.Sigstore, err)
	}
	tr, err := readTrustedRoot(src.TrustedRoot, sc)
	if err != nil {
		return nil, err
	}
	return &Instance{Name: filepath.Base(src.Sigstore), SigningConfig: sc, TrustedRoot: tr}, nil
}
