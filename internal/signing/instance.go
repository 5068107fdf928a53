package signing

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/tuf"
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
	Sigstore string
	// TrustedRoot is a path to a trusted root JSON. Required for a custom
	// signing config and for github; optional for public-good, where it
	// replaces the root from TUF.
	TrustedRoot string
	// CacheDir holds the TUF cache for public-good.
	CacheDir string
}

// IsPublic reports whether the named instance publishes to a public
// transparency log.
func IsPublic(sigstore string) bool { return sigstore == PublicGood || sigstore == "" }

// LoadInstance loads the signing config and trusted root of an instance.
// For public-good it updates the TUF repository over the network;
// sigstore-go's TUF client takes no context, so ctx is checked before the
// update and the client's own timeouts bound it.
func LoadInstance(ctx context.Context, src Source) (*Instance, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("loading the Sigstore instance: %w", err)
	}
	switch src.Sigstore {
	case PublicGood, "":
		return loadPublicGood(src)
	case GitHub:
		return loadGitHub(src)
	default:
		return loadCustom(src)
	}
}

func loadPublicGood(src Source) (*Instance, error) {
	inst := &Instance{Name: PublicGood}
	if err := os.MkdirAll(src.CacheDir, 0o700); err != nil {
		return nil, fmt.Errorf("creating the TUF cache %s: %w", src.CacheDir, err)
	}
	// The embedded root of the public-good TUF repository anchors trust;
	// the cache lives in the runner's temp dir, never in $HOME.
	c, err := tuf.New(tuf.DefaultOptions().WithCachePath(src.CacheDir).WithCacheValidity(1))
	if err != nil {
		return nil, fmt.Errorf("updating the public-good TUF repository: %w", err)
	}
	if inst.SigningConfig, err = root.GetSigningConfig(c); err != nil {
		return nil, fmt.Errorf("reading the public-good signing config from TUF: %w", err)
	}
	if src.TrustedRoot != "" {
		inst.TrustedRoot, err = readTrustedRoot(src.TrustedRoot)
	} else if inst.TrustedRoot, err = root.GetTrustedRoot(c); err != nil {
		err = fmt.Errorf("reading the public-good trusted root from TUF: %w", err)
	}
	if err != nil {
		return nil, err
	}
	return inst, nil
}

func loadGitHub(src Source) (*Instance, error) {
	if src.TrustedRoot == "" {
		return nil, errors.New("sigstore: github needs trusted-root: the path of GitHub's trusted root " +
			"(for example the output of `gh attestation trusted-root`), since provenant does not ship GitHub's TUF anchor")
	}
	tr, err := readTrustedRoot(src.TrustedRoot)
	if err != nil {
		return nil, err
	}
	sc, err := root.NewSigningConfig(root.SigningConfigMediaType02,
		[]root.Service{{URL: githubFulcioURL, MajorAPIVersion: 1, ValidityPeriodStart: time.Unix(0, 0), Operator: "github"}},
		nil, nil, root.ServiceConfiguration{Selector: 1},
		[]root.Service{{URL: githubTSAURL, MajorAPIVersion: 1, ValidityPeriodStart: time.Unix(0, 0), Operator: "github"}},
		root.ServiceConfiguration{Selector: 1})
	if err != nil {
		return nil, fmt.Errorf("building GitHub's signing config: %w", err)
	}
	return &Instance{Name: GitHub, SigningConfig: sc, TrustedRoot: tr}, nil
}

func loadCustom(src Source) (*Instance, error) {
	if src.TrustedRoot == "" {
		return nil, fmt.Errorf("sigstore is the signing config %s, so trusted-root must name the trusted root JSON of the same instance", src.Sigstore)
	}
	sc, err := root.NewSigningConfigFromPath(src.Sigstore)
	if err != nil {
		return nil, fmt.Errorf("reading the signing config %s: %w", src.Sigstore, err)
	}
	tr, err := readTrustedRoot(src.TrustedRoot)
	if err != nil {
		return nil, err
	}
	return &Instance{Name: filepath.Base(src.Sigstore), SigningConfig: sc, TrustedRoot: tr}, nil
}

func readTrustedRoot(p string) (*root.TrustedRoot, error) {
	tr, err := root.NewTrustedRootFromPath(p)
	if err != nil {
		return nil, fmt.Errorf("reading the trusted root %s: %w", p, err)
	}
	return tr, nil
}
