package fakegithub

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
)

// stateJSON is the document GET /_fake/state and State return: every
// repository with its releases (newest first), their assets (contents as
// sha256 and size) and its attestations, plus the request counts.
type stateJSON struct {
	Repos    []repoState    `json:"repos"`
	Requests map[string]int `json:"requests"`
}

type repoState struct {
	Owner             string             `json:"owner"`
	Name              string             `json:"name"`
	Private           bool               `json:"private"`
	EnterpriseCloud   bool               `json:"enterprise_cloud"`
	ImmutableReleases bool               `json:"immutable_releases"`
	Releases          []releaseState     `json:"releases"`
	Attestations      []attestationState `json:"attestations"`
}

type releaseState struct {
	ID         int64        `json:"id"`
	Tag        string       `json:"tag"`
	Name       string       `json:"name"`
	Draft      bool         `json:"draft"`
	Prerelease bool         `json:"prerelease"`
	Immutable  bool         `json:"immutable"`
	Assets     []assetState `json:"assets"`
}

type assetState struct {
	ID          int64  `json:"id"`
	Name        string `json:"name"`
	Label       string `json:"label,omitempty"`
	ContentType string `json:"content_type"`
	State       string `json:"state"`
	Size        int    `json:"size"`
	SHA256      string `json:"sha256"`
}

type attestationState struct {
	ID     int64           `json:"id"`
	Bundle json.RawMessage `json:"bundle"`
}

// State returns the server's state as indented JSON, the document GET
// /_fake/state serves and the fakegithub command writes on exit.
// Repositories are sorted by name.
func (s *Server) State() []byte {
	s.mu.Lock()
	st := stateJSON{Repos: []repoState{}, Requests: make(map[string]int, len(s.counts))}
	for k, v := range s.counts {
		st.Requests[k] = v
	}
	for _, rp := range s.repos {
		st.Repos = append(st.Repos, rp.state())
	}
	s.mu.Unlock()
	slices.SortFunc(st.Repos, func(a, b repoState) int {
		return strings.Compare(repoKey(a.Owner, a.Name), repoKey(b.Owner, b.Name))
	})
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		panic("fakegithub: marshalling state: " + err.Error()) // our own types always marshal
	}
	return append(b, '\n')
}

func (rp *repo) state() repoState {
	out := repoState{
		Owner: rp.Owner, Name: rp.Name, Private: rp.Private, EnterpriseCloud: rp.EnterpriseCloud,
		ImmutableReleases: rp.ImmutableReleases, Releases: []releaseState{}, Attestations: []attestationState{},
	}
	for _, rel := range rp.newestFirst() {
		rs := releaseState{ID: rel.ID, Tag: rel.Tag, Name: rel.Name, Draft: rel.Draft, Prerelease: rel.Prerelease,
			Immutable: rel.Immutable, Assets: []assetState{}}
		for _, a := range rel.assets {
			sum := sha256.Sum256(a.Data)
			rs.Assets = append(rs.Assets, assetState{ID: a.ID, Name: a.Name, Label: a.Label, ContentType: a.ContentType,
				State: a.State, Size: len(a.Data), SHA256: hex.EncodeToString(sum[:])})
		}
		out.Releases = append(out.Releases, rs)
	}
	for _, at := range rp.attestations {
		out.Attestations = append(out.Attestations, attestationState(at))
	}
	return out
}

func (s *Server) serveState(w http.ResponseWriter, _ *http.Request, _ params) {
	b := s.State()
	w.Header().Set("Content-Type", jsonType)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
}
