// Command fakegithub serves the fakegithub REST API fake on loopback for
// shell scripts: releases, release assets and the attestations API, with
// repositories created on first use.
//
//	fakegithub --listen 127.0.0.1:18090 --token dummy --state state.json
//
// Point a client at it with GITHUB_API_URL=http://127.0.0.1:18090 and the
// same token. It prints one line to stderr once it is ready, serves until
// SIGINT or SIGTERM, and then writes its state (repositories, releases,
// asset digests, attestations, request counts) to the --state file. While
// it runs, GET /_fake/state returns the same document.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/provenant/provenant/internal/atomicfile"
	"github.com/provenant/provenant/internal/testing/fakegithub"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stderr)
	stop()
	if errors.Is(err, errUsage) {
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "fakegithub:", err)
		os.Exit(1)
	}
}

// errUsage means the flags were wrong; the flag package has already said so.
var errUsage = errors.New("usage error")

// config is what the flags ask for.
type config struct {
	listen    string
	token     string
	state     string
	apiPrefix string
	repos     repoFlags
}

// repoFlags collects --repo values.
type repoFlags []fakegithub.Repo

func (r *repoFlags) String() string { return "" }

// Set parses "owner/name[,private][,enterprise-cloud][,immutable-releases]".
func (r *repoFlags) Set(v string) error {
	parts := strings.Split(v, ",")
	owner, name, ok := strings.Cut(parts[0], "/")
	if !ok || owner == "" || name == "" || strings.Contains(name, "/") {
		return fmt.Errorf("%q is not owner/name", parts[0])
	}
	repo := fakegithub.Repo{Owner: owner, Name: name}
	for _, attr := range parts[1:] {
		switch attr {
		case "private":
			repo.Private = true
		case "enterprise-cloud":
			repo.EnterpriseCloud = true
		case "immutable-releases":
			repo.ImmutableReleases = true
		default:
			return fmt.Errorf("unknown repository attribute %q (want private, enterprise-cloud or immutable-releases)", attr)
		}
	}
	*r = append(*r, repo)
	return nil
}

// run parses args (without the program name) and serves until ctx is done.
func run(ctx context.Context, args []string, stderr io.Writer) error {
	cfg, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	srv, err := newServer(cfg)
	if err != nil {
		return err
	}
	return serve(ctx, cfg, srv, stderr)
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	var cfg config
	fs := flag.NewFlagSet("fakegithub", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.listen, "listen", "127.0.0.1:18090", "`address` to serve on; port 0 picks a free port")
	fs.StringVar(&cfg.token, "token", "", "the `token` every API request must present as Bearer or token (required)")
	fs.StringVar(&cfg.state, "state", "", "write the state as JSON to `file` on exit")
	fs.StringVar(&cfg.apiPrefix, "api-prefix", "", "serve the API under `path`, e.g. /api/v3 as GitHub Enterprise Server does")
	fs.Var(&cfg.repos, "repo", "create `owner/name[,private][,enterprise-cloud][,immutable-releases]` up front (repeatable); others appear, public, on first use")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return cfg, err
		}
		return cfg, errUsage
	}
	switch {
	case fs.NArg() > 0:
		fmt.Fprintf(stderr, "fakegithub: unexpected arguments %q\n", fs.Args())
	case cfg.token == "":
		fmt.Fprintln(stderr, "fakegithub: --token is required")
	default:
		return cfg, nil
	}
	fs.Usage()
	return cfg, errUsage
}

func newServer(cfg config) (*fakegithub.Server, error) {
	srv, err := fakegithub.New(fakegithub.WithToken(cfg.token), fakegithub.WithAPIPrefix(cfg.apiPrefix), fakegithub.WithAutoCreateRepos())
	if err != nil {
		return nil, fmt.Errorf("configuring the fake: %w", err)
	}
	for _, r := range cfg.repos {
		if err := srv.CreateRepo(r); err != nil {
			return nil, err
		}
	}
	return srv, nil
}

// serve listens, prints the one readiness line and serves until ctx is
// done, then shuts down and writes the state file.
func serve(ctx context.Context, cfg config, srv *fakegithub.Server, stderr io.Writer) error {
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", cfg.listen)
	if err != nil {
		return fmt.Errorf("listening: %w", err)
	}
	defer ln.Close()
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	fmt.Fprintf(stderr, "fakegithub: serving GITHUB_API_URL=http://%s%s on %s\n", ln.Addr(), srv.APIPrefix(), ln.Addr())

	select {
	case err := <-errc:
		return fmt.Errorf("serving: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	serr := hs.Shutdown(shutdownCtx)
	if serr != nil {
		serr = fmt.Errorf("shutting down: %w", serr)
	}
	if cfg.state != "" {
		if err := atomicfile.Write(cfg.state, srv.State(), true); err != nil {
			return errors.Join(serr, fmt.Errorf("writing state: %w", err))
		}
	}
	return serr
}
