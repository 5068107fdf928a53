package stack

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/provenant/provenant/internal/testing/fakeoidc"
)

// The fixed loopback ports: sigstore-stack.md, "Port plan".
const (
	host = "127.0.0.1"

	portOIDC              = "18080"
	portFulcioHTTP        = "18081"
	portFulcioMetrics     = "18082"
	portFulcioGRPC        = "18083"
	portTSA               = "18096"
	portRekorV2HTTP       = "18097"
	portRekorV2GRPC       = "18099"
	portRekorV2Metrics    = "18100"
	portCT                = "18098"
	portRekorV1           = "18095"
	portTrillianServerRPC = "18090"
	portTrillianServerWeb = "18091"
	portTrillianSignerRPC = "18092"
	portTrillianSignerWeb = "18093"
	portMariaDB           = "13306"
	portRegistry          = "15000"
	portRegistryReferrers = "15001"

	issuerURL  = "http://" + host + ":" + portOIDC
	fulcioURL  = "http://" + host + ":" + portFulcioHTTP
	tsaURL     = "http://" + host + ":" + portTSA + "/api/v1/timestamp"
	ctURL      = "http://" + host + ":" + portCT
	rekorV1URL = "http://" + host + ":" + portRekorV1
	rekorV2URL = "http://" + host + ":" + portRekorV2HTTP
)

// Stack is a running set of services. Its fields are what clients need;
// a URL is empty when its service does not run.
type Stack struct {
	// Config is what Start was given.
	Config Config
	// Dir is the work dir; its logs/ holds each service's output.
	Dir string
	// TrustedRoot is trusted_root.json, listing every running log, CA,
	// CT log and TSA. TrustedRootJSONL is the same as JSON Lines, for gh;
	// TrustedRootNoTlogJSONL is that without tlogs, for gh and TSA-only
	// bundles.
	TrustedRoot, TrustedRootJSONL, TrustedRootNoTlogJSONL string
	// SigningConfig is signing_config.json (signing config v0.2).
	SigningConfig string
	// Issuer is the fake GitHub OIDC issuer. TokenURL is its token
	// endpoint in the shape of ACTIONS_ID_TOKEN_REQUEST_URL, and
	// RequestToken the bearer value it demands
	// (ACTIONS_ID_TOKEN_REQUEST_TOKEN).
	Issuer, TokenURL, RequestToken string
	// The services' base URLs. TSAURL is the timestamp endpoint.
	FulcioURL, CTURL, TSAURL, RekorV1URL, RekorV2URL string
	// Registry is docker-registry's host:port (no referrers API) and
	// RegistryReferrers that of go-containerregistry's registry with the
	// referrers API; both empty without Config.Registry.
	Registry, RegistryReferrers string

	oidc      *fakeoidc.Server
	stopMu    sync.Mutex
	removeDir bool
	started   time.Time
	procs     []*proc
	servers   []*http.Server
	goEnv     []string
	path      string
	trust     trustInputs
}

// Start starts the services of cfg, waits until each answers, and writes
// the trusted root and the signing config. It must run inside a private
// network namespace (see Isolate). On error it has already stopped what it
// started; the error is a *StartError when a service failed.
func Start(ctx context.Context, cfg Config) (*Stack, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("configuring the stack: %w", err)
	}
	if err := MissingTools(cfg, cfg.ToolsDir); err != nil {
		return nil, err
	}
	if private, err := inPrivateNetwork(); err != nil {
		return nil, err
	} else if !private {
		return nil, errors.New("the stack runs only in a private network namespace (stack.Isolate, or unshare -n): this one has other interfaces than lo")
	}
	if err := loopbackUp(); err != nil {
		return nil, err
	}
	if cfg.Rekor == "v2" && !cfg.TSA {
		cfg.logf("warning: Rekor v2 gives no integrated time; verifiers will want a TSA")
	}
	s := &Stack{Config: cfg, started: time.Now(), path: searchPath(cfg.ToolsDir, os.Getenv("PATH"))}
	if err := s.prepare(); err != nil {
		s.Stop()
		return nil, err
	}
	if err := s.startServices(ctx); err != nil {
		s.Stop()
		return nil, err
	}
	if err := s.writeTrust(ctx); err != nil {
		s.Stop()
		return nil, err
	}
	cfg.logf("up in %s (%s); dir %s", time.Since(s.started).Round(10*time.Millisecond), cfg, s.Dir)
	return s, nil
}

