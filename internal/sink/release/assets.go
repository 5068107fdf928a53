package release

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"strings"

	"github.com/google/go-github/v84/github"
)

// maxRounds bounds how often one asset is re-read after the release
// changed under us (a concurrent run uploading or deleting the same name).
const maxRounds = 8

// listAssets returns the release's assets by name.
func (u *Uploader) listAssets(ctx context.Context, releaseID int64) (map[string]*github.ReleaseAsset, error) {
	out := map[string]*github.ReleaseAsset{}
	opt := &github.ListOptions{PerPage: 100}
	for {
		var page []*github.ReleaseAsset
		var next int
		err := u.call(ctx, func(ctx context.Context) (*github.Response, error) {
			var resp *github.Response
			var err error
			page, resp, err = u.gh.Repositories.ListReleaseAssets(ctx, u.owner, u.repo, releaseID, opt)
			if resp != nil {
				next = resp.NextPage
			}
			return resp, err
		})
		if err != nil {
			return nil, err
		}
		for _, a := range page {
			out[a.GetName()] = a
		}
		if next == 0 {
			return out, nil
		}
		opt.Page = next
	}
}

// put makes a present with exactly its data. existing is updated as the
// release changes. Concurrent runs may change the asset between our
// reads and writes: an asset gone when we read or delete it, or a name
// taken when we upload, makes us look again. A copy of this run's
// attestations that appeared after we first looked came from a
// concurrent attempt and is kept (ActionKeptRerun): replacing it again
// would only make the attempts take turns deleting each other's copies.
func (u *Uploader) put(ctx context.Context, rel *github.RepositoryRelease, existing map[string]*github.ReleaseAsset, a Asset, o Options) (AssetResult, error) {
	action := ActionUploaded
	var first int64 // the copy there when we first looked, or 0
	if old := existing[a.Name]; old != nil {
		first = old.GetID()
	}
	for range maxRounds {
		old := existing[a.Name]
		if old == nil {
			up, err := u.upload(ctx, rel, a)
			if err == nil {
				existing[a.Name] = up
				return AssetResult{Name: a.Name, URL: up.GetBrowserDownloadURL(), Action: action}, nil
			}
			if !hasFieldError(err, "already_exists", "name") {
				return AssetResult{}, err
			}
			// Another run uploaded it since we looked: look again.
			if err := u.refresh(ctx, rel, existing); err != nil {
				return AssetResult{}, err
			}
			continue
		}
		same, err := u.sameContent(ctx, old, a.Data)
		switch {
		case isStatus(err, http.StatusNotFound):
			// Another run deleted it since we looked: look again.
			if err := u.refresh(ctx, rel, existing); err != nil {
				return AssetResult{}, err
			}
			continue
		case err != nil:
			return AssetResult{}, err
		case same:
			if action == ActionUploaded { // else a concurrent run put our content back after we deleted theirs
				action = ActionUnchanged
			}
			return AssetResult{Name: a.Name, URL: old.GetBrowserDownloadURL(), Action: action}, nil
		case rel.GetImmutable():
			return AssetResult{}, fmt.Errorf("it exists with different content, but %w", ErrImmutable)
		case old.GetState() == "uploaded":
			how, err := u.replacing(ctx, old, a, o)
			if isStatus(err, http.StatusNotFound) {
				if err := u.refresh(ctx, rel, existing); err != nil {
					return AssetResult{}, err
				}
				continue
			}
			if err != nil {
				return AssetResult{}, err
			}
			if how == ActionReplacedRerun && old.GetID() != first {
				return AssetResult{Name: a.Name, URL: old.GetBrowserDownloadURL(), Action: ActionKeptRerun}, nil
			}
			action = how
		}
		// Replace it, or clear the empty leftover of a failed upload.
		if err := u.deleteAsset(ctx, rel, old); err != nil {
			return AssetResult{}, err
		}
		delete(existing, a.Name)
	}
	return AssetResult{}, errors.New("the asset kept changing while it was being uploaded; is another run uploading it?")
}

// replacing says how a differing, uploaded asset is replaced: as a copy
// from an earlier attempt of this run attesting the same subjects, or
// with Overwrite; otherwise it is ErrAssetExists.
func (u *Uploader) replacing(ctx context.Context, old *github.ReleaseAsset, a Asset, o Options) (string, error) {
	if o.Run.RunID != "" && (strings.HasSuffix(old.GetName(), ".json") || strings.HasSuffix(old.GetName(), ".jsonl")) {
		data, err := u.download(ctx, old, maxAttestationSize)
		if err != nil {
			return "", fmt.Errorf("downloading the existing asset to see which run made it: %w", err)
		}
		if fromRun(data, o.Run) && sameSubjects(data, a.Data) {
			return ActionReplacedRerun, nil
		}
	}
	if o.Overwrite {
		return ActionReplaced, nil
	}
	return "", ErrAssetExists
}

