// Command ociregistry serves go-containerregistry's in-memory OCI registry
// over plain HTTP. scripts/sigstore-stack.sh runs it beside Debian's
// docker-registry because that one has no referrers API, while this one
// has it when started with --referrers. Both are registries this project did
// not write, so OCI code is tested against each.
//
// The registry keeps everything in memory and logs nothing: every request
// would otherwise be logged to stderr.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/provenant/provenant/internal/testing/ociregistry"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:15001", "address to serve the registry on")
	referrers := flag.Bool("referrers", false, "serve the OCI 1.1 referrers API (GET /v2/<name>/referrers/<digest>)")
	flag.Parse()

	if err := run(*listen, *referrers); err != nil {
		fmt.Fprintln(os.Stderr, "ociregistry:", err)
		os.Exit(1)
	}
}

func run(listen string, referrers bool) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           ociregistry.New(referrers),
		ReadHeaderTimeout: 10 * time.Second,
	}
	fmt.Fprintf(os.Stderr, "ociregistry: serving on %s (referrers %t)\n", ln.Addr(), referrers)

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
