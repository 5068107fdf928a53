package fakegithub

import (
	"crypto/subtle"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The endpoints the server answers, in the "METHOD /path" form GitHub's
// documentation uses. Request counts (Requests) and FailEndpoint are keyed
// by these. API paths are relative to the API prefix, the upload path to
// the upload prefix; the download path is the browser_download_url at the
// root of the web host.
const (
	EndpointListReleases      = "GET /repos/{owner}/{repo}/releases"
	EndpointCreateRelease     = "POST /repos/{owner}/{repo}/releases"
	EndpointGetReleaseByTag   = "GET /repos/{owner}/{repo}/releases/tags/{tag}"
	EndpointGetRelease        = "GET /repos/{owner}/{repo}/releases/{release_id}"
	EndpointUpdateRelease     = "PATCH /repos/{owner}/{repo}/releases/{release_id}"
	EndpointDeleteRelease     = "DELETE /repos/{owner}/{repo}/releases/{release_id}"
	EndpointListAssets        = "GET /repos/{owner}/{repo}/releases/{release_id}/assets"
	EndpointGetAsset          = "GET /repos/{owner}/{repo}/releases/assets/{asset_id}"
	EndpointDeleteAsset       = "DELETE /repos/{owner}/{repo}/releases/assets/{asset_id}"
	EndpointUploadAsset       = "POST /repos/{owner}/{repo}/releases/{release_id}/assets"
	EndpointDownloadAsset     = "GET /{owner}/{repo}/releases/download/{tag}/{name}"
	EndpointCreateAttestation = "POST /repos/{owner}/{repo}/attestations"

	// endpointObject is where the API's 302 for an asset download points:
	// a signed, token-free URL, like GitHub's objects host.
	endpointObject = "GET /_fake/objects/{asset_id}"
	endpointState  = "GET /_fake/state"
)

// docs maps endpoints to the documentation_url GitHub puts in their errors.
var docs = map[string]string{
	EndpointListReleases:      "https://docs.github.com/rest/releases/releases#list-releases",
	EndpointCreateRelease:     "https://docs.github.com/rest/releases/releases#create-a-release",
	EndpointGetReleaseByTag:   "https://docs.github.com/rest/releases/releases#get-a-release-by-tag-name",
	EndpointGetRelease:        "https://docs.github.com/rest/releases/releases#get-a-release",
	EndpointUpdateRelease:     "https://docs.github.com/rest/releases/releases#update-a-release",
	EndpointDeleteRelease:     "https://docs.github.com/rest/releases/releases#delete-a-release",
	EndpointListAssets:        "https://docs.github.com/rest/releases/assets#list-release-assets",
	EndpointGetAsset:          "https://docs.github.com/rest/releases/assets#get-a-release-asset",
	EndpointDeleteAsset:       "https://docs.github.com/rest/releases/assets#delete-a-release-asset",
	EndpointUploadAsset:       "https://docs.github.com/rest/releases/assets#upload-a-release-asset",
	EndpointCreateAttestation: "https://docs.github.com/rest/repos/attestations#create-an-attestation",
}

// params holds the values of a route's {wildcards}.
type params map[string]string

type route struct {
	endpoint string
	method   string
	segs     []string // literal segments, or {name}; a final {name...} takes the rest
	auth     bool     // needs the token (API and upload routes)
	handle   func(http.ResponseWriter, *http.Request, params)
}

// Handler returns the HTTP handler serving the API, the upload path, asset
// downloads, and two helpers for scripts: GET /_fake/state (a JSON dump of
// the state and request counts, no token needed) and the signed object
// URLs asset downloads redirect to.
func (s *Server) Handler() http.Handler { return http.HandlerFunc(s.serveHTTP) }

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	s.commonHeaders(w)
	rt, p := s.match(r)
	if rt == nil {
		writeError(w, http.StatusNotFound, "Not Found", "https://docs.github.com/rest", nil)
		return
	}
	if !strings.HasPrefix(rt.endpoint, "GET /_fake/") {
		s.count(rt.endpoint)
	}
	if rt.auth {
		if !s.authenticate(w, r) || !s.meter(w) {
			return
		}
	}
	if s.applyFault(w, r, rt, p) {
		return
	}
	rt.handle(w, r, p)
}