// maxAttestationSize bounds what is downloaded to see which run made an
// existing asset.
const maxAttestationSize = 16 << 20

// refresh re-reads the release's assets into existing.
func (u *Uploader) refresh(ctx context.Context, rel *github.RepositoryRelease, existing map[string]*github.ReleaseAsset) error {
	fresh, err := u.listAssets(ctx, rel.GetID())
	if err != nil {
		return fmt.Errorf("re-reading assets after a concurrent upload: %w", err)
	}
	clear(existing)
	maps.Copy(existing, fresh)
	return nil
}

// sameContent reports whether an existing asset holds exactly data. It
// compares sizes, then GitHub's sha256 digest when the asset has one, and
// otherwise downloads it. An asset that is not completely uploaded never
// matches.
func (u *Uploader) sameContent(ctx context.Context, old *github.ReleaseAsset, data []byte) (bool, error) {
	if old.GetState() != "uploaded" || old.GetSize() != len(data) {
		return false, nil
	}
	if hexSum, ok := strings.CutPrefix(old.GetDigest(), "sha256:"); ok {
		sum := sha256.Sum256(data)
		return strings.EqualFold(hexSum, hex.EncodeToString(sum[:])), nil
	}
	got, err := u.download(ctx, old, int64(len(data))+1)
	if err != nil {
		return false, fmt.Errorf("downloading the existing asset to compare it: %w", err)
	}
	return bytes.Equal(got, data), nil
}

// download reads at most limit bytes of an asset.
func (u *Uploader) download(ctx context.Context, old *github.ReleaseAsset, limit int64) ([]byte, error) {
	var got []byte
	err := u.call(ctx, func(ctx context.Context) (*github.Response, error) {
		rc, _, err := u.gh.Repositories.DownloadReleaseAsset(ctx, u.owner, u.repo, old.GetID(), u.downloader)
		if err != nil {
			return nil, err
		}
		defer rc.Close()
		got, err = io.ReadAll(io.LimitReader(rc, limit))
		return nil, err
	})
	return got, err
}

// upload uploads a through the release's upload_url.
func (u *Uploader) upload(ctx context.Context, rel *github.RepositoryRelease, a Asset) (*github.ReleaseAsset, error) {
	if rel.GetImmutable() {
		return nil, ErrImmutable
	}
	var up *github.ReleaseAsset
	err := u.call(ctx, func(ctx context.Context) (resp *github.Response, err error) {
		opts := &github.UploadOptions{Name: a.Name, MediaType: a.ContentType}
		up, resp, err = u.gh.Repositories.UploadReleaseAssetFromRelease(ctx, rel, opts, bytes.NewReader(a.Data), int64(len(a.Data)))
		return resp, err
	})
	switch {
	case err == nil:
		return up, nil
	case isImmutable(err):
		return nil, fmt.Errorf("%w (%w)", ErrImmutable, err)
	case hasFieldError(err, "already_exists", "name"):
		return nil, err
	}
	return nil, fmt.Errorf("uploading: %w", err)
}

func (u *Uploader) deleteAsset(ctx context.Context, rel *github.RepositoryRelease, old *github.ReleaseAsset) error {
	if rel.GetImmutable() {
		return ErrImmutable
	}
	err := u.call(ctx, func(ctx context.Context) (*github.Response, error) {
		return u.gh.Repositories.DeleteReleaseAsset(ctx, u.owner, u.repo, old.GetID())
	})
	switch {
	case err == nil, isStatus(err, http.StatusNotFound): // gone already: fine
		return nil
	case isImmutable(err):
		return fmt.Errorf("%w (%w)", ErrImmutable, err)
	}
	return fmt.Errorf("deleting the existing asset: %w", err)
}

// isImmutable reports whether err is GitHub's 422 for a change to an
// immutable release ("Cannot upload assets to an immutable release.").
func isImmutable(err error) bool {
	var er *github.ErrorResponse
	return errors.As(err, &er) && er.Response != nil && er.Response.StatusCode == http.StatusUnprocessableEntity &&
		strings.Contains(strings.ToLower(er.Message), "immutable")
}
