package signing

import (
	_ "embed"
	"errors"
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/tuf"
	"github.com/theupdateframework/go-tuf/v2/metadata/fetcher"
)

// githubTUFRoot is the initial root of GitHub's TUF repository; see
// embed/tuf-repo.github.com/README.md for where it comes from.
//
//go:embed embed/tuf-repo.github.com/root.json
var githubTUFRoot []byte

// GitHubTUFURL is GitHub's TUF repository, which publishes the trusted root
// of GitHub's Sigstore instance.
const GitHubTUFURL = "https://tuf-repo.github.com"

// trustedRootTarget is the TUF target holding a trusted root, in both the
// public-good repository and GitHub's (for github.com; GHE.com tenants
// publish "<domain>.trusted_root.json").
const trustedRootTarget = "trusted_root.json"

// tufTimeout bounds each TUF metadata or target download. sigstore-go's
// TUF client takes no context.
const tufTimeout = 30 * time.Second

// TUFRepository is a TUF repository that publishes an instance's trusted
// root (and, for public-good, its signing config).
type TUFRepository struct {
	// BaseURL serves the metadata (N.root.json, timestamp.json, …); the
	// targets are under BaseURL/targets.
	BaseURL string
	// Root is the initial root metadata the client starts from. Newer
	// versions the repository serves are followed from it.
	Root []byte
}

// PublicGoodTUF returns the public-good TUF repository, anchored by the
// root sigstore-go embeds.
func PublicGoodTUF() TUFRepository {
	return TUFRepository{BaseURL: tuf.DefaultMirror, Root: tuf.DefaultRoot()}
}

// GitHubTUF returns GitHub's TUF repository, anchored by the root embedded
// in this package.
func GitHubTUF() TUFRepository {
	return TUFRepository{BaseURL: GitHubTUFURL, Root: append([]byte(nil), githubTUFRoot...)}
}

// tufClient updates the repository into cacheDir and returns a client for
// its targets, downloading through rt. Within validityDays of the last update the cached metadata
// is used without contacting the repository, as long as it has not
// expired; 0 updates every time.
func tufClient(repo TUFRepository, cacheDir string, validityDays int, rt http.RoundTripper) (*tuf.Client, error) {
	if cacheDir == "" {
		// sigstore-go would fall back to $HOME; the cache belongs to the run.
		return nil, errors.New("no TUF cache directory given")
	}
	if err := os.MkdirAll(cacheDir, 0o700); err != nil {
		return nil, fmt.Errorf("creating the TUF cache %s: %w", cacheDir, err)
	}
	f := fetcher.NewDefaultFetcher()
	f.SetHTTPClient(&http.Client{Timeout: tufTimeout, Transport: rt})
	f.SetHTTPUserAgent("provenant")
	c, err := tuf.New(&tuf.Options{
		Root:              repo.Root,
		RepositoryBaseURL: repo.BaseURL,
		CachePath:         cacheDir,
		CacheValidity:     validityDays,
		Fetcher:           f,
	})
	if err != nil {
		return nil, fmt.Errorf("updating the TUF repository %s: %w", repo.BaseURL, err)
	}
	return c, nil
}

// tufTrustedRoot reads the trusted root target of an updated repository.
func tufTrustedRoot(c *tuf.Client, repo TUFRepository) (*root.TrustedRoot, error) {
	b, err := c.GetTarget(trustedRootTarget)
	if err != nil {
		return nil, fmt.Errorf("reading %s from the TUF repository %s: %w", trustedRootTarget, repo.BaseURL, err)
	}
	tr, err := root.NewTrustedRootFromJSON(b)
	if err != nil {
		return nil, fmt.Errorf("parsing %s from the TUF repository %s: %w", trustedRootTarget, repo.BaseURL, err)
	}
	return tr, nil
}
