package verifier

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/google/go-github/v84/github"
	"github.com/klauspost/compress/snappy"

	"github.com/provenant/provenant/internal/httpretry"
	"github.com/provenant/provenant/internal/intoto"
	"github.com/provenant/provenant/internal/redact"
	"github.com/provenant/provenant/internal/sink/ghapi"
	"github.com/provenant/provenant/internal/verify"
)

// maxAPIPages bounds the pages of attestations read for one digest.
const maxAPIPages = 20

// GitHubSource lists the attestations GitHub stores for an artifact's
// digest, as `gh attestation verify --repo/--owner` does.
type GitHubSource struct {
	// APIURL is the REST API root, GITHUB_API_URL; "" means
	// https://api.github.com.
	APIURL string
	// Token authenticates the requests. It is never put in an error.
	Token string
	// Repo is OWNER/REPO: GET /repos/{owner}/{repo}/attestations/{digest}.
	Repo string
	// Owner, without Repo, is an organization or user:
	// GET /orgs/{owner}/attestations/{digest}, or /users/{owner}/… when
	// there is no such organization.
	Owner string
}

// ErrGitHubNoToken means a GitHub source was named without a token.
var ErrGitHubNoToken = errors.New("the GitHub attestations API needs a token")

// NoStoredAttestationsError means GitHub stores no attestation for the
// digest where it was asked.
type NoStoredAttestationsError struct{ Digest, Where string }

func (e *NoStoredAttestationsError) Error() string {
	return fmt.Sprintf("no attestations stored for %s in %s", e.Digest, e.Where)
}

// where names the source in messages.
func (g *GitHubSource) where() string {
	if g.Repo != "" {
		return g.Repo
	}
	return g.Owner
}

// githubLister lists attestations through the API with retries.
type githubLister struct {
	src    *GitHubSource
	client *github.Client
	call   ghapi.Caller
	// blobs fetches bundle_url copies. It is a client of its own: those
	// URLs point at blob storage, another host, and carry their own
	// signature, so the GitHub token must never go with them.
	blobs *http.Client
}

func newGitHubLister(src *GitHubSource, rt http.RoundTripper, sleep func(context.Context, time.Duration) error) (*githubLister, error) {
	if src.Token == "" {
		return nil, ErrGitHubNoToken
	}
	if src.Repo != "" && strings.Count(src.Repo, "/") != 1 {
		return nil, fmt.Errorf("repository %q: want OWNER/REPO", src.Repo)
	}
	c, err := ghapi.NewClient(src.APIURL, src.Token, rt)
	if err != nil {
		return nil, err
	}
	if rt == nil {
		rt = http.DefaultTransport
	}
	ropts := []httpretry.Option{httpretry.WithInner(rt)}
	if sleep != nil {
		ropts = append(ropts, httpretry.WithSleep(sleep))
	}
	retrying, err := httpretry.New(ropts...)
	if err != nil {
		return nil, err
	}
	return &githubLister{src: src, client: c, call: ghapi.Caller{Sleep: sleep},
		blobs: &http.Client{Transport: retrying, Timeout: ghapi.ClientTimeout}}, nil
}

// GitHubAccessError is the API's refusal of the token (401) or of its
// permissions (403, other than a rate limit).
type GitHubAccessError struct {
	Status  int
	Message string
}

func (e *GitHubAccessError) Error() string {
	what := "the token was refused"
	if e.Status == http.StatusForbidden {
		what = "the token may not read them"
	}
	return fmt.Sprintf("HTTP %d (%s): %s; listing attestations needs a token with read access to the repository "+
		"(for a private repository, a fine-grained token also needs `attestations: read`)", e.Status, e.Message, what)
}

// storedAttestation is one element of the list answer. GitHub gives the
// bundle inline, as a bundle_url to a snappy-compressed copy, or both.
type storedAttestation struct {
	Bundle       json.RawMessage `json:"bundle"`
	BundleURL    string          `json:"bundle_url"`
	RepositoryID int64           `json:"repository_id"`
}

type storedAttestations struct {
	Attestations []storedAttestation `json:"attestations"`
}

// list returns the bundles stored for digest, every page of them.
func (g *githubLister) list(ctx context.Context, d intoto.Digest) ([]verify.Candidate, error) {
	digest := d.String()
	var paths []string
	if g.src.Repo != "" {
		owner, repo, _ := strings.Cut(g.src.Repo, "/")
		paths = []string{fmt.Sprintf("repos/%s/%s/attestations/%s", url.PathEscape(owner), url.PathEscape(repo), url.PathEscape(digest))}
	} else {
		owner := url.PathEscape(g.src.Owner)
		paths = []string{
			fmt.Sprintf("orgs/%s/attestations/%s", owner, url.PathEscape(digest)),
			// an owner that is a user, not an organization
			fmt.Sprintf("users/%s/attestations/%s", owner, url.PathEscape(digest)),
		}
	}
	for _, p := range paths {
		out, err := g.pages(ctx, p)
		if errors.Is(err, errNotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("listing the attestations of %s in %s: %w", digest, g.src.where(), err)
		}
		if len(out) > 0 {
			return out, nil
		}
	}
	return nil, &NoStoredAttestationsError{Digest: digest, Where: g.src.where()}
}