// prepare makes the work dir, the request token and the Go environment.
func (s *Stack) prepare() error {
	s.Dir = s.Config.Dir
	if s.Dir == "" {
		d, err := os.MkdirTemp("", "sigstore-stack.")
		if err != nil {
			return fmt.Errorf("making the work dir: %w", err)
		}
		s.Dir, s.removeDir = d, !s.Config.Keep
	}
	for _, d := range []string{"logs", "home"} {
		if err := os.MkdirAll(filepath.Join(s.Dir, d), 0o755); err != nil {
			return fmt.Errorf("making the work dir: %w", err)
		}
	}
	tok := make([]byte, 16)
	rand.Read(tok)
	s.RequestToken = hex.EncodeToString(tok)
	s.goEnv = pinnedGoEnv()
	return nil
}

// pinnedGoEnv keeps Go's caches where they are once HOME moves into the
// work dir: Go derives GOPATH, GOMODCACHE and GOCACHE from HOME when they
// are unset, and a `go` run under the stack would then start from an empty
// module cache, which fails with no network. Without a go command there is
// nothing to pin.
func pinnedGoEnv() []string {
	names := []string{"GOPATH", "GOMODCACHE", "GOCACHE", "GOENV"}
	out, err := exec.Command("go", append([]string{"env", "-json"}, names...)...).Output()
	if err != nil {
		return nil
	}
	var vals map[string]string
	if json.Unmarshal(out, &vals) != nil {
		return nil
	}
	var env []string
	for _, n := range names {
		if vals[n] != "" {
			env = append(env, n+"="+vals[n])
		}
	}
	return env
}

// Stop stops every process the stack started, by process group, and the
// in-process servers, then removes the work dir if Start made it. It is
// safe to call more than once.
func (s *Stack) Stop() {
	if s == nil {
		return
	}
	s.stopMu.Lock()
	defer s.stopMu.Unlock()
	stopAll(s.procs, 5*time.Second)
	s.procs = nil
	for _, srv := range s.servers {
		srv.Close()
	}
	s.servers = nil
	if s.removeDir {
		os.RemoveAll(s.Dir)
		s.removeDir = false
	}
}

// Env returns the variables a client of the stack needs, as NAME=value,
// under the names scripts/demo.sh and scripts/image.sh read: STACK_DIR,
// HOME (Dir/home, so tools keep their state inside the work dir), PATH
// (the tools first), the Go cache variables pinned to where they were,
// SIGSTORE_TRUSTED_ROOT, SIGSTORE_TRUSTED_ROOT_JSONL,
// SIGSTORE_TRUSTED_ROOT_NOTLOG_JSONL, SIGSTORE_SIGNING_CONFIG, OIDC_ISSUER,
// ACTIONS_ID_TOKEN_REQUEST_URL, ACTIONS_ID_TOKEN_REQUEST_TOKEN, FULCIO_URL,
// STACK_REKOR, STACK_CT, STACK_TSA and STACK_REGISTRY (v1|v2|both|none,
// 1|0), and, for running services only, CT_URL, TSA_URL, REKOR_V1_URL,
// REKOR_V2_URL, REGISTRY and REGISTRY_REFERRERS.
func (s *Stack) Env() []string {
	bit := map[bool]string{true: "1", false: "0"}
	env := []string{
		"STACK_DIR=" + s.Dir,
		"HOME=" + filepath.Join(s.Dir, "home"),
		"PATH=" + s.path,
	}
	env = append(env, s.goEnv...)
	env = append(env,
		"SIGSTORE_TRUSTED_ROOT="+s.TrustedRoot,
		"SIGSTORE_TRUSTED_ROOT_JSONL="+s.TrustedRootJSONL,
		"SIGSTORE_TRUSTED_ROOT_NOTLOG_JSONL="+s.TrustedRootNoTlogJSONL,
		"SIGSTORE_SIGNING_CONFIG="+s.SigningConfig,
		"OIDC_ISSUER="+s.Issuer,
		"ACTIONS_ID_TOKEN_REQUEST_URL="+s.TokenURL,
		"ACTIONS_ID_TOKEN_REQUEST_TOKEN="+s.RequestToken,
		"FULCIO_URL="+s.FulcioURL,
		"STACK_REKOR="+s.Config.Rekor,
		"STACK_CT="+bit[s.Config.CT],
		"STACK_TSA="+bit[s.Config.TSA],
		"STACK_REGISTRY="+bit[s.Config.Registry],
	)
	optional := []string{s.CTURL, s.TSAURL, s.RekorV1URL, s.RekorV2URL, s.Registry, s.RegistryReferrers}
	for i, name := range optionalEnv {
		if optional[i] != "" {
			env = append(env, name+"="+optional[i])
		}
	}
	return env
}

