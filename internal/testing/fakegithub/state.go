package fakegithub

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Repo describes a repository to create with CreateRepo.
type Repo struct {
	Owner string
	Name  string

	// Private marks the repository private. Downloads through
	// browser_download_url then need the token too.
	Private bool

	// EnterpriseCloud says the owner is on GitHub Enterprise Cloud. The
	// attestations API refuses private repositories without it, with 403
	// "Feature not available for user-owned private repositories".
	EnterpriseCloud bool

	// ImmutableReleases turns on release immutability: a release becomes
	// immutable when it is published (created as non-draft, or a draft
	// edited to draft=false), after which assets cannot be uploaded or
	// deleted and the draft state cannot change.
	ImmutableReleases bool
}

// Release is a release as seeded with CreateRelease or read back with
// Releases.
type Release struct {
	ID              int64 // assigned by the server; ignored by CreateRelease
	Tag             string
	Name            string
	Body            string
	TargetCommitish string // default "main"
	Draft           bool
	Prerelease      bool
	// Immutable marks a published release immutable, whatever the
	// repository setting. A draft is never immutable.
	Immutable bool
	Assets    []Asset // read-only snapshot; ignored by CreateRelease
}

// Asset is a release asset as read back from Releases.
type Asset struct {
	ID          int64
	Name        string
	Label       string
	ContentType string
	// State is "uploaded", or "starter" for the empty leftover of an upload
	// that failed upstream (see BrokenUpload).
	State string
	Data  []byte
}

// Attestation is one attestation stored through the attestations API.
type Attestation struct {
	ID     int64
	Bundle json.RawMessage
}

type repo struct {
	Repo
	id           int64
	releases     []*release // in creation order
	attestations []Attestation
}

type release struct {
	Release
	created   time.Time
	published time.Time // zero for drafts
	assets    []*asset  // in upload order
}

type asset struct {
	Asset
	created time.Time
}

func repoKey(owner, name string) string { return strings.ToLower(owner + "/" + name) }

