package stack

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/provenant/provenant/internal/testing/fakeoidc"
	"github.com/provenant/provenant/internal/testing/ociregistry"
)

// startServices starts everything in the order sigstore-stack.md requires:
// the TSA owns :2112 (its hard-coded metrics port; it dies if the port is
// taken) before rekor-server v1, which silently ignores the clash; TesseraCT
// trusts Fulcio's root, which exists only once Fulcio is up.
func (s *Stack) startServices(ctx context.Context) error {
	if err := s.startOIDC(); err != nil {
		return err
	}
	var installDB *proc
	if s.Config.rekorV1() {
		// Creating MariaDB's data dir takes about a second: start it first.
		p, err := s.start("mariadb-install-db", syscall.SIGTERM, nil, "mariadb-install-db", "--no-defaults",
			"--datadir="+filepath.Join(s.Dir, "db"), "--user=root", "--auth-root-authentication-method=normal", "--skip-test-db")
		if err != nil {
			return err
		}
		installDB = p
	}
	var tsa, fulcio, rekorV2 *proc
	var err error
	if s.Config.TSA {
		if tsa, err = s.startTSA(); err != nil {
			return err
		}
	}
	if fulcio, err = s.startFulcio(); err != nil {
		return err
	}
	if s.Config.rekorV2() {
		if rekorV2, err = s.startRekorV2(); err != nil {
			return err
		}
	}
	if err := s.waitHTTP(ctx, "fakeoidc", nil, issuerURL+"/.well-known/openid-configuration"); err != nil {
		return err
	}
	if tsa != nil {
		if err := s.waitHTTP(ctx, "timestamp-server", tsa, "http://"+host+":"+portTSA+"/api/v1/timestamp/certchain"); err != nil {
			return err
		}
	}
	if err := s.waitHTTP(ctx, "fulcio", fulcio, fulcioURL+"/api/v1/rootCert"); err != nil {
		return err
	}
	if rekorV2 != nil {
		if err := s.waitHTTP(ctx, "rekor-tiles", rekorV2, rekorV2URL+"/healthz"); err != nil {
			return err
		}
	}
	if s.Config.CT {
		if err := s.startCT(ctx); err != nil {
			return err
		}
	}
	if installDB != nil {
		if err := s.startRekorV1(ctx, installDB); err != nil {
			return err
		}
	}
	if s.Config.Registry {
		return s.startRegistries(ctx)
	}
	return nil
}

// serve runs handler in this process on host:port until Stop.
func (s *Stack) serve(name, port string, handler http.Handler) error {
	ln, err := net.Listen("tcp", host+":"+port)
	if err != nil {
		return &StartError{Service: name, Err: err}
	}
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	s.servers = append(s.servers, srv)
	go srv.Serve(ln)
	return nil
}

// startOIDC runs the project's fake GitHub OIDC issuer in process.
func (s *Stack) startOIDC() error {
	// The jobs endpoint lets scripts inside the stack (make bench) run jobs
	// of several workflow runs.
	opts := []fakeoidc.Option{fakeoidc.WithIssuer(issuerURL), fakeoidc.WithRequestToken(s.RequestToken), fakeoidc.WithJobsEndpoint()}
	if s.Config.ClaimsFile != "" {
		claims, err := readClaims(s.Config.ClaimsFile)
		if err != nil {
			return &StartError{Service: "fakeoidc", Err: err}
		}
		opts = append(opts, fakeoidc.WithClaims(claims))
	}
	srv, err := fakeoidc.New(opts...)
	if err != nil {
		return &StartError{Service: "fakeoidc", Err: err}
	}
	s.Issuer, s.TokenURL, s.oidc = issuerURL, issuerURL+"/token?api-version=2.0", srv
	return s.serve("fakeoidc", portOIDC, srv.Handler())
}

// readClaims reads a JSON object of claims; numbers keep their exact text.
func readClaims(path string) (map[string]any, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading the claims file: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var claims map[string]any
	if err := dec.Decode(&claims); err != nil || claims == nil {
		return nil, fmt.Errorf("parsing the claims file %s: want a JSON object of claims (%v)", path, err)
	}
	return claims, nil
}

// startTSA runs timestamp-server with the memory signer, which makes a new
// certificate chain on every start. NTP monitoring needs the network.
func (s *Stack) startTSA() (*proc, error) {
	s.TSAURL = tsaURL
	return s.start("timestamp-server", syscall.SIGTERM, nil, "timestamp-server", "serve",
		"--host", host, "--port", portTSA, "--scheme", "http",
		"--timestamp-signer", "memory", "--disable-ntp-monitoring")
}

