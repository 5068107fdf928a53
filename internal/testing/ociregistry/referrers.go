package ociregistry

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
)

// specReferrers makes go-containerregistry's registry answer the referrers
// API as the OCI distribution spec (v1.1) says: each descriptor's
// artifactType is the manifest's artifactType, falling back to its config
// media type, and an ?artifactType= filter is applied and announced with the
// OCI-Filters-Applied header. The upstream handler reports the config media
// type and ignores the filter, which makes clients that filter (gh, cosign)
// miss Sigstore bundles that any real OCI 1.1 registry would list.
func specReferrers(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		repo, _, ok := referrersPath(r.URL.Path)
		if !ok || r.Method != http.MethodGet {
			next.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		if rec.Code != http.StatusOK {
			copyResponse(w, rec)
			return
		}
		var index struct {
			SchemaVersion int               `json:"schemaVersion"`
			MediaType     string            `json:"mediaType"`
			Manifests     []json.RawMessage `json:"manifests"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &index); err != nil {
			copyResponse(w, rec)
			return
		}
		filter := r.URL.Query().Get("artifactType")
		kept := make([]json.RawMessage, 0, len(index.Manifests))
		for _, raw := range index.Manifests {
			fixed, at := withArtifactType(next, repo, raw)
			if filter == "" || at == filter {
				kept = append(kept, fixed)
			}
		}
		index.Manifests = kept
		body, _ := json.Marshal(index)
		w.Header().Set("Content-Type", "application/vnd.oci.image.index.v1+json")
		if filter != "" {
			w.Header().Set("OCI-Filters-Applied", "artifactType")
		}
		w.WriteHeader(http.StatusOK)
		w.Write(body)
	})
}

// referrersPath splits /v2/<repo>/referrers/<digest>.
func referrersPath(p string) (repo, digest string, ok bool) {
	rest, found := strings.CutPrefix(p, "/v2/")
	if !found {
		return "", "", false
	}
	i := strings.LastIndex(rest, "/referrers/")
	if i < 0 {
		return "", "", false
	}
	return rest[:i], rest[i+len("/referrers/"):], true
}

// withArtifactType reads the referring manifest through the registry itself
// and sets the descriptor's artifactType from it.
func withArtifactType(h http.Handler, repo string, raw json.RawMessage) (json.RawMessage, string) {
	var desc map[string]any
	if json.Unmarshal(raw, &desc) != nil {
		return raw, ""
	}
	digest, _ := desc["digest"].(string)
	req := httptest.NewRequest(http.MethodGet, "/v2/"+repo+"/manifests/"+digest, nil)
	req.Header.Set("Accept", "application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var m struct {
		ArtifactType string `json:"artifactType"`
		Config       struct {
			MediaType string `json:"mediaType"`
		} `json:"config"`
		Annotations map[string]string `json:"annotations"`
	}
	if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &m) != nil {
		return raw, ""
	}
	at := m.ArtifactType
	if at == "" {
		at = m.Config.MediaType
	}
	desc["artifactType"] = at
	if len(m.Annotations) > 0 {
		desc["annotations"] = m.Annotations
	}
	out, err := json.Marshal(desc)
	if err != nil {
		return raw, at
	}
	return out, at
}

func copyResponse(w http.ResponseWriter, rec *httptest.ResponseRecorder) {
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	io.Copy(w, bytes.NewReader(rec.Body.Bytes()))
}