// root is a path prefix and the routes under it.
type root struct {
	prefix string
	table  []route
}

// routes lists the routes by root prefix, most specific first.
func (s *Server) routes() []root {
	api := []route{
		{EndpointListReleases, "GET", split("/repos/{owner}/{repo}/releases"), true, s.listReleases},
		{EndpointCreateRelease, "POST", split("/repos/{owner}/{repo}/releases"), true, s.createRelease},
		{EndpointGetReleaseByTag, "GET", split("/repos/{owner}/{repo}/releases/tags/{tag...}"), true, s.getReleaseByTag},
		{EndpointGetAsset, "GET", split("/repos/{owner}/{repo}/releases/assets/{asset_id}"), true, s.getAsset},
		{EndpointDeleteAsset, "DELETE", split("/repos/{owner}/{repo}/releases/assets/{asset_id}"), true, s.deleteAsset},
		{EndpointListAssets, "GET", split("/repos/{owner}/{repo}/releases/{release_id}/assets"), true, s.listAssets},
		{EndpointGetRelease, "GET", split("/repos/{owner}/{repo}/releases/{release_id}"), true, s.getRelease},
		{EndpointUpdateRelease, "PATCH", split("/repos/{owner}/{repo}/releases/{release_id}"), true, s.updateRelease},
		{EndpointDeleteRelease, "DELETE", split("/repos/{owner}/{repo}/releases/{release_id}"), true, s.deleteRelease},
		{EndpointCreateAttestation, "POST", split("/repos/{owner}/{repo}/attestations"), true, s.createAttestation},
		{EndpointListRepoAttestations, "GET", split("/repos/{owner}/{repo}/attestations/{subject_digest}"), true, s.listRepoAttestations},
		{EndpointListOrgAttestations, "GET", split("/orgs/{org}/attestations/{subject_digest}"), true, s.listOrgAttestations},
		{EndpointListUserAttestations, "GET", split("/users/{username}/attestations/{subject_digest}"), true, s.listUserAttestations},
	}
	upload := []route{{EndpointUploadAsset, "POST", split("/repos/{owner}/{repo}/releases/{release_id}/assets"), true, s.uploadAsset}}
	fake := []route{
		{endpointState, "GET", split("/state"), false, s.serveState},
		{endpointObject, "GET", split("/objects/{asset_id}"), false, s.serveObject},
	}
	web := []route{{EndpointDownloadAsset, "GET", split("/{owner}/{repo}/releases/download/{rest...}"), false, s.downloadAsset}}
	blobs := []route{{EndpointBundleBlob, "GET", split("/bundles/{attestation_id}"), false, s.serveBundle}}
	return []root{{"/_fake", fake}, {"/_blobs", blobs}, {s.uploadPrefix, upload}, {s.apiPrefix, api}, {"", web}}
}

func split(pattern string) []string { return strings.Split(strings.TrimPrefix(pattern, "/"), "/") }

// match finds the route for r. A path that matches with another method is
// a 404, as at GitHub.
func (s *Server) match(r *http.Request) (*route, params) {
	for _, rr := range s.roots {
		rest, ok := strings.CutPrefix(r.URL.Path, rr.prefix+"/")
		if !ok {
			continue
		}
		segs := strings.Split(rest, "/")
		for i := range rr.table {
			rt := &rr.table[i]
			if rt.method != r.Method && !(rt.method == "GET" && r.Method == "HEAD") {
				continue
			}
			if p, ok := matchSegs(rt.segs, segs); ok {
				return rt, p
			}
		}
	}
	return nil, nil
}

