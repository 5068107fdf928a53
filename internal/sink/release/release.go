package release

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/google/go-github/v84/github"

	"github.com/provenant/provenant/internal/sink/ghapi"
)

// Asset is one file to publish on the release.
type Asset struct {
	// Name is the asset's file name on the release, e.g.
	// "multiple.intoto.jsonl".
	Name string
	Data []byte
	// ContentType is sent as the upload's media type. When empty, it is
	// guessed from the name's extension, falling back to
	// application/octet-stream.
	ContentType string
}

// Options says which release to use and how.
type Options struct {
	// Tag names the release. Required.
	Tag string

	// Draft is slsa-github-generator's three-state draft-release input.
	// It matters only when the release is created: "true" creates a
	// draft; "" and any other value create a published release. An
	// existing release is never drafted or published.
	Draft string

	// Overwrite replaces an asset of the same name whose content differs
	// (overwrite-assets: true). Without it, such an asset is an error.
	// Identical assets are left alone either way.
	Overwrite bool

	// Create creates the release when none exists for Tag. The action and
	// the CLI default it to true; the zero value does not create, and a
	// missing release is then an error wrapping ErrReleaseNotFound.
	Create bool

	// Run identifies this workflow run. An asset of the same name with
	// different content that holds only attestations of the same
	// repository and run, from any attempt, is replaced without
	// Overwrite (ActionReplacedRerun). The zero value turns this off.
	Run Run

	// Commit is the commit a created release's tag points at when the tag
	// does not exist yet: the commit the provenance describes. Empty lets
	// GitHub use the default branch. An existing tag is never moved.
	Commit string
}

// Uploaded reports what Upload did.
type Uploaded struct {
	ReleaseID  int64
	ReleaseURL string // the release's html_url
	Created    bool   // Upload created the release
	Assets     []AssetResult
}

// AssetResult reports what happened to one asset.
type AssetResult struct {
	Name string
	URL  string // browser_download_url
	// Action is "uploaded" (it was not there), "unchanged" (it was there
	// with the same content) or "replaced" (it was there with different
	// content and Overwrite was set) or "replaced-rerun" (it was there
	// with attestations of an earlier attempt of this run) or
	// "kept-rerun" (a concurrent attempt of this run stored its copy).
	Action string
}

// The actions an AssetResult reports.
const (
	ActionUploaded  = "uploaded"
	ActionUnchanged = "unchanged"
	ActionReplaced  = "replaced"
	// ActionReplacedRerun replaced an asset that held only attestations
	// of an earlier attempt of the same workflow run (Options.Run).
	ActionReplacedRerun = "replaced-rerun"
	// ActionKeptRerun left in place the copy that a concurrent attempt of
	// the same workflow run uploaded while this one was replacing the
	// earlier copy: it attests the same subjects from the same run.
	ActionKeptRerun = "kept-rerun"
)

var (
	// ErrImmutable is wrapped when the release is immutable, so its assets
	// cannot be added, replaced or deleted.
	ErrImmutable = errors.New("the release is immutable and its assets cannot be changed; " +
		"publish provenance before the release is published (immutability applies on publish), " +
		"or upload to a draft release (draft-release: true) and publish it afterwards")

	// ErrAssetExists is wrapped when an asset of the same name but
	// different content exists and Options.Overwrite is not set.
	ErrAssetExists = errors.New("an asset of that name exists with different content " +
		"(a re-run of a job signs anew, so its files differ from the first attempt's); " +
		"set overwrite-assets: true to replace it")

	// ErrReleaseNotFound is wrapped when no release exists for the tag
	// and Options.Create is not set.
	ErrReleaseNotFound = errors.New("no release exists for the tag")
)

// Uploader publishes assets on the releases of one repository.
type Uploader struct {
	gh          *github.Client
	owner, repo string
	api         ghapi.Caller
	downloader  *http.Client
}

type options struct {
	sleep    func(context.Context, time.Duration) error
	attempts int
	download *http.Client
}

// Option configures an Uploader.
type Option func(*options) error

// WithSleep replaces the wait between attempts; tests use it to record
// waits instead of waiting. The default, and nil, wait on a timer or until
// the context ends.
func WithSleep(f func(context.Context, time.Duration) error) Option {
	return func(o *options) error { o.sleep = f; return nil }
}

// WithMaxAttempts sets how many times one API call is tried at most. The
// default is 5; values below 1 mean 1.
func WithMaxAttempts(n int) Option {
	return func(o *options) error { o.attempts = max(1, n); return nil }
}

// New returns an Uploader for owner/repo that calls the API through
// client, typically one from ghapi.NewClient.
func New(client *github.Client, owner, repo string, opts ...Option) (*Uploader, error) {
	if client == nil {
		return nil, errors.New("release: the GitHub client is nil")
	}
	o := options{attempts: 5, download: &http.Client{Timeout: ghapi.ClientTimeout}}
	for _, opt := range opts {
		if err := opt(&o); err != nil {
			return nil, err
		}
	}
	return &Uploader{gh: client, owner: owner, repo: repo, downloader: o.download,
		api: ghapi.Caller{Attempts: o.attempts, Sleep: o.sleep, Hint: hint}}, nil
}

// call runs one API call with retries.
func (u *Uploader) call(ctx context.Context, f func(context.Context) (*github.Response, error)) error {
	return u.api.Do(ctx, f)
}

// hint says what usually causes an error status of the releases API.
func hint(status int) string {
	switch status {
	case http.StatusForbidden:
		return "; the token may lack permission: the workflow needs contents: write"
	case http.StatusNotFound:
		return "; the repository or release does not exist, or the token cannot see it"
	}
	return ""
}

// Upload makes every asset present on the release for o.Tag with exactly
// its content, creating the release if it is missing and o.Create is set.
// On error the result, when not nil, lists what was done before it.
func (u *Uploader) Upload(ctx context.Context, o Options, assets []Asset) (*Uploaded, error) {
	if err := validate(o, assets); err != nil {
		return nil, err
	}
	// Waits are ours to decide: stop go-github refusing requests on its
	// own after a rate-limit answer.
	ctx = context.WithValue(ctx, github.BypassRateLimitCheck, true)
	rel, created, err := u.ensureRelease(ctx, o)
	if err != nil {
		return nil, fmt.Errorf("release %s in %s/%s: %w", o.Tag, u.owner, u.repo, err)
	}
	out := &Uploaded{ReleaseID: rel.GetID(), ReleaseURL: rel.GetHTMLURL(), Created: created}
	existing, err := u.listAssets(ctx, rel.GetID())
	if err != nil {
		return out, fmt.Errorf("listing assets of release %s: %w", o.Tag, err)
	}
	for _, a := range assets {
		res, err := u.put(ctx, rel, existing, a, o)
		if err != nil {
			return out, fmt.Errorf("release %s asset %q: %w", o.Tag, a.Name, err)
		}
		out.Assets = append(out.Assets, res)
	}
	return out, nil
}

func validate(o Options, assets []Asset) error {
	var errs []error
	if o.Tag == "" {
		errs = append(errs, errors.New("no release tag given"))
	}
	seen := map[string]bool{}
	for _, a := range assets {
		switch {
		case a.Name == "" || strings.ContainsAny(a.Name, "/\\"):
			errs = append(errs, fmt.Errorf("asset name %q is not a plain file name", a.Name))
		case seen[a.Name]:
			errs = append(errs, fmt.Errorf("asset %q is given twice", a.Name))
		}
		seen[a.Name] = true
	}
	return errors.Join(errs...)
}
