// Command pullcheck pulls an image by digest without credentials, as every
// runner that uses the action will, and fails if the registry refuses:
//
//	pullcheck ghcr.io/provenant/provenant@sha256:<hex>
//
// The release workflow runs it right after pushing the action image, so
// that a package that is still private stops the release before anything
// is tagged. It reads every manifest, config and layer and checks each
// against its digest.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/provenant/provenant/internal/image"
)

// timeout bounds the whole pull: the image is about 10 MB a platform.
const timeout = 5 * time.Minute

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "pullcheck:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) != 1 {
		return errors.New("usage: pullcheck REGISTRY/REPOSITORY@sha256:HEX")
	}
	d, err := name.NewDigest(args[0])
	if err != nil {
		return fmt.Errorf("%q is not a digest reference: %w", args[0], err)
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if err := image.PullAnonymously(ctx, d); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s can be pulled without credentials\n", d)
	return nil
}
