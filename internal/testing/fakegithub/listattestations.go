package fakegithub

import (
	"cmp"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
)

// The attestation list endpoints. GitHub answers 404 when nothing is
// stored for the digest, and the organization endpoint answers 404 for an
// owner that is a user account (see MarkUser).
const (
	EndpointListRepoAttestations = "GET /repos/{owner}/{repo}/attestations/{subject_digest}"
	EndpointListOrgAttestations  = "GET /orgs/{org}/attestations/{subject_digest}"
	EndpointListUserAttestations = "GET /users/{username}/attestations/{subject_digest}"
)

func init() {
	docs[EndpointListRepoAttestations] = "https://docs.github.com/rest/repos/attestations#list-attestations"
	docs[EndpointListOrgAttestations] = "https://docs.github.com/rest/orgs/attestations#list-attestations"
	docs[EndpointListUserAttestations] = "https://docs.github.com/rest/users/attestations#list-attestations"
}

// users records, per server, the owners that are user accounts rather
// than organizations. It sits beside the server's state because only the
// list endpoints tell the two apart.
var users = struct {
	sync.Mutex
	m map[*Server]map[string]bool
}{m: map[*Server]map[string]bool{}}

// MarkUser makes owner a user account: /orgs/{owner}/… answers 404 and
// /users/{owner}/… lists its repositories' attestations. Owners are
// organizations unless marked.
func (s *Server) MarkUser(owner string) {
	users.Lock()
	defer users.Unlock()
	if users.m[s] == nil {
		users.m[s] = map[string]bool{}
	}
	users.m[s][strings.ToLower(owner)] = true
}

func (s *Server) isUser(owner string) bool {
	users.Lock()
	defer users.Unlock()
	return users.m[s][strings.ToLower(owner)]
}

// attestationJSON is one element of the list answer. Bundle is JSON null
// when the server hands out bundle URLs only.
type attestationJSON struct {
	Bundle       json.RawMessage `json:"bundle"`
	RepositoryID int64           `json:"repository_id"`
	BundleURL    string          `json:"bundle_url,omitempty"`

	id int64
}

func (s *Server) listRepoAttestations(w http.ResponseWriter, r *http.Request, p params) {
	s.mu.Lock()
	rp := s.repos[repoKey(p["owner"], p["repo"])]
	var out []attestationJSON
	if rp != nil {
		out = rp.storedFor(p["subject_digest"])
	}
	s.mu.Unlock()
	s.writeAttestations(w, r, EndpointListRepoAttestations, out)
}

func (s *Server) listOrgAttestations(w http.ResponseWriter, r *http.Request, p params) {
	if s.isUser(p["org"]) {
		notFound(w, EndpointListOrgAttestations)
		return
	}
	s.writeAttestations(w, r, EndpointListOrgAttestations, s.ownerAttestations(p["org"], p["subject_digest"]))
}

func (s *Server) listUserAttestations(w http.ResponseWriter, r *http.Request, p params) {
	if !s.isUser(p["username"]) {
		notFound(w, EndpointListUserAttestations)
		return
	}
	s.writeAttestations(w, r, EndpointListUserAttestations, s.ownerAttestations(p["username"], p["subject_digest"]))
}

// ownerAttestations are those of every repository of owner, repositories
// in creation order, so that pages stay stable between requests.
func (s *Server) ownerAttestations(owner, digest string) []attestationJSON {
	s.mu.Lock()
	defer s.mu.Unlock()
	var rps []*repo
	for _, rp := range s.repos {
		if strings.EqualFold(rp.Owner, owner) {
			rps = append(rps, rp)
		}
	}
	slices.SortFunc(rps, func(a, b *repo) int { return cmp.Compare(a.id, b.id) })
	var out []attestationJSON
	for _, rp := range rps {
		out = append(out, rp.storedFor(digest)...)
	}
	return out
}

// writeAttestations answers one page of list, or 404 when it is empty.
func (s *Server) writeAttestations(w http.ResponseWriter, r *http.Request, endpoint string, list []attestationJSON) {
	if len(list) == 0 {
		notFound(w, endpoint)
		return
	}
	lo, hi := page(w, r, len(list))
	out := append([]attestationJSON{}, list[lo:hi]...)
	for i := range out {
		if s.bundleForm != BundleInline {
			out[i].BundleURL = s.bundleURL(r, out[i].id)
		}
		if s.bundleForm == BundleURLOnly {
			out[i].Bundle = json.RawMessage("null")
		}
	}
	writeJSON(w, http.StatusOK, map[string][]attestationJSON{"attestations": out})
}

// storedFor returns the attestations whose statement names digest
// ("alg:hex") among its subjects. Callers hold s.mu.
func (rp *repo) storedFor(digest string) []attestationJSON {
	alg, hexDigest, _ := strings.Cut(strings.ToLower(digest), ":")
	var out []attestationJSON
	for _, a := range rp.attestations {
		if subjectDigests(a.Bundle)[alg+":"+hexDigest] {
			out = append(out, attestationJSON{Bundle: a.Bundle, RepositoryID: rp.id, id: a.ID})
		}
	}
	return out
}

// subjectDigests are the "alg:hex" digests of the statement in a bundle's
// DSSE envelope, as GitHub indexes attestations.
func subjectDigests(bundle []byte) map[string]bool {
	var b struct {
		DSSEEnvelope struct {
			Payload string `json:"payload"`
		} `json:"dsseEnvelope"`
	}
	var st struct {
		Subject []struct {
			Digest map[string]string `json:"digest"`
		} `json:"subject"`
	}
	out := map[string]bool{}
	if json.Unmarshal(bundle, &b) != nil {
		return out
	}
	payload, err := base64.StdEncoding.DecodeString(b.DSSEEnvelope.Payload)
	if err != nil || json.Unmarshal(payload, &st) != nil {
		return out
	}
	for _, s := range st.Subject {
		for alg, v := range s.Digest {
			out[strings.ToLower(alg+":"+v)] = true
		}
	}
	return out
}

// AddAttestation stores bundle for a repository, as the create endpoint
// would, and returns its id. Unlike the endpoint it checks nothing about
// the bundle or the repository's plan, so tests can seed anything.
func (s *Server) AddAttestation(owner, name string, bundle []byte) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rp, ok := s.repos[repoKey(owner, name)]
	if !ok {
		return 0, fmt.Errorf("AddAttestation: no repository %s/%s", owner, name)
	}
	id := s.newID()
	rp.attestations = append(rp.attestations, Attestation{ID: id, Bundle: append(json.RawMessage{}, bundle...)})
	return id, nil
}
