// Command fakeoidc serves a fake GitHub Actions OIDC issuer and token
// service on loopback, for scripts that run a real Fulcio against it. With
// --mint it prints one token and exits instead.
//
// Point a GitHub-aware client at it with
//
//	ACTIONS_ID_TOKEN_REQUEST_URL='http://127.0.0.1:18080/token?api-version=2.0'
//	ACTIONS_ID_TOKEN_REQUEST_TOKEN=dummy
//
// and Fulcio's github-workflow issuer at the same issuer URL.
package main

import (
	"bytes"
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/provenant/provenant/internal/testing/fakeoidc"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if errors.Is(err, errUsage) {
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "fakeoidc:", err)
		os.Exit(1)
	}
}

// errUsage means the flags were wrong; the flag package has already said so.
var errUsage = errors.New("usage error")

// config is what the flags ask for.
type config struct {
	listen       string
	issuer       string
	claimsFile   string
	keyFile      string
	requestToken string
	mint         string
}

// run parses args (without the program name) and either mints one token
// to stdout or serves until ctx is done.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	opts, err := serverOptions(cfg)
	if err != nil {
		return err
	}
	if cfg.mint != "" {
		return mint(cfg, opts, stdout)
	}
	return serve(ctx, cfg, opts, stderr)
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	var cfg config
	fs := flag.NewFlagSet("fakeoidc", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.listen, "listen", "127.0.0.1:18080", "`address` to serve on; port 0 picks a free port")
	fs.StringVar(&cfg.issuer, "issuer", "", "issuer `URL` (default http://<listen address>)")
	fs.StringVar(&cfg.claimsFile, "claims", "", "JSON object `file` merged over the default claims; a null value deletes a claim")
	fs.StringVar(&cfg.keyFile, "key", "", "PEM RSA private key `file` to sign with (default a fresh RSA-2048 key)")
	fs.StringVar(&cfg.requestToken, "request-token", "", "bearer `value` the token endpoint demands (default any non-empty value)")
	fs.StringVar(&cfg.mint, "mint", "", "print one token for `audience` to stdout and exit, without serving")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return cfg, err
		}
		return cfg, errUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "fakeoidc: unexpected arguments %q\n", fs.Args())
		fs.Usage()
		return cfg, errUsage
	}
	return cfg, nil
}

// serverOptions turns the flags into fakeoidc options, all but the issuer.
func serverOptions(cfg config) ([]fakeoidc.Option, error) {
	opts := []fakeoidc.Option{fakeoidc.WithRequestToken(cfg.requestToken)}
	if cfg.claimsFile != "" {
		claims, err := readClaims(cfg.claimsFile)
		if err != nil {
			return nil, err
		}
		opts = append(opts, fakeoidc.WithClaims(claims))
	}
	if cfg.keyFile != "" {
		key, err := readKey(cfg.keyFile)
		if err != nil {
			return nil, err
		}
		opts = append(opts, fakeoidc.WithKey(key))
	}
	return opts, nil
}

func mint(cfg config, opts []fakeoidc.Option, stdout io.Writer) error {
	issuer := cfg.issuer
	if issuer == "" {
		issuer = "http://" + cfg.listen
	}
	srv, err := fakeoidc.New(append(opts, fakeoidc.WithIssuer(issuer))...)
	if err != nil {
		return fmt.Errorf("configuring issuer: %w", err)
	}
	tok, err := srv.Mint(cfg.mint, nil)
	if err != nil {
		return err
	}
	if _, err := fmt.Fprintln(stdout, tok); err != nil {
		return fmt.Errorf("writing token: %w", err)
	}
	return nil
}

// serve listens, prints the one start-up line and serves until ctx is done,
// then shuts down gracefully.
func serve(ctx context.Context, cfg config, opts []fakeoidc.Option, stderr io.Writer) error {
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", cfg.listen)
	if err != nil {
		return fmt.Errorf("listening: %w", err)
	}
	defer ln.Close()
	issuer := cfg.issuer
	if issuer == "" {
		issuer = "http://" + ln.Addr().String()
	}
	srv, err := fakeoidc.New(append(opts, fakeoidc.WithIssuer(issuer))...)
	if err != nil {
		return fmt.Errorf("configuring issuer: %w", err)
	}
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	fmt.Fprintf(stderr, "fakeoidc: serving issuer %s on %s\n", issuer, ln.Addr())

	select {
	case err := <-errc:
		return fmt.Errorf("serving: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutting down: %w", err)
	}
	return nil
}

// readClaims reads a JSON object of claims. Numbers keep their exact text.
func readClaims(path string) (map[string]any, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading claims file: %w", err)
	}
	var claims map[string]any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&claims); err != nil {
		return nil, fmt.Errorf("parsing claims file %s: %w", path, err)
	}
	if err := dec.Decode(new(json.RawMessage)); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("parsing claims file %s: want one JSON object, found more after it", path)
	}
	if claims == nil {
		return nil, fmt.Errorf("parsing claims file %s: want a JSON object of claims, got null", path)
	}
	return claims, nil
}

// readKey reads an RSA private key in PKCS #1 or PKCS #8 PEM.
func readKey(path string) (*rsa.PrivateKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading key file: %w", err)
	}
	block, _ := pem.Decode(b)
	if block == nil {
		return nil, fmt.Errorf("parsing key file %s: no PEM block", path)
	}
	if k, err := x509.ParsePKCS1PrivateKey(block.Bytes); err == nil {
		return k, nil
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("parsing key file %s: %w", path, err)
	}
	rk, ok := k.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("parsing key file %s: a %T, not an RSA key", path, k)
	}
	return rk, nil
}