// CreateRepo adds a repository. It fails if one of that name exists.
func (s *Server) CreateRepo(r Repo) error {
	if r.Owner == "" || r.Name == "" || strings.Contains(r.Owner+r.Name, "/") {
		return fmt.Errorf("CreateRepo: invalid repository %q/%q", r.Owner, r.Name)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	key := repoKey(r.Owner, r.Name)
	if _, ok := s.repos[key]; ok {
		return fmt.Errorf("CreateRepo: %s/%s exists", r.Owner, r.Name)
	}
	s.repos[key] = &repo{Repo: r, id: s.newID()}
	return nil
}

// CreateRelease adds a release to a repository and returns its id. Unlike
// the API it accepts any combination of fields, including several releases
// for one tag, so tests can build states GitHub reaches only by history.
// Releases are listed newest first, so the last one seeded comes first.
func (s *Server) CreateRelease(owner, name string, rel Release) (int64, error) {
	if rel.Tag == "" {
		return 0, errors.New("CreateRelease: the tag is empty")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	rp, ok := s.repos[repoKey(owner, name)]
	if !ok {
		return 0, fmt.Errorf("CreateRelease: no repository %s/%s", owner, name)
	}
	return s.addRelease(rp, rel).ID, nil
}

// CreateReleases seeds n releases, mk(1) … mk(n) in that order, and
// returns their ids. The list shows them newest first: mk(n) on top, and
// mk(i) at position n+1-i, so with 150 releases mk(11) is the 140th, on
// the second page of 100.
func (s *Server) CreateReleases(owner, name string, n int, mk func(i int) Release) ([]int64, error) {
	ids := make([]int64, 0, n)
	for i := 1; i <= n; i++ {
		id, err := s.CreateRelease(owner, name, mk(i))
		if err != nil {
			return ids, err
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// addRelease stores rel, applying the repository's immutability setting.
// Callers hold s.mu.
func (s *Server) addRelease(rp *repo, rel Release) *release {
	rel.ID = s.newID()
	rel.Assets = nil
	if rel.TargetCommitish == "" {
		rel.TargetCommitish = "main"
	}
	now := s.now().UTC()
	r := &release{Release: rel, created: now}
	if !rel.Draft {
		r.published = now
		r.Immutable = rel.Immutable || rp.ImmutableReleases
	} else {
		r.Immutable = false
	}
	rp.releases = append(rp.releases, r)
	return r
}

// AddAsset adds an uploaded asset to a release and returns its id, as if it
// had been uploaded earlier. It ignores immutability but refuses a
// duplicate name, which GitHub never allows.
func (s *Server) AddAsset(owner, name string, releaseID int64, assetName, contentType string, data []byte) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rp, ok := s.repos[repoKey(owner, name)]
	if !ok {
		return 0, fmt.Errorf("AddAsset: no repository %s/%s", owner, name)
	}
	rel := rp.release(releaseID)
	if rel == nil {
		return 0, fmt.Errorf("AddAsset: no release %d in %s/%s", releaseID, owner, name)
	}
	if rel.asset(assetName) != nil {
		return 0, fmt.Errorf("AddAsset: release %d already has an asset %q", releaseID, assetName)
	}
	return s.addAsset(rel, assetName, "", contentType, data, "uploaded").ID, nil
}

// addAsset stores an asset. Callers hold s.mu.
func (s *Server) addAsset(rel *release, name, label, contentType string, data []byte, state string) *asset {
	if contentType == "" {
		contentType = "application/octet-stream"
	}
	a := &asset{
		Asset:   Asset{ID: s.newID(), Name: name, Label: label, ContentType: contentType, State: state, Data: bytes.Clone(data)},
		created: s.now().UTC(),
	}
	rel.assets = append(rel.assets, a)
	return a
}

// Releases returns a snapshot of a repository's releases, newest first as
// the list endpoint orders them, drafts included, each with its assets.
func (s *Server) Releases(owner, name string) []Release {
	s.mu.Lock()
	defer s.mu.Unlock()
	rp, ok := s.repos[repoKey(owner, name)]
	if !ok {
		return nil
	}
	var out []Release
	for _, r := range rp.newestFirst() {
		out = append(out, r.snapshot())
	}
	return out
}

// Attestations returns the attestations stored for a repository, oldest
// first.
func (s *Server) Attestations(owner, name string) []Attestation {
	s.mu.Lock()
	defer s.mu.Unlock()
	if rp, ok := s.repos[repoKey(owner, name)]; ok {
		return slices.Clone(rp.attestations)
	}
	return nil
}

func (r *release) snapshot() Release {
	out := r.Release
	out.Assets = nil
	for _, a := range r.assets {
		c := a.Asset
		c.Data = bytes.Clone(a.Data)
		out.Assets = append(out.Assets, c)
	}
	return out
}

func (rp *repo) newestFirst() []*release {
	out := slices.Clone(rp.releases)
	slices.Reverse(out)
	return out
}

func (rp *repo) release(id int64) *release {
	for _, r := range rp.releases {
		if r.ID == id {
			return r
		}
	}
	return nil
}

// publishedByTag finds the published release for tag; drafts do not own
// their tag, and GET-by-tag does not return them.
func (rp *repo) publishedByTag(tag string) *release {
	for _, r := range rp.newestFirst() {
		if !r.Draft && r.Tag == tag {
			return r
		}
	}
	return nil
}

func (r *release) asset(name string) *asset {
	for _, a := range r.assets {
		if a.Name == name {
			return a
		}
	}
	return nil
}

// findAsset finds an asset of any release in the repository.
func (rp *repo) findAsset(id int64) (*release, *asset) {
	for _, r := range rp.releases {
		for _, a := range r.assets {
			if a.ID == id {
				return r, a
			}
		}
	}
	return nil, nil
}
