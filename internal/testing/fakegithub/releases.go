package fakegithub

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// releaseJSON is a release as the API renders it.
type releaseJSON struct {
	URL             string      `json:"url"`
	AssetsURL       string      `json:"assets_url"`
	UploadURL       string      `json:"upload_url"`
	HTMLURL         string      `json:"html_url"`
	ID              int64       `json:"id"`
	Author          userJSON    `json:"author"`
	NodeID          string      `json:"node_id"`
	TagName         string      `json:"tag_name"`
	TargetCommitish string      `json:"target_commitish"`
	Name            string      `json:"name"`
	Draft           bool        `json:"draft"`
	Immutable       bool        `json:"immutable"`
	Prerelease      bool        `json:"prerelease"`
	CreatedAt       string      `json:"created_at"`
	UpdatedAt       string      `json:"updated_at"`
	PublishedAt     *string     `json:"published_at"`
	Assets          []assetJSON `json:"assets"`
	TarballURL      *string     `json:"tarball_url"`
	ZipballURL      *string     `json:"zipball_url"`
	Body            string      `json:"body"`
}

type userJSON struct {
	Login     string `json:"login"`
	ID        int64  `json:"id"`
	NodeID    string `json:"node_id"`
	Type      string `json:"type"`
	SiteAdmin bool   `json:"site_admin"`
}

// actionsBot is the author of everything: the GITHUB_TOKEN's identity.
var actionsBot = userJSON{Login: "github-actions[bot]", ID: 41898282, NodeID: "MDM6Qm90NDE4OTgyODI=", Type: "Bot"}

// releaseEdit is the body of a create or update request.
type releaseEdit struct {
	TagName         *string `json:"tag_name"`
	TargetCommitish *string `json:"target_commitish"`
	Name            *string `json:"name"`
	Body            *string `json:"body"`
	Draft           *bool   `json:"draft"`
	Prerelease      *bool   `json:"prerelease"`
	MakeLatest      *string `json:"make_latest"`
	GenerateNotes   *bool   `json:"generate_release_notes"`
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// webTag is the tag in a release's web URLs; drafts have none yet, and
// GitHub writes "untagged-<hash>" instead.
func (r *release) webTag() string {
	if r.Draft {
		return fmt.Sprintf("untagged-%016x", r.ID*0x9E3779B1)
	}
	return r.Tag
}

func (s *Server) renderRelease(r *http.Request, rp *repo, rel *release) releaseJSON {
	o := origin(r)
	api := fmt.Sprintf("%s%s/repos/%s/%s/releases/%d", o, s.apiPrefix, rp.Owner, rp.Name, rel.ID)
	out := releaseJSON{
		URL:             api,
		AssetsURL:       api + "/assets",
		UploadURL:       fmt.Sprintf("%s%s/repos/%s/%s/releases/%d/assets{?name,label}", o, s.uploadPrefix, rp.Owner, rp.Name, rel.ID),
		HTMLURL:         fmt.Sprintf("%s/%s/%s/releases/tag/%s", o, rp.Owner, rp.Name, rel.webTag()),
		ID:              rel.ID,
		Author:          actionsBot,
		NodeID:          fmt.Sprintf("RE_kwDO%08d", rel.ID),
		TagName:         rel.Tag,
		TargetCommitish: rel.TargetCommitish,
		Name:            rel.Name,
		Draft:           rel.Draft,
		Immutable:       rel.Immutable,
		Prerelease:      rel.Prerelease,
		CreatedAt:       stamp(rel.created),
		UpdatedAt:       stamp(rel.created),
		Assets:          []assetJSON{},
		Body:            rel.Body,
	}
	if !rel.Draft {
		pub := stamp(rel.published)
		tar := fmt.Sprintf("%s%s/repos/%s/%s/tarball/%s", o, s.apiPrefix, rp.Owner, rp.Name, rel.Tag)
		zip := fmt.Sprintf("%s%s/repos/%s/%s/zipball/%s", o, s.apiPrefix, rp.Owner, rp.Name, rel.Tag)
		out.PublishedAt, out.TarballURL, out.ZipballURL = &pub, &tar, &zip
	}
	for _, a := range rel.assets {
		out.Assets = append(out.Assets, s.renderAsset(r, rp, rel, a))
	}
	return out
}

// repoFor finds the repository a route names, creating it when
// WithAutoCreateRepos is on. Callers hold s.mu.
func (s *Server) repoFor(p params) *repo {
	key := repoKey(p["owner"], p["repo"])
	if rp, ok := s.repos[key]; ok {
		return rp
	}
	if !s.autoCreate {
		return nil
	}
	rp := &repo{Repo: Repo{Owner: p["owner"], Name: p["repo"]}, id: s.newID()}
	s.repos[key] = rp
	return rp
}

// releaseFor finds the repository and the release a route names.
// Callers hold s.mu.
func (s *Server) releaseFor(p params) (*repo, *release) {
	rp := s.repoFor(p)
	if rp == nil {
		return nil, nil
	}
	id, err := strconv.ParseInt(p["release_id"], 10, 64)
	if err != nil {
		return rp, nil
	}
	return rp, rp.release(id)
}

func (s *Server) listReleases(w http.ResponseWriter, r *http.Request, p params) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rp := s.repoFor(p)
	if rp == nil {
		notFound(w, EndpointListReleases)
		return
	}
	all := rp.newestFirst()
	lo, hi := page(w, r, len(all))
	out := []releaseJSON{}
	for _, rel := range all[lo:hi] {
		out = append(out, s.renderRelease(r, rp, rel))
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) getReleaseByTag(w http.ResponseWriter, r *http.Request, p params) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rp := s.repoFor(p)
	var rel *release
	if rp != nil {
		rel = rp.publishedByTag(p["tag"])
	}
	if rel == nil {
		notFound(w, EndpointGetReleaseByTag)
		return
	}
	writeJSON(w, http.StatusOK, s.renderRelease(r, rp, rel))
}

