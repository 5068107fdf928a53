package release

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/google/go-github/v84/github"
)

// maxListPages bounds the search through the release list: 100 pages of
// 100 releases.
const maxListPages = 100

// ensureRelease finds the release for o.Tag or, with o.Create, creates it.
func (u *Uploader) ensureRelease(ctx context.Context, o Options) (*github.RepositoryRelease, bool, error) {
	rel, err := u.findRelease(ctx, o.Tag)
	if err != nil || rel != nil {
		return rel, false, err
	}
	if !o.Create {
		return nil, false, ErrReleaseNotFound
	}
	return u.createRelease(ctx, o.Tag, o.Draft == "true", o.Commit)
}

// findRelease returns the release for tag, or nil if there is none.
// GET-by-tag sees only published releases, so when it answers 404 the
// list, which includes drafts, is searched page by page.
func (u *Uploader) findRelease(ctx context.Context, tag string) (*github.RepositoryRelease, error) {
	var rel *github.RepositoryRelease
	err := u.call(ctx, func(ctx context.Context) (resp *github.Response, err error) {
		rel, resp, err = u.gh.Repositories.GetReleaseByTag(ctx, u.owner, u.repo, tag)
		return resp, err
	})
	switch {
	case err == nil:
		return rel, nil
	case !isStatus(err, http.StatusNotFound):
		return nil, fmt.Errorf("getting release by tag: %w", err)
	}
	return u.searchReleases(ctx, tag)
}

// searchReleases pages through the release list for tag and returns the
// oldest release that has it. Drafts do not own their tag, so concurrent
// runs may each create a draft for one tag; every run then settles on the
// oldest (settleDraft), and so does this search.
func (u *Uploader) searchReleases(ctx context.Context, tag string) (*github.RepositoryRelease, error) {
	var found *github.RepositoryRelease
	opt := &github.ListOptions{PerPage: 100}
	for range maxListPages {
		var rels []*github.RepositoryRelease
		var next int
		err := u.call(ctx, func(ctx context.Context) (*github.Response, error) {
			var resp *github.Response
			var err error
			rels, resp, err = u.gh.Repositories.ListReleases(ctx, u.owner, u.repo, opt)
			if resp != nil {
				next = resp.NextPage
			}
			return resp, err
		})
		if err != nil {
			return nil, fmt.Errorf("listing releases: %w", err)
		}
		for _, r := range rels {
			if r.GetTagName() == tag && (found == nil || r.GetID() < found.GetID()) {
				found = r
			}
		}
		if next == 0 {
			break
		}
		opt.Page = next
	}
	return found, nil
}

// createRelease creates the release. When another run created it first
// (422 already_exists on tag_name), that release is used instead.
func (u *Uploader) createRelease(ctx context.Context, tag string, draft bool, commit string) (*github.RepositoryRelease, bool, error) {
	req := &github.RepositoryRelease{TagName: github.Ptr(tag), Draft: github.Ptr(draft)}
	if commit != "" {
		req.TargetCommitish = github.Ptr(commit)
	}
	var rel *github.RepositoryRelease
	err := u.call(ctx, func(ctx context.Context) (resp *github.Response, err error) {
		rel, resp, err = u.gh.Repositories.CreateRelease(ctx, u.owner, u.repo, req)
		return resp, err
	})
	if err == nil && draft {
		return u.settleDraft(ctx, tag, rel)
	}
	if err == nil {
		return rel, true, nil
	}
	if !hasFieldError(err, "already_exists", "tag_name") {
		return nil, false, fmt.Errorf("creating release: %w", err)
	}
	rel, ferr := u.findRelease(ctx, tag)
	if ferr != nil {
		return nil, false, ferr
	}
	if rel == nil {
		return nil, false, fmt.Errorf("creating release: GitHub says it exists, but it cannot be found: %w", err)
	}
	return rel, false, nil
}

// settleDraft makes concurrent runs that each created a draft for tag use
// one: the oldest release with the tag. A run whose draft is not the
// oldest deletes it (it is still empty) and uses the oldest instead.
func (u *Uploader) settleDraft(ctx context.Context, tag string, mine *github.RepositoryRelease) (*github.RepositoryRelease, bool, error) {
	oldest, err := u.searchReleases(ctx, tag)
	if err != nil {
		return nil, false, err
	}
	if oldest == nil || oldest.GetID() >= mine.GetID() {
		return mine, true, nil
	}
	err = u.call(ctx, func(ctx context.Context) (*github.Response, error) {
		return u.gh.Repositories.DeleteRelease(ctx, u.owner, u.repo, mine.GetID())
	})
	if err != nil && !isStatus(err, http.StatusNotFound) {
		return nil, false, fmt.Errorf("another run created a draft release for the tag at the same time; deleting the "+
			"duplicate draft %d this run created: %w", mine.GetID(), err)
	}
	return oldest, false, nil
}

// isStatus reports whether err is an API answer with that status.
func isStatus(err error, status int) bool {
	var er *github.ErrorResponse
	return errors.As(err, &er) && er.Response != nil && er.Response.StatusCode == status
}

// hasFieldError reports whether err is a 422 with a validation error of
// that code on that field.
func hasFieldError(err error, code, field string) bool {
	var er *github.ErrorResponse
	if !errors.As(err, &er) || er.Response == nil || er.Response.StatusCode != http.StatusUnprocessableEntity {
		return false
	}
	for _, e := range er.Errors {
		if e.Code == code && e.Field == field {
			return true
		}
	}
	return false
}