var errNotFound = errors.New("not found")

func (g *githubLister) pages(ctx context.Context, path string) ([]verify.Candidate, error) {
	var out []verify.Candidate
	page := 0
	// The Caller waits as GitHub asks; go-github must not refuse to send on
	// its own after a rate-limit answer.
	ctx = context.WithValue(ctx, github.BypassRateLimitCheck, true)
	for range maxAPIPages {
		u := path + "?per_page=100"
		if page > 0 {
			u += "&page=" + strconv.Itoa(page)
		}
		var got storedAttestations
		var resp *github.Response
		err := g.call.Do(ctx, func(ctx context.Context) (*github.Response, error) {
			req, err := g.client.NewRequest(http.MethodGet, u, nil)
			if err != nil {
				return nil, err
			}
			got = storedAttestations{}
			resp, err = g.client.Do(ctx, req, &got)
			return resp, err
		})
		var er *github.ErrorResponse
		if errors.As(err, &er) && er.Response != nil {
			switch st := er.Response.StatusCode; st {
			case http.StatusNotFound:
				return nil, errNotFound
			case http.StatusUnauthorized, http.StatusForbidden:
				return nil, &GitHubAccessError{Status: st, Message: er.Message}
			}
		}
		if err != nil {
			return nil, err
		}
		for _, a := range got.Attestations {
			where := fmt.Sprintf("attestations API %s #%d", g.src.where(), len(out)+1)
			b, err := g.bundleOf(ctx, a)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", where, err)
			}
			out = append(out, verify.Candidate{JSON: b, Where: where})
		}
		if resp.NextPage == 0 {
			break
		}
		page = resp.NextPage
	}
	return out, nil
}

// maxBundleBytes bounds a bundle read from a bundle_url, compressed and
// decompressed.
const maxBundleBytes = 32 << 20

// bundleOf returns a's bundle JSON: inline when GitHub gave it, else read
// from bundle_url and snappy-decoded, as gh does.
func (g *githubLister) bundleOf(ctx context.Context, a storedAttestation) ([]byte, error) {
	if len(a.Bundle) > 0 && string(a.Bundle) != "null" {
		return a.Bundle, nil
	}
	if a.BundleURL == "" {
		return nil, errors.New("GitHub listed an attestation with neither a bundle nor a bundle_url")
	}
	u, err := url.Parse(a.BundleURL)
	if err != nil || (u.Scheme != "https" && !(u.Scheme == "http" && isLoopback(u.Hostname()))) || u.Host == "" {
		return nil, errors.New("the attestation's bundle_url is not an https URL")
	}
	// The URL's query is its credential: name only scheme, host and path.
	shown := u.Scheme + "://" + u.Host + u.EscapedPath()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("reading the bundle at %s: %w", shown, err)
	}
	resp, err := g.blobs.Do(req)
	if err != nil {
		return nil, fmt.Errorf("reading the bundle at %s: %w", shown, redact.Error(err))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("reading the bundle at %s: HTTP %d; the signed bundle URL may have expired: list the attestations again", shown, resp.StatusCode)
	}
	compressed, err := io.ReadAll(io.LimitReader(resp.Body, maxBundleBytes+1))
	if err != nil {
		return nil, fmt.Errorf("reading the bundle at %s: %w", shown, redact.Error(err))
	}
	if len(compressed) > maxBundleBytes {
		return nil, fmt.Errorf("the bundle at %s is larger than %d MiB", shown, maxBundleBytes>>20)
	}
	n, err := snappy.DecodedLen(compressed)
	if err != nil {
		return nil, fmt.Errorf("the bundle at %s is not snappy-compressed: %w", shown, err)
	}
	if n > maxBundleBytes {
		return nil, fmt.Errorf("the bundle at %s decompresses to more than %d MiB", shown, maxBundleBytes>>20)
	}
	b, err := snappy.Decode(nil, compressed)
	if err != nil {
		return nil, fmt.Errorf("the bundle at %s is not snappy-compressed: %w", shown, err)
	}
	return b, nil
}

// isLoopback reports whether host is a loopback address or localhost, the
// one place plain http is allowed (tests).
func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