func (s *Server) getRelease(w http.ResponseWriter, r *http.Request, p params) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rp, rel := s.releaseFor(p)
	if rel == nil {
		notFound(w, EndpointGetRelease)
		return
	}
	writeJSON(w, http.StatusOK, s.renderRelease(r, rp, rel))
}

// readEdit decodes a create or update body, answering 400 as GitHub does
// when it is not JSON.
func readEdit(w http.ResponseWriter, r *http.Request) (releaseEdit, bool) {
	var e releaseEdit
	b, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err == nil {
		err = json.Unmarshal(b, &e)
	}
	if err != nil {
		writeError(w, http.StatusBadRequest, "Problems parsing JSON", docREST, nil)
		return e, false
	}
	return e, true
}

// createRelease creates a release: 201, or 422 when tag_name is missing or
// a published release already has the tag. Drafts do not own their tag, so
// several drafts may share one, as at GitHub.
func (s *Server) createRelease(w http.ResponseWriter, r *http.Request, p params) {
	e, ok := readEdit(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	rp := s.repoFor(p)
	switch {
	case rp == nil:
		notFound(w, EndpointCreateRelease)
	case e.TagName == nil || *e.TagName == "":
		validationFailed(w, EndpointCreateRelease, fieldError{Resource: "Release", Code: "missing_field", Field: "tag_name"})
	case rp.publishedByTag(*e.TagName) != nil:
		validationFailed(w, EndpointCreateRelease, fieldError{Resource: "Release", Code: "already_exists", Field: "tag_name"})
	default:
		rel := Release{Tag: *e.TagName, Name: deref(e.Name), Body: deref(e.Body), TargetCommitish: deref(e.TargetCommitish),
			Draft: e.Draft != nil && *e.Draft, Prerelease: e.Prerelease != nil && *e.Prerelease}
		writeJSON(w, http.StatusCreated, s.renderRelease(r, rp, s.addRelease(rp, rel)))
	}
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// updateRelease edits a release. An immutable release keeps its tag and
// its draft state (422); publishing a draft applies the repository's
// immutability setting and refuses a tag a published release already has.
func (s *Server) updateRelease(w http.ResponseWriter, r *http.Request, p params) {
	e, ok := readEdit(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	rp, rel := s.releaseFor(p)
	if rel == nil {
		notFound(w, EndpointUpdateRelease)
		return
	}
	if fe, bad := s.checkEdit(rp, rel, e); bad {
		validationFailed(w, EndpointUpdateRelease, fe)
		return
	}
	s.applyEdit(rp, rel, e)
	writeJSON(w, http.StatusOK, s.renderRelease(r, rp, rel))
}

// checkEdit reports why an edit must be refused. Callers hold s.mu.
func (s *Server) checkEdit(rp *repo, rel *release, e releaseEdit) (fieldError, bool) {
	tag := rel.Tag
	if e.TagName != nil {
		tag = *e.TagName
	}
	draft := rel.Draft
	if e.Draft != nil {
		draft = *e.Draft
	}
	switch {
	case rel.Immutable && draft != rel.Draft:
		return fieldError{Resource: "Release", Code: "custom", Field: "draft", Message: "state cannot be changed when release is immutable"}, true
	case rel.Immutable && tag != rel.Tag:
		return fieldError{Resource: "Release", Code: "custom", Field: "tag_name", Message: "tag_name cannot be changed when release is immutable"}, true
	case tag == "":
		return fieldError{Resource: "Release", Code: "missing_field", Field: "tag_name"}, true
	}
	if other := rp.publishedByTag(tag); !draft && other != nil && other != rel {
		return fieldError{Resource: "Release", Code: "already_exists", Field: "tag_name"}, true
	}
	return fieldError{}, false
}

// applyEdit applies a checked edit. Callers hold s.mu.
func (s *Server) applyEdit(rp *repo, rel *release, e releaseEdit) {
	set := func(dst *string, src *string) {
		if src != nil {
			*dst = *src
		}
	}
	set(&rel.Tag, e.TagName)
	set(&rel.Name, e.Name)
	set(&rel.Body, e.Body)
	set(&rel.TargetCommitish, e.TargetCommitish)
	if e.Prerelease != nil {
		rel.Prerelease = *e.Prerelease
	}
	if e.Draft != nil && *e.Draft != rel.Draft {
		rel.Draft = *e.Draft
		rel.published = time.Time{}
		if !rel.Draft {
			rel.published = s.now().UTC()
			rel.Immutable = rp.ImmutableReleases
		}
	}
}

// deleteRelease deletes a release and its assets: 204, or 404 when it
// does not exist. The tag stays, as at GitHub.
func (s *Server) deleteRelease(w http.ResponseWriter, r *http.Request, p params) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rp, rel := s.releaseFor(p)
	if rel == nil {
		notFound(w, EndpointDeleteRelease)
		return
	}
	for i, x := range rp.releases {
		if x == rel {
			rp.releases = append(rp.releases[:i], rp.releases[i+1:]...)
			break
		}
	}
	w.WriteHeader(http.StatusNoContent)
}
