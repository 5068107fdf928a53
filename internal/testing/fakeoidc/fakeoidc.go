package fakeoidc

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Server is a fake GitHub Actions OIDC issuer and token service. Its
// configuration is fixed by New; all methods are safe for concurrent use.
type Server struct {
	issuer       string
	issuerHost   string
	prefix       string // the issuer URL's path without a trailing slash, "" for none
	claims       map[string]any
	fixedJTI     bool
	requestToken string
	jobsEndpoint bool
	clock        func() time.Time
	lifetime     time.Duration
	key          *rsa.PrivateKey
	keyID        string

	tokenRequests atomic.Int64

	jobsMu sync.Mutex
	jobs   map[string]map[string]any // request token → claims of that job
}

// New returns a Server configured by opts. WithIssuer is required; every
// other option has a default.
func New(opts ...Option) (*Server, error) {
	o := options{
		claims:   DefaultClaims(),
		clock:    time.Now,
		lifetime: 10 * time.Minute,
		keyID:    "k1",
	}
	for _, opt := range opts {
		if err := opt(&o); err != nil {
			return nil, err
		}
	}
	if o.issuer == "" {
		return nil, errors.New("no issuer: pass WithIssuer")
	}
	if o.key == nil {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			return nil, fmt.Errorf("generating signing key: %w", err)
		}
		o.key = k
	}
	iss, err := url.Parse(o.issuer)
	if err != nil {
		return nil, fmt.Errorf("parsing issuer: %w", err) // WithIssuer checked it already.
	}
	return &Server{
		issuer:       o.issuer,
		issuerHost:   iss.Host,
		prefix:       strings.TrimSuffix(iss.Path, "/"),
		claims:       o.claims,
		fixedJTI:     o.fixedJTI,
		requestToken: o.requestToken,
		jobsEndpoint: o.jobsEndpoint,
		clock:        o.clock,
		lifetime:     o.lifetime,
		key:          o.key,
		keyID:        o.keyID,
	}, nil
}

// Issuer returns the issuer URL, the iss of every token.
func (s *Server) Issuer() string { return s.issuer }

// PublicKey returns the public half of the signing key.
func (s *Server) PublicKey() *rsa.PublicKey { return &s.key.PublicKey }

// TokenRequests reports how many requests reached the token endpoint,
// whatever their outcome. Mint does not count.
func (s *Server) TokenRequests() int { return int(s.tokenRequests.Load()) }

// Mint returns a signed token for audience without going through HTTP. An
// empty audience gives GitHub's default, "https://github.com/<repository_owner>".
//
// extra is merged over the configured claims and over iss, aud, iat, nbf
// and exp, so a negative test can override any of them; a key whose value
// is nil removes that claim.
func (s *Server) Mint(audience string, extra map[string]any) (string, error) {
	claims := s.baseClaims(audience)
	if _, ok := extra["jti"]; !ok && !s.fixedJTI {
		claims["jti"] = newJTI()
	}
	tok, err := signJWT(s.key, s.keyID, merge(claims, extra))
	if err != nil {
		return "", fmt.Errorf("minting token: %w", err)
	}
	return tok, nil
}

// AddJob makes the token endpoint accept requestToken as the
// ACTIONS_ID_TOKEN_REQUEST_TOKEN of another job, whose tokens carry claims
// merged over the configured ones (as in Mint's extra): GitHub's tokens
// name the run, attempt and job they were requested in, so tests of runs
// that differ, or of a re-run (run_attempt 2), register one job each.
func (s *Server) AddJob(requestToken string, claims map[string]any) {
	s.jobsMu.Lock()
	defer s.jobsMu.Unlock()
	if s.jobs == nil {
		s.jobs = map[string]map[string]any{}
	}
	s.jobs[requestToken] = maps.Clone(claims)
}

// NewJob registers a job under a fresh random request token (AddJob) and
// returns the token.
func (s *Server) NewJob(claims map[string]any) string {
	tok := make([]byte, 16)
	rand.Read(tok)
	requestToken := hex.EncodeToString(tok)
	s.AddJob(requestToken, claims)
	return requestToken
}

// Jobs returns how many jobs are registered.
func (s *Server) Jobs() int {
	s.jobsMu.Lock()
	defer s.jobsMu.Unlock()
	return len(s.jobs)
}

// job returns the claims of the job whose request token is tok.
func (s *Server) job(tok string) (map[string]any, bool) {
	s.jobsMu.Lock()
	defer s.jobsMu.Unlock()
	c, ok := s.jobs[tok]
	return c, ok
}

// baseClaims returns the configured claims plus the registered ones.
func (s *Server) baseClaims(audience string) map[string]any {
	if audience == "" {
		owner, _ := s.claims["repository_owner"].(string)
		audience = "https://github.com/" + owner
	}
	now := s.clock()
	claims := merge(s.claims, map[string]any{
		"iss": s.issuer,
		"aud": audience,
		"iat": now.Unix(),
		"nbf": now.Unix(),
		"exp": now.Add(s.lifetime).Unix(),
	})
	return claims
}