// optionalEnv names the variables Env sets only for running services, in
// the order Env uses.
var optionalEnv = []string{"CT_URL", "TSA_URL", "REKOR_V1_URL", "REKOR_V2_URL", "REGISTRY", "REGISTRY_REFERRERS"}

// Environ returns base (as from os.Environ) with Env applied: its variables
// set, and those of services that do not run removed, so that a stale
// REKOR_V1_URL, say, cannot leak into a child.
func (s *Stack) Environ(base []string) []string {
	drop := map[string]bool{}
	for _, n := range optionalEnv {
		drop[n] = true
	}
	env := s.Env()
	for _, kv := range env {
		n, _, _ := strings.Cut(kv, "=")
		drop[n] = true
	}
	var out []string
	for _, kv := range base {
		if n, _, _ := strings.Cut(kv, "="); !drop[n] {
			out = append(out, kv)
		}
	}
	return append(out, env...)
}

// writeTrust fetches what the services publish (Rekor v1's key, Fulcio's
// root, the TSA's chain) and writes the trusted root and signing config.
func (s *Stack) writeTrust(ctx context.Context) error {
	in := s.trust
	in.validFrom = time.Now().Add(-time.Hour)
	if s.Config.rekorV1() {
		b, err := get(ctx, rekorV1URL+"/api/v1/log/publicKey")
		if err == nil {
			in.rekorV1SPKI, err = pemOne(b, "PUBLIC KEY")
		}
		if err != nil {
			return &StartError{Service: "rekor-server", Err: fmt.Errorf("reading its public key: %w", err)}
		}
	}
	b, err := get(ctx, fulcioURL+"/api/v1/rootCert")
	if err == nil {
		in.fulcioRoot, err = pemOne(b, "CERTIFICATE")
	}
	if err != nil {
		return &StartError{Service: "fulcio", Err: fmt.Errorf("reading its root: %w", err)}
	}
	if s.Config.TSA {
		// The memory signer makes a new leaf/intermediate/root chain on
		// every start; keep the order served.
		b, err := get(ctx, "http://"+host+":"+portTSA+"/api/v1/timestamp/certchain")
		if err == nil {
			in.tsaChain, err = pemBlocks(b, "CERTIFICATE")
		}
		if err != nil {
			return &StartError{Service: "timestamp-server", Err: fmt.Errorf("reading its chain: %w", err)}
		}
	}
	if err := writeTrust(s.Dir, buildTrustedRoot(in), buildSigningConfig(s.Config)); err != nil {
		return fmt.Errorf("writing the trusted root: %w", err)
	}
	s.TrustedRoot = filepath.Join(s.Dir, "trusted_root.json")
	s.TrustedRootJSONL = filepath.Join(s.Dir, "trusted_root.jsonl")
	s.TrustedRootNoTlogJSONL = filepath.Join(s.Dir, "trusted_root_notlog.jsonl")
	s.SigningConfig = filepath.Join(s.Dir, "signing_config.json")
	return nil
}

// NewJob registers another job with the fake issuer and returns its
// ACTIONS_ID_TOKEN_REQUEST_TOKEN: tokens requested with it carry claims
// over the stack's (fakeoidc.Server.AddJob), e.g. another run_id, or
// run_attempt 2 for a re-run. It works in the process that started the
// stack.
func (s *Stack) NewJob(claims map[string]any) string {
	return s.oidc.NewJob(claims)
}
