// Command mkimage assembles provenant's container action image from static
// binaries and a CA bundle, without a Docker engine, and pushes it:
//
//	mkimage --binary bin/provenant --ca /etc/ssl/certs/ca-certificates.crt \
//	  --ref 127.0.0.1:15000/provenant/provenant:dev --version v1.2.3 --revision <commit>
//
// --binary may be given once per platform as OS/ARCH[/VARIANT]=PATH (a bare
// PATH is linux on mkimage's own architecture); with more than one, the
// image is a multi-platform index. It prints the pushed digest reference on
// stdout and the size of each image on stderr. Credentials come from the
// docker config (DOCKER_CONFIG or ~/.docker/config.json), as `docker login`
// writes them.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/provenant/provenant/internal/image"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv("SOURCE_DATE_EPOCH"))
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "mkimage:", err)
		os.Exit(1)
	}
}

// binaries collects the repeated --binary flag.
type binaries []platformBinary

type platformBinary struct {
	platform v1.Platform
	path     string
}

func (b *binaries) String() string { return fmt.Sprint(*b) }

func (b *binaries) Set(s string) error {
	bin := platformBinary{platform: v1.Platform{OS: "linux", Architecture: runtime.GOARCH}, path: s}
	if plat, p, ok := strings.Cut(s, "="); ok {
		parsed, err := v1.ParsePlatform(plat)
		if err != nil {
			return err
		}
		if parsed.Architecture == "" {
			return fmt.Errorf("%q names no architecture; write OS/ARCH=PATH", plat)
		}
		bin = platformBinary{platform: *parsed, path: p}
	}
	if bin.path == "" {
		return errors.New("empty path")
	}
	*b = append(*b, bin)
	return nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer, sourceDateEpoch string) error {
	fs := flag.NewFlagSet("mkimage", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var bins binaries
	fs.Var(&bins, "binary", "static provenant binary, `[OS/ARCH=]PATH`; repeat for a multi-platform index")
	ca := fs.String("ca", "/etc/ssl/certs/ca-certificates.crt", "CA bundle (PEM) to install at "+image.CACertsPath)
	ref := fs.String("ref", "", "where to push: `REGISTRY/REPOSITORY:TAG`")
	version := fs.String("version", "", "value of the "+image.LabelVersion+" label")
	revision := fs.String("revision", "", "value of the "+image.LabelRevision+" label (the commit)")
	source := fs.String("source", image.DefaultSource, "value of the "+image.LabelSource+" label")
	epoch := fs.String("source-date-epoch", sourceDateEpoch, "creation time in Unix seconds (default: $SOURCE_DATE_EPOCH, else 0)")
	maxSize := fs.Int64("max-size", image.DefaultMaxSize, "refuse an image whose uncompressed size is over this many bytes (0: no limit)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	created, err := parseEpoch(*epoch)
	if err != nil {
		return err
	}
	if len(bins) == 0 || *ref == "" || fs.NArg() > 0 {
		fs.Usage()
		return errors.New("--binary and --ref are required, and nothing else may follow the flags")
	}
	target, err := name.ParseReference(*ref)
	if err != nil {
		return fmt.Errorf("--ref: %w", err)
	}
	certs, err := os.ReadFile(*ca)
	if err != nil {
		return fmt.Errorf("reading the CA bundle: %w", err)
	}
	var imgs []v1.Image
	for _, b := range bins {
		img, err := build(b, image.Config{CACerts: certs, Version: *version, Revision: *revision,
			Source: *source, Created: created}, *maxSize)
		if err != nil {
			return err
		}
		s, err := image.Measure(img)
		if err != nil {
			return fmt.Errorf("measuring the %s image: %w", b.platform, err)
		}
		fmt.Fprintf(stderr, "mkimage: %s: %d bytes compressed (%.1f MB), %d bytes uncompressed (%.1f MB)\n",
			b.platform, s.Compressed, float64(s.Compressed)/1e6, s.Uncompressed, float64(s.Uncompressed)/1e6)
		imgs = append(imgs, img)
	}
	var t remote.Taggable = imgs[0]
	if len(imgs) > 1 {
		if t, err = image.Index(imgs...); err != nil {
			return err
		}
	}
	d, err := image.Push(ctx, target, t, remote.WithAuthFromKeychain(authn.DefaultKeychain),
		remote.WithUserAgent("provenant-mkimage"))
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, d.String())
	return nil
}

func build(b platformBinary, c image.Config, maxSize int64) (v1.Image, error) {
	bin, err := os.ReadFile(b.path)
	if err != nil {
		return nil, fmt.Errorf("reading the binary: %w", err)
	}
	c.Binary, c.Platform = bin, b.platform
	img, err := image.Build(c, image.WithMaxSize(maxSize))
	if err != nil {
		return nil, fmt.Errorf("building the %s image: %w", b.platform, err)
	}
	return img, nil
}

func parseEpoch(s string) (time.Time, error) {
	if s == "" {
		return time.Unix(0, 0).UTC(), nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return time.Time{}, fmt.Errorf("--source-date-epoch: %q is not a count of seconds since 1970", s)
	}
	return time.Unix(n, 0).UTC(), nil
}
