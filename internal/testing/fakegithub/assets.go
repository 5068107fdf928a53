package fakegithub

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// maxUpload bounds an upload body; GitHub allows 2 GiB, a fake needs less.
const maxUpload = 64 << 20

// assetJSON is a release asset as the API renders it.
type assetJSON struct {
	URL                string   `json:"url"`
	ID                 int64    `json:"id"`
	NodeID             string   `json:"node_id"`
	Name               string   `json:"name"`
	Label              string   `json:"label"`
	Uploader           userJSON `json:"uploader"`
	ContentType        string   `json:"content_type"`
	State              string   `json:"state"`
	Size               int      `json:"size"`
	Digest             *string  `json:"digest"`
	DownloadCount      int      `json:"download_count"`
	CreatedAt          string   `json:"created_at"`
	UpdatedAt          string   `json:"updated_at"`
	BrowserDownloadURL string   `json:"browser_download_url"`
}

func (s *Server) renderAsset(r *http.Request, rp *repo, rel *release, a *asset) assetJSON {
	o := origin(r)
	out := assetJSON{
		URL:                fmt.Sprintf("%s%s/repos/%s/%s/releases/assets/%d", o, s.apiPrefix, rp.Owner, rp.Name, a.ID),
		ID:                 a.ID,
		NodeID:             fmt.Sprintf("RA_kwDO%08d", a.ID),
		Name:               a.Name,
		Label:              a.Label,
		Uploader:           actionsBot,
		ContentType:        a.ContentType,
		State:              a.State,
		Size:               len(a.Data),
		CreatedAt:          stamp(a.created),
		UpdatedAt:          stamp(a.created),
		BrowserDownloadURL: fmt.Sprintf("%s/%s/%s/releases/download/%s/%s", o, rp.Owner, rp.Name, rel.webTag(), a.Name),
	}
	if a.State == "uploaded" && !s.noDigests {
		d := fmt.Sprintf("sha256:%x", sha256.Sum256(a.Data))
		out.Digest = &d
	}
	return out
}

func (s *Server) listAssets(w http.ResponseWriter, r *http.Request, p params) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rp, rel := s.releaseFor(p)
	if rel == nil {
		notFound(w, EndpointListAssets)
		return
	}
	lo, hi := page(w, r, len(rel.assets))
	out := []assetJSON{}
	for _, a := range rel.assets[lo:hi] {
		out = append(out, s.renderAsset(r, rp, rel, a))
	}
	writeJSON(w, http.StatusOK, out)
}

// uploadAsset stores the body as a new asset named by ?name= (and labelled
// by ?label=). It answers 422 with GitHub's bodies when the name is taken
// (in any state) or the release is immutable.
func (s *Server) uploadAsset(w http.ResponseWriter, r *http.Request, p params) {
	data, err := io.ReadAll(io.LimitReader(r.Body, maxUpload+1))
	if err != nil || len(data) > maxUpload {
		writeUploadError(w, http.StatusBadRequest, "Bad Content-Length", nil)
		return
	}
	name, label := r.URL.Query().Get("name"), r.URL.Query().Get("label")
	s.mu.Lock()
	defer s.mu.Unlock()
	rp, rel := s.releaseFor(p)
	switch {
	case rel == nil:
		writeUploadError(w, http.StatusNotFound, "Not Found", nil)
	case name == "":
		writeUploadError(w, http.StatusUnprocessableEntity, "Validation Failed",
			[]fieldError{{Resource: "ReleaseAsset", Code: "missing_field", Field: "name"}})
	case rel.Immutable:
		writeUploadError(w, http.StatusUnprocessableEntity, "Cannot upload assets to an immutable release.", nil)
	case rel.asset(name) != nil:
		writeUploadError(w, http.StatusUnprocessableEntity, "Validation Failed",
			[]fieldError{{Resource: "ReleaseAsset", Code: "already_exists", Field: "name"}})
	default:
		a := s.addAsset(rel, name, label, r.Header.Get("Content-Type"), data, "uploaded")
		writeJSON(w, http.StatusCreated, s.renderAsset(r, rp, rel, a))
	}
}

// writeUploadError answers in the upload host's style: a request_id in the
// body and the API v3 documentation link.
func writeUploadError(w http.ResponseWriter, status int, msg string, errs []fieldError) {
	writeJSON(w, status, errorBody{Message: msg, Errors: errs, RequestID: w.Header().Get("X-GitHub-Request-Id"), DocumentationURL: docREST})
}

