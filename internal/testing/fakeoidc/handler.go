package fakeoidc

import (
	"crypto/subtle"
	"encoding/json"
	"mime"
	"net/http"
	"strings"
)

const (
	discoveryPath = "/.well-known/openid-configuration"
	jwksPath      = "/.well-known/jwks"
	tokenPath     = "/token"
	// jobsPath is the fake's own control endpoint, not GitHub's: it lets a
	// process outside the test (a benchmark script) register jobs.
	jobsPath = "/_jobs"
	// maxJobs bounds the jobs POST /_jobs registers.
	maxJobs = 10000
)

// Handler returns the HTTP handler for the three endpoints:
//
//   - GET /.well-known/openid-configuration, the discovery document;
//   - GET /.well-known/jwks, the signing key;
//   - GET /token?api-version=2.0&audience=<aud>, the token service, which
//     answers {"count":<n>,"value":"<jwt>"} like GitHub's;
//   - POST /_jobs, the fake's own, only WithJobsEndpoint: with the
//     configured request token as bearer and a JSON object of string
//     claims as body, it registers a job as AddJob does and answers 201
//     {"request_token":"<token>"}, so that a script can run the jobs of
//     several workflow runs. The claims that make a token valid (iss,
//     aud, exp, iat, nbf) cannot be set this way, and at most maxJobs
//     jobs are registered.
//
// When the issuer URL has a path, the two well-known documents are also
// served under it, where OIDC discovery looks for them.
func (s *Server) Handler() http.Handler { return http.HandlerFunc(s.serveHTTP) }

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	switch path {
	case tokenPath:
		s.serveToken(w, r)
		return
	case jobsPath:
		if s.jobsEndpoint {
			s.serveJobs(w, r)
			return
		}
	}
	if s.prefix != "" && strings.HasPrefix(path, s.prefix+"/.well-known/") {
		path = strings.TrimPrefix(path, s.prefix)
	}
	switch path {
	case discoveryPath:
		if allowMethods(w, r, http.MethodGet, http.MethodHead) {
			writeJSON(w, http.StatusOK, s.discovery(r))
		}
	case jwksPath:
		if allowMethods(w, r, http.MethodGet, http.MethodHead) {
			writeJSON(w, http.StatusOK, jwks{Keys: []jwk{publicJWK(s.PublicKey(), s.keyID)}})
		}
	default:
		http.NotFound(w, r)
	}
}

// discoveryDoc is the OpenID Provider Metadata document
// (https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderMetadata)
// with the fields GitHub publishes.
type discoveryDoc struct {
	Issuer                           string   `json:"issuer"`
	JWKSURI                          string   `json:"jwks_uri"`
	SubjectTypesSupported            []string `json:"subject_types_supported"`
	ResponseTypesSupported           []string `json:"response_types_supported"`
	ClaimsSupported                  []string `json:"claims_supported"`
	IDTokenSigningAlgValuesSupported []string `json:"id_token_signing_alg_values_supported"`
	ScopesSupported                  []string `json:"scopes_supported"`
}

type jwks struct {
	Keys []jwk `json:"keys"`
}

// discovery returns the discovery document. jwks_uri sits under the issuer,
// as at GitHub, when the request came to the issuer's host. Otherwise (a
// test that fakes https://token.actions.githubusercontent.com on a loopback
// port) it points where the request came, so the keys stay reachable.
func (s *Server) discovery(r *http.Request) discoveryDoc {
	jwksURI := s.issuer + jwksPath
	if r.Host != s.issuerHost {
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		jwksURI = scheme + "://" + r.Host + strings.TrimSuffix(r.URL.Path, discoveryPath) + jwksPath
	}
	return discoveryDoc{
		Issuer:                           s.issuer,
		JWKSURI:                          jwksURI,
		SubjectTypesSupported:            []string{"public", "pairwise"},
		ResponseTypesSupported:           []string{"id_token"},
		ClaimsSupported:                  claimsSupported,
		IDTokenSigningAlgValuesSupported: []string{"RS256"},
		ScopesSupported:                  []string{"openid"},
	}
}

// tokenResponse is the token service's reply. It comes from an Azure DevOps
// style service that wraps values in {"count","value"}; count is the length
// of the string.
type tokenResponse struct {
	Count int    `json:"count"`
	Value string `json:"value"`
}

