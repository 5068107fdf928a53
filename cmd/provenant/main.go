// Command provenant makes SLSA provenance for software built on GitHub
// Actions. See README.md.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/provenant/provenant/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], cli.Streams{Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv})
	stop()
	os.Exit(code)
}