// leaveStarter records the empty "starter" asset GitHub may leave behind
// when an upload fails upstream. Callers hold s.mu.
func (s *Server) leaveStarter(r *http.Request, p params) {
	_, rel := s.releaseFor(p)
	name := r.URL.Query().Get("name")
	if rel != nil && name != "" && !rel.Immutable && rel.asset(name) == nil {
		s.addAsset(rel, name, r.URL.Query().Get("label"), r.Header.Get("Content-Type"), nil, "starter")
	}
}

func (s *Server) deleteAsset(w http.ResponseWriter, r *http.Request, p params) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rel, a := s.assetFor(p)
	switch {
	case a == nil:
		notFound(w, EndpointDeleteAsset)
	case rel.Immutable:
		writeError(w, http.StatusUnprocessableEntity, "Cannot delete asset from an immutable release.", docs[EndpointDeleteAsset], nil)
	default:
		for i, x := range rel.assets {
			if x == a {
				rel.assets = append(rel.assets[:i], rel.assets[i+1:]...)
				break
			}
		}
		w.WriteHeader(http.StatusNoContent)
	}
}

// assetFor finds the release and asset a route names. Callers hold s.mu.
func (s *Server) assetFor(p params) (*release, *asset) {
	rp := s.repoFor(p)
	id, err := strconv.ParseInt(p["asset_id"], 10, 64)
	if rp == nil || err != nil {
		return nil, nil
	}
	return rp.findAsset(id)
}

// getAsset answers the asset's JSON, or, when the client accepts
// application/octet-stream, a 302 to a signed URL that serves the bytes
// without the token, as GitHub redirects to its objects host.
func (s *Server) getAsset(w http.ResponseWriter, r *http.Request, p params) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rel, a := s.assetFor(p)
	if a == nil || (a.State != "uploaded" && wantsBytes(r)) {
		notFound(w, EndpointGetAsset)
		return
	}
	if wantsBytes(r) {
		w.Header().Set("Location", fmt.Sprintf("%s/_fake/objects/%d?sig=%s", origin(r), a.ID, s.sign(a.ID)))
		w.WriteHeader(http.StatusFound)
		return
	}
	writeJSON(w, http.StatusOK, s.renderAsset(r, s.repoFor(p), rel, a))
}

func wantsBytes(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept"), "application/octet-stream")
}

func (s *Server) sign(id int64) string {
	sum := sha256.Sum256([]byte(s.signKey + ":" + strconv.FormatInt(id, 10)))
	return hex.EncodeToString(sum[:])
}

// serveObject serves an asset's bytes at the signed URL getAsset redirects
// to. A wrong signature gets 403, as an expired signed URL does.
func (s *Server) serveObject(w http.ResponseWriter, r *http.Request, p params) {
	id, _ := strconv.ParseInt(p["asset_id"], 10, 64)
	if subtle.ConstantTimeCompare([]byte(r.URL.Query().Get("sig")), []byte(s.sign(id))) != 1 {
		http.Error(w, "Forbidden", http.StatusForbidden)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, rp := range s.repos {
		if _, a := rp.findAsset(id); a != nil {
			writeBytes(w, a)
			return
		}
	}
	http.NotFound(w, r)
}

// downloadAsset serves browser_download_url: the bytes, without a token
// for a public repository; a private one needs the token, standing in for
// the signed-in browser session GitHub would want.
func (s *Server) downloadAsset(w http.ResponseWriter, r *http.Request, p params) {
	tag, name, ok := cutLast(p["rest"], "/")
	s.mu.Lock()
	defer s.mu.Unlock()
	rp := s.repoFor(p)
	if !ok || rp == nil {
		http.NotFound(w, r)
		return
	}
	if rp.Private && !s.authenticate(w, r) {
		return
	}
	for _, rel := range rp.releases {
		if a := rel.asset(name); rel.webTag() == tag && a != nil && a.State == "uploaded" {
			writeBytes(w, a)
			return
		}
	}
	http.NotFound(w, r)
}

func cutLast(s, sep string) (before, after string, ok bool) {
	i := strings.LastIndex(s, sep)
	if i < 0 {
		return "", "", false
	}
	return s[:i], s[i+len(sep):], s[:i] != "" && s[i+len(sep):] != ""
}

func writeBytes(w http.ResponseWriter, a *asset) {
	w.Header().Set("Content-Type", a.ContentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(a.Data)))
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", a.Name))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(a.Data)
}