// serveToken answers a token request the way GitHub's token service does:
// 405 for a method other than GET, 401 without a valid bearer, 400
// without an api-version, and otherwise a token for the requested audience.
func (s *Server) serveToken(w http.ResponseWriter, r *http.Request) {
	s.tokenRequests.Add(1)
	if !allowMethods(w, r, http.MethodGet) {
		return
	}
	if msg := s.checkBearer(r); msg != "" {
		w.Header().Set("WWW-Authenticate", "Bearer")
		writeServiceError(w, http.StatusUnauthorized, "VssUnauthorizedException", msg)
		return
	}
	if apiVersion(r) == "" {
		writeServiceError(w, http.StatusBadRequest, "VssVersionNotSpecifiedException",
			"No api-version was supplied for the GET request. Supply it as a query parameter, for example ?api-version=2.0.")
		return
	}
	_, bearer, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	jobClaims, _ := s.job(strings.TrimSpace(bearer))
	tok, err := s.Mint(r.URL.Query().Get("audience"), jobClaims)
	if err != nil {
		writeServiceError(w, http.StatusInternalServerError, "InternalServerError", err.Error())
		return
	}
	writeJSON(w, http.StatusOK, tokenResponse{Count: len(tok), Value: tok})
}

// serveJobs registers a job for POST /_jobs. Only the holder of the
// configured request token may: 401 otherwise, 400 for a body that is not
// a JSON object.
func (s *Server) serveJobs(w http.ResponseWriter, r *http.Request) {
	if !allowMethods(w, r, http.MethodPost) {
		return
	}
	_, bearer, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	if bearer = strings.TrimSpace(bearer); s.requestToken == "" || subtle.ConstantTimeCompare([]byte(bearer), []byte(s.requestToken)) != 1 {
		w.Header().Set("WWW-Authenticate", "Bearer")
		writeServiceError(w, http.StatusUnauthorized, "VssUnauthorizedException", "Registering a job needs the configured request token as bearer.")
		return
	}
	var claims map[string]any
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16)).Decode(&claims); err != nil || claims == nil {
		writeServiceError(w, http.StatusBadRequest, "InvalidRequest", "The body must be a JSON object of string claims, e.g. {\"run_id\":\"790\"}.")
		return
	}
	for k, v := range claims {
		switch k {
		case "iss", "aud", "exp", "iat", "nbf":
			writeServiceError(w, http.StatusBadRequest, "InvalidRequest", "The claim "+k+" is the issuer's to set, not a job's.")
			return
		}
		if _, ok := v.(string); !ok {
			writeServiceError(w, http.StatusBadRequest, "InvalidRequest", "The claim "+k+" must be a string.")
			return
		}
	}
	s.jobsMu.Lock()
	full := len(s.jobs) >= maxJobs
	s.jobsMu.Unlock()
	if full {
		writeServiceError(w, http.StatusTooManyRequests, "TooManyJobs", "This issuer has registered as many jobs as it takes.")
		return
	}
	writeJSON(w, http.StatusCreated, map[string]string{"request_token": s.NewJob(claims)})
}

// checkBearer returns why the request's Authorization header is refused,
// or "" when it is accepted.
func (s *Server) checkBearer(r *http.Request) string {
	scheme, tok, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	tok = strings.TrimSpace(tok)
	_, isJob := s.job(tok)
	switch {
	case !strings.EqualFold(scheme, "Bearer") || tok == "":
		return "Client authentication required: send Authorization: Bearer with the value of ACTIONS_ID_TOKEN_REQUEST_TOKEN."
	case !isJob && s.requestToken != "" && subtle.ConstantTimeCompare([]byte(tok), []byte(s.requestToken)) != 1:
		return "The bearer token is not valid for this job."
	}
	return ""
}

// apiVersion returns the requested API version: the api-version query
// parameter, or the api-version parameter of an Accept media type, which
// Azure DevOps services also honour.
func apiVersion(r *http.Request) string {
	if v := r.URL.Query().Get("api-version"); v != "" {
		return v
	}
	for _, accept := range strings.Split(r.Header.Get("Accept"), ",") {
		if _, params, err := mime.ParseMediaType(accept); err == nil && params["api-version"] != "" {
			return params["api-version"]
		}
	}
	return ""
}

// allowMethods reports whether r uses one of methods, and answers 405 with
// an Allow header when it does not.
func allowMethods(w http.ResponseWriter, r *http.Request, methods ...string) bool {
	for _, m := range methods {
		if r.Method == m {
			return true
		}
	}
	w.Header().Set("Allow", strings.Join(methods, ", "))
	writeServiceError(w, http.StatusMethodNotAllowed, "MethodNotAllowed",
		"The requested resource does not support http method '"+r.Method+"'.")
	return false
}

// serviceError is the error body of the Azure DevOps services behind
// GitHub's token endpoint.
type serviceError struct {
	ID             string `json:"$id"`
	InnerException any    `json:"innerException"`
	Message        string `json:"message"`
	TypeKey        string `json:"typeKey"`
	ErrorCode      int    `json:"errorCode"`
	EventID        int    `json:"eventId"`
}

func writeServiceError(w http.ResponseWriter, status int, typeKey, msg string) {
	writeJSON(w, status, serviceError{ID: "1", Message: msg, TypeKey: typeKey, EventID: 3000})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "encoding response: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n')) // The client went away; nothing to do.
}
