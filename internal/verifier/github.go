package verifier

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/google/go-github/v84/github"

	"github.com/provenant/provenant/internal/intoto"
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
	return &githubLister{src: src, client: c, call: ghapi.Caller{Sleep: sleep}}, nil
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

type listFunc func(ctx context.Context, digest string, opts *github.ListOptions) (*github.AttestationsResponse, *github.Response, error)

// list returns the bundles stored for digest, every page of them.
func (g *githubLister) list(ctx context.Context, d intoto.Digest) ([]verify.Candidate, error) {
	digest := d.String()
	var fns []listFunc
	if g.src.Repo != "" {
		owner, repo, _ := strings.Cut(g.src.Repo, "/")
		fns = []listFunc{func(ctx context.Context, digest string, o *github.ListOptions) (*github.AttestationsResponse, *github.Response, error) {
			return g.client.Repositories.ListAttestations(ctx, owner, repo, digest, o)
		}}
	} else {
		fns = []listFunc{
			func(ctx context.Context, digest string, o *github.ListOptions) (*github.AttestationsResponse, *github.Response, error) {
				return g.client.Organizations.ListAttestations(ctx, g.src.Owner, digest, o)
			},
			func(ctx context.Context, digest string, o *github.ListOptions) (*github.AttestationsResponse, *github.Response, error) {
				return g.client.Users.ListAttestations(ctx, g.src.Owner, digest, o)
			},
		}
	}
	for _, fn := range fns {
		out, err := g.pages(ctx, fn, digest)
		if errors.Is(err, errNotFound) {
			continue // an owner that is a user, not an organization
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

func (g *githubLister) pages(ctx context.Context, fn listFunc, digest string) ([]verify.Candidate, error) {
	var out []verify.Candidate
	opts := &github.ListOptions{PerPage: 100}
	// The Caller waits as GitHub asks; go-github must not refuse to send on
	// its own after a rate-limit answer.
	ctx = context.WithValue(ctx, github.BypassRateLimitCheck, true)
	for page := 0; page < maxAPIPages; page++ {
		var got *github.AttestationsResponse
		var resp *github.Response
		err := g.call.Do(ctx, func(ctx context.Context) (*github.Response, error) {
			var err error
			got, resp, err = fn(ctx, digest, opts)
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
			out = append(out, verify.Candidate{JSON: a.Bundle, Where: where})
		}
		if resp.NextPage == 0 {
			break
		}
		opts.Page = resp.NextPage
	}
	return out, nil
}