func matchSegs(pattern, segs []string) (params, bool) {
	p := params{}
	for i, pat := range pattern {
		if name, ok := strings.CutSuffix(strings.TrimPrefix(pat, "{"), "...}"); ok && strings.HasPrefix(pat, "{") {
			rest := strings.Join(segs[min(i, len(segs)):], "/")
			p[name] = rest
			return p, rest != ""
		}
		if i >= len(segs) || segs[i] == "" {
			return nil, false
		}
		if name, ok := strings.CutSuffix(strings.TrimPrefix(pat, "{"), "}"); ok && strings.HasPrefix(pat, "{") {
			p[name] = segs[i]
		} else if pat != segs[i] {
			return nil, false
		}
	}
	return p, len(segs) == len(pattern)
}

func (s *Server) count(endpoint string) {
	s.mu.Lock()
	s.counts[endpoint]++
	s.mu.Unlock()
}

// Requests returns how many requests reached endpoint (one of the Endpoint
// constants), whatever they were answered, including scripted failures and
// 401s. The /_fake/ helpers are not counted.
func (s *Server) Requests(endpoint string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts[endpoint]
}

// RequestCounts returns the request count of every endpoint reached so far.
func (s *Server) RequestCounts() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.counts))
	for k, v := range s.counts {
		out[k] = v
	}
	return out
}

// commonHeaders sets the headers GitHub sends on every API answer.
func (s *Server) commonHeaders(w http.ResponseWriter) {
	s.mu.Lock()
	s.request++
	n := s.request
	s.mu.Unlock()
	h := w.Header()
	h.Set("X-GitHub-Request-Id", fmt.Sprintf("FA4E:%04X:%06X:%06X:%08X", n%0xFFFF, n*7919%0xFFFFFF, n*104729%0xFFFFFF, s.now().Unix()))
	h.Set("X-GitHub-Media-Type", "github.v3; format=json")
	h.Set("X-GitHub-Api-Version-Selected", "2022-11-28")
	h.Set("Server", "github.com")
	h.Set("Vary", "Accept, Authorization, Cookie, X-GitHub-OTP")
}

// authenticate checks the Authorization header, answering 401 as GitHub
// does when it is missing or wrong.
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request) bool {
	auth := r.Header.Get("Authorization")
	if auth == "" {
		writeError(w, http.StatusUnauthorized, "Requires authentication", "https://docs.github.com/rest", nil)
		return false
	}
	scheme, tok, _ := strings.Cut(auth, " ")
	scheme = strings.ToLower(scheme)
	if (scheme != "bearer" && scheme != "token") || subtle.ConstantTimeCompare([]byte(strings.TrimSpace(tok)), []byte(s.token)) != 1 {
		writeError(w, http.StatusUnauthorized, "Bad credentials", "https://docs.github.com/rest", nil)
		return false
	}
	return true
}

// meter counts the request against the primary rate limit, sets the
// x-ratelimit-* headers and answers 403 once the limit is spent.
func (s *Server) meter(w http.ResponseWriter) bool {
	s.mu.Lock()
	now := s.now()
	if s.resetAt.IsZero() || !now.Before(s.resetAt) {
		s.resetAt, s.used = now.Add(time.Hour).Truncate(time.Second), 0
	}
	s.used++
	used, reset := s.used, s.resetAt
	s.mu.Unlock()
	setRateHeaders(w.Header(), s.rateLimit, max(0, s.rateLimit-used), min(used, s.rateLimit), reset.Unix())
	if used > s.rateLimit {
		writeError(w, http.StatusForbidden, "API rate limit exceeded for user ID 1. If you reach out to GitHub Support for help, please include the request ID "+w.Header().Get("X-GitHub-Request-Id")+".",
			docPrimaryRateLimit, nil)
		return false
	}
	return true
}

func setRateHeaders(h http.Header, limit, remaining, used int, reset int64) {
	h.Set("X-RateLimit-Limit", strconv.Itoa(limit))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(remaining))
	h.Set("X-RateLimit-Reset", strconv.FormatInt(reset, 10))
	h.Set("X-RateLimit-Used", strconv.Itoa(used))
	h.Set("X-RateLimit-Resource", "core")
}
