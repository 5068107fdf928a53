package fakegithub

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"path"
	"strings"
	"sync"
	"time"
)

// Server is a fake GitHub REST API holding its state in memory. All methods
// are safe for concurrent use.
type Server struct {
	token        string
	apiPrefix    string
	uploadPrefix string
	now          func() time.Time
	rateLimit    int
	autoCreate   bool
	noDigests    bool
	bundleForm   BundleForm
	signKey      string // makes the signed asset-object URLs unguessable
	roots        []root // the routing table, fixed by New

	mu      sync.Mutex
	repos   map[string]*repo // by lower-case "owner/name", as GitHub matches them
	nextID  int64
	counts  map[string]int
	script  []*scripted
	used    int
	resetAt time.Time
	request uint64
}

// options holds what New builds a Server from.
type options struct {
	token      string
	apiPrefix  string
	now        func() time.Time
	rateLimit  int
	autoCreate bool
	noDigests  bool
	bundleForm BundleForm
}

// Option configures a Server.
type Option func(*options) error

// WithToken sets the token every API request must present, as
// "Authorization: Bearer <token>" or "Authorization: token <token>". It is
// required by New; NewTestServer defaults it to DefaultToken.
func WithToken(token string) Option {
	return func(o *options) error {
		if token == "" {
			return errors.New("WithToken: the token is empty")
		}
		o.token = token
		return nil
	}
}

// WithAPIPrefix serves the API under a path prefix, as GitHub Enterprise
// Server does with "/api/v3". Uploads are then served under the sibling
// "uploads" directory ("/api/uploads" for "/api/v3"), again as on GHES.
// Release and asset web URLs (html_url, browser_download_url) stay at the
// root. The default is no prefix: the API at "/", uploads at "/uploads", the
// layout of api.github.com and uploads.github.com folded onto one host.
func WithAPIPrefix(prefix string) Option {
	return func(o *options) error {
		if prefix != "" && (!strings.HasPrefix(prefix, "/") || strings.HasSuffix(prefix, "/") || path.Clean(prefix) != prefix) {
			return fmt.Errorf("WithAPIPrefix: %q must start with a slash and not end with one", prefix)
		}
		if strings.HasPrefix(prefix+"/", "/_fake/") {
			return fmt.Errorf("WithAPIPrefix: %q is reserved", prefix)
		}
		o.apiPrefix = prefix
		return nil
	}
}

// WithClock sets the clock behind timestamps and the rate-limit window. The
// default is time.Now.
func WithClock(now func() time.Time) Option {
	return func(o *options) error {
		if now == nil {
			return errors.New("WithClock: the clock is nil")
		}
		o.now = now
		return nil
	}
}

// WithRateLimit sets the primary rate limit: how many authenticated
// requests the token may make per hour before every request gets GitHub's
// 403 "API rate limit exceeded". The default is 5000, a personal access
// token's limit.
func WithRateLimit(n int) Option {
	return func(o *options) error {
		if n <= 0 {
			return fmt.Errorf("WithRateLimit: limit %d is not positive", n)
		}
		o.rateLimit = n
		return nil
	}
}

// WithAutoCreateRepos makes a repository that a request names spring into
// existence, public, on first use, instead of answering 404. The command
// uses it so scripts need no seeding. The default is off.
func WithAutoCreateRepos() Option {
	return func(o *options) error {
		o.autoCreate = true
		return nil
	}
}

// WithoutAssetDigests leaves the digest field of assets null, as GitHub
// Enterprise Server does and as github.com does for assets uploaded before
// mid-2025, so clients must download an asset to compare it. The default
// fills it with "sha256:<hex>".
func WithoutAssetDigests() Option {
	return func(o *options) error {
		o.noDigests = true
		return nil
	}
}

// New returns a Server configured by opts. WithToken is required.
func New(opts ...Option) (*Server, error) {
	o := options{now: time.Now, rateLimit: 5000}
	for _, opt := range opts {
		if err := opt(&o); err != nil {
			return nil, err
		}
	}
	if o.token == "" {
		return nil, errors.New("no token: pass WithToken")
	}
	uploadPrefix := "/uploads"
	if o.apiPrefix != "" {
		uploadPrefix = path.Join(path.Dir(o.apiPrefix), "uploads")
	}
	key := make([]byte, 16)
	_, _ = rand.Read(key) // crypto/rand.Read never fails.
	s := &Server{
		token:        o.token,
		apiPrefix:    o.apiPrefix,
		uploadPrefix: uploadPrefix,
		now:          o.now,
		rateLimit:    o.rateLimit,
		autoCreate:   o.autoCreate,
		noDigests:    o.noDigests,
		bundleForm:   o.bundleForm,
		signKey:      hex.EncodeToString(key),
		repos:        map[string]*repo{},
		nextID:       1000,
		counts:       map[string]int{},
	}
	s.roots = s.routes()
	return s, nil
}

// APIPrefix returns the path the API is served under: "" or the value of
// WithAPIPrefix.
func (s *Server) APIPrefix() string { return s.apiPrefix }

// UploadPrefix returns the path uploads are served under: "/uploads", or
// the sibling of the API prefix ("/api/uploads" for "/api/v3").
func (s *Server) UploadPrefix() string { return s.uploadPrefix }

// Token returns the token the server demands.
func (s *Server) Token() string { return s.token }

// newID returns a fresh id; releases, assets and attestations share one
// sequence, so an id never means two things. Callers hold s.mu.
func (s *Server) newID() int64 {
	s.nextID++
	return s.nextID
}