// startFulcio runs Fulcio with an ephemeral CA that trusts the fake issuer.
// It gets two ports (duplex mode panics in v1.8.8) and its own metrics port
// (the default 2112 clashes with the TSA). CT is on by default in Fulcio,
// so "off" is an explicit empty URL.
func (s *Stack) startFulcio() (*proc, error) {
	cfg := map[string]any{"OIDCIssuers": map[string]any{issuerURL: map[string]string{
		"IssuerURL": issuerURL, "ClientID": "sigstore", "Type": "github-workflow"}}}
	b, _ := json.Marshal(cfg)
	cfgPath := filepath.Join(s.Dir, "fulcio.json")
	if err := os.WriteFile(cfgPath, b, 0o644); err != nil {
		return nil, &StartError{Service: "fulcio", Err: err}
	}
	ct := []string{"--ct-log-url", ""}
	if s.Config.CT {
		spki, err := writeECKey(filepath.Join(s.Dir, "ct.key"))
		if err == nil {
			err = writePEM(filepath.Join(s.Dir, "ct.pub"), "PUBLIC KEY", spki)
		}
		if err != nil {
			return nil, &StartError{Service: "tesseract", Err: err}
		}
		s.trust.ctSPKI = spki
		ct = []string{"--ct-log-url", ctURL, "--ct-log-public-key-path", filepath.Join(s.Dir, "ct.pub")}
	}
	s.FulcioURL = fulcioURL
	args := append([]string{"serve", "--ca", "ephemeralca", "--config-path", cfgPath}, ct...)
	args = append(args, "--http-host", host, "--http-port", portFulcioHTTP, "--grpc-host", host,
		"--grpc-port", portFulcioGRPC, "--metrics-port", portFulcioMetrics)
	return s.start("fulcio", syscall.SIGTERM, nil, "fulcio", args...)
}

// startRekorV2 runs rekor-tiles. --hostname is the checkpoint origin and
// must be the host of the trusted root's baseUrl; the default checkpoint
// interval (10 s) would make every signature wait that long.
func (s *Stack) startRekorV2() (*proc, error) {
	key := filepath.Join(s.Dir, "rekor.key")
	spki, raw, err := writeEd25519Key(key)
	if err != nil {
		return nil, &StartError{Service: "rekor-tiles", Err: err}
	}
	s.trust.rekorV2SPKI, s.trust.rekorV2Raw = spki, raw
	s.RekorV2URL = rekorV2URL
	return s.start("rekor-tiles", syscall.SIGTERM, nil, "rekor-tiles-posix", "serve",
		"--storage-dir="+filepath.Join(s.Dir, "rekor"), "--signer-filepath="+key, "--hostname="+host,
		"--http-address="+host, "--http-port="+portRekorV2HTTP, "--grpc-address="+host, "--grpc-port="+portRekorV2GRPC,
		"--http-metrics-port="+portRekorV2Metrics, "--checkpoint-interval=200ms", "--batch-max-age=50ms")
}

// startCT runs TesseraCT, trusting Fulcio's root. Its origin must be a host
// without a port. It always pushes OTel metrics to localhost:4318, where
// nothing listens; a long export interval keeps its log free of a
// "connection refused" every minute.
func (s *Stack) startCT(ctx context.Context) error {
	root, err := get(ctx, fulcioURL+"/api/v1/rootCert")
	if err != nil {
		return &StartError{Service: "tesseract", Err: fmt.Errorf("fetching Fulcio's root: %w", err)}
	}
	rootPath := filepath.Join(s.Dir, "fulcio_root.pem")
	if err := os.WriteFile(rootPath, root, 0o644); err != nil {
		return &StartError{Service: "tesseract", Err: err}
	}
	s.CTURL = ctURL
	p, err := s.start("tesseract", syscall.SIGTERM, []string{"OTEL_METRIC_EXPORT_INTERVAL=86400000"}, "tesseract-posix",
		"--http_endpoint="+host+":"+portCT, "--origin=ct.local", "--storage_dir="+filepath.Join(s.Dir, "ct"),
		"--roots_pem_file="+rootPath, "--private_key="+filepath.Join(s.Dir, "ct.key"),
		"--checkpoint_interval=200ms", "--batch_max_age=50ms")
	if err != nil {
		return err
	}
	return s.waitHTTP(ctx, "tesseract", p, ctURL+"/ct/v1/get-roots")
}

// startRegistries runs docker-registry 2.8.2 (no referrers API) and, in
// process, go-containerregistry's registry with the referrers API.
func (s *Stack) startRegistries(ctx context.Context) error {
	cfg := fmt.Sprintf(`version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: %s
  delete:
    enabled: true
http:
  addr: %s:%s
`, filepath.Join(s.Dir, "registry"), host, portRegistry)
	cfgPath := filepath.Join(s.Dir, "registry.yml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o644); err != nil {
		return &StartError{Service: "docker-registry", Err: err}
	}
	p, err := s.start("docker-registry", syscall.SIGTERM, nil, "docker-registry", "serve", cfgPath)
	if err != nil {
		return err
	}
	if err := s.serve("ociregistry", portRegistryReferrers, ociregistry.New(true)); err != nil {
		return err
	}
	s.Registry, s.RegistryReferrers = host+":"+portRegistry, host+":"+portRegistryReferrers
	if err := s.waitHTTP(ctx, "docker-registry", p, "http://"+s.Registry+"/v2/"); err != nil {
		return err
	}
	return s.waitHTTP(ctx, "ociregistry", nil, "http://"+s.RegistryReferrers+"/v2/")
}

// commandReady is a readiness check that runs a command until it succeeds.
func (s *Stack) commandReady(bin string, args ...string) func(context.Context) error {
	return func(ctx context.Context) error {
		path, err := lookTool(s.Config.ToolsDir, bin)
		if err != nil {
			return err
		}
		ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		defer cancel()
		out, err := exec.CommandContext(ctx, path, args...).CombinedOutput()
		if err != nil {
			return fmt.Errorf("%s: %w: %s", bin, err, strings.TrimSpace(string(out)))
		}
		return nil
	}
}

// errExited is how a helper that exited non-zero is reported.
var errExited = errors.New("exited with an error")
