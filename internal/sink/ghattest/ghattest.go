package ghattest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/google/go-github/v84/github"

	"github.com/provenant/provenant/internal/sink/ghapi"
)

// ErrPlan is wrapped when the API refuses because of the repository's
// plan: attestations for private and internal repositories need GitHub
// Enterprise Cloud. The caller turns it into a warning unless
// fail-on-storage-error is set.
var ErrPlan = errors.New("attestations API: this repository's plan does not support attestations for private repositories (HTTP 403); " +
	"make the repository public or use GitHub Enterprise Cloud")

// Client stores bundles for one repository.
type Client struct {
	gh          *github.Client
	owner, repo string
	api         ghapi.Caller
}

type options struct {
	sleep    func(context.Context, time.Duration) error
	attempts int
}

// Option configures a Client.
type Option func(*options) error

// WithSleep replaces the wait between attempts; tests use it to record
// waits instead of waiting. The default, and nil, wait on a timer or until
// the context ends.
func WithSleep(f func(context.Context, time.Duration) error) Option {
	return func(o *options) error { o.sleep = f; return nil }
}

// New returns a Client for owner/repo that calls the API through client,
// e.g. one from ghapi.NewClient.
func New(client *github.Client, owner, repo string, opts ...Option) (*Client, error) {
	if client == nil {
		return nil, errors.New("ghattest: the GitHub client is nil")
	}
	o := options{attempts: 5}
	for _, opt := range opts {
		if err := opt(&o); err != nil {
			return nil, err
		}
	}
	return &Client{gh: client, owner: owner, repo: repo, api: ghapi.Caller{Attempts: o.attempts, Sleep: o.sleep, Hint: hint}}, nil
}

// hint says what usually causes an error status of the attestations API.
func hint(status int) string {
	switch status {
	case http.StatusForbidden:
		return "; the token may lack permission: the workflow needs attestations: write (and id-token: write to sign)"
	case http.StatusNotFound:
		return "; the repository does not exist, the token cannot see it, or this server has no attestations API (GitHub Enterprise Server)"
	case http.StatusUnprocessableEntity:
		return "; the attestations API rejected the bundle"
	}
	return ""
}

// createBody is the request body: the bundle as a JSON object, not a
// string.
type createBody struct {
	Bundle json.RawMessage `json:"bundle"`
}

// Upload stores one Sigstore bundle (a JSON object, as in a .sigstore.json
// file) and returns the attestation's id. It retries 5xx, 429 and rate
// limits. A refusal because of the plan wraps ErrPlan.
func (c *Client) Upload(ctx context.Context, bundleJSON []byte) (id int64, err error) {
	trimmed := bytes.TrimSpace(bundleJSON)
	if !json.Valid(trimmed) || len(trimmed) == 0 || trimmed[0] != '{' {
		return 0, errors.New("storing attestation: the bundle is not a JSON object")
	}
	var compact bytes.Buffer
	_ = json.Compact(&compact, trimmed) // valid, checked above
	body := createBody{Bundle: compact.Bytes()}
	ctx = context.WithValue(ctx, github.BypassRateLimitCheck, true)
	var out struct {
		ID int64 `json:"id"`
	}
	for try := 1; ; try++ {
		err = c.api.Do(ctx, func(ctx context.Context) (*github.Response, error) {
			req, err := c.gh.NewRequest(http.MethodPost, fmt.Sprintf("repos/%v/%v/attestations", c.owner, c.repo), body, apiHeaders)
			if err != nil {
				return nil, err
			}
			return c.gh.Do(ctx, req, &out)
		})
		if err == nil || try == maxResends || !cutShort(err) || ctx.Err() != nil {
			break
		}
	}
	if msg, ok := planMessage(err); ok {
		return 0, fmt.Errorf("%w; GitHub said: %s", ErrPlan, msg)
	}
	if err != nil {
		return 0, fmt.Errorf("storing attestation in %s/%s: %w", c.owner, c.repo, err)
	}
	return out.ID, nil
}

// maxResends bounds how often a bundle is sent again after the
// connection dropped or the answer was cut short.
const maxResends = 3

// cutShort reports whether err is a connection dropped while the request
// or its answer was in flight, which the API client does not retry
// because the POST may have been stored. Sending the same verified bundle
// again is safe: at worst the API keeps it twice, and both copies verify.
func cutShort(err error) bool {
	return errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}

// apiHeaders sets the headers GitHub documents for the endpoint.
func apiHeaders(req *http.Request) {
	req.Header.Set("Accept", "application/vnd.github+json")
	req.Header.Set("X-GitHub-Api-Version", "2022-11-28")
}

// planMessage returns GitHub's message if err is the 403 a repository
// whose plan lacks attestations gets: "Feature not available for
// user-owned private repositories", or a message asking to upgrade the
// billing plan.
func planMessage(err error) (string, bool) {
	var er *github.ErrorResponse
	if !errors.As(err, &er) || er.Response == nil || er.Response.StatusCode != http.StatusForbidden {
		return "", false
	}
	msg := strings.ToLower(er.Message)
	return er.Message, strings.Contains(msg, "feature not available") || strings.Contains(msg, "plan") ||
		strings.Contains(msg, "enterprise cloud")
}

// URL returns the page of an attestation, <server>/<owner>/<repo>/attestations/<id>,
// what actions/attest outputs as attestation-url. serverURL is
// GITHUB_SERVER_URL; "" means https://github.com.
func URL(serverURL, owner, repo string, id int64) string {
	if serverURL == "" {
		serverURL = "https://github.com"
	}
	return strings.TrimSuffix(serverURL, "/") + "/" + owner + "/" + repo + "/attestations/" + strconv.FormatInt(id, 10)
}
