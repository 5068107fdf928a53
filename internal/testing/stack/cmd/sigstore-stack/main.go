// Command sigstore-stack runs a command against the real Sigstore services
// on loopback, inside a private network namespace:
//
//	sigstore-stack [--rekor v1|v2|both|none] [--ct|--no-ct] [--tsa|--no-tsa] [--registry] -- CMD [ARGS...]
//
// It starts the services with internal/testing/stack (the default is
// --rekor v2 --ct --tsa), runs CMD with the stack's variables in its
// environment (SIGSTORE_TRUSTED_ROOT, SIGSTORE_SIGNING_CONFIG,
// ACTIONS_ID_TOKEN_REQUEST_URL and the rest; see stack.Stack.Env), stops
// every service it started and exits with CMD's status.
//
// Environment:
//
//	PROVENANT_TOOLS      tools dir (default <module root>/.tools; see scripts/install-tools.sh)
//	FAKEOIDC_CLAIMS      JSON file of claim overrides for the fake issuer
//	KEEP_STACK=1         keep the work dir (STACK_DIR) after exit
//	STACK_READY_TIMEOUT  seconds to wait for each service (default 30)
//	STACK_VERBOSE=1      report when each service became ready
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"syscall"
	"time"

	"github.com/provenant/provenant/internal/testing/stack"
)

func main() {
	code, err := run(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "sigstore-stack:", err)
	}
	os.Exit(code)
}

const usage = "usage: sigstore-stack [--rekor v1|v2|both|none] [--ct|--no-ct] [--tsa|--no-tsa] [--registry] -- CMD [ARGS...]"

// run parses args, enters the namespace, and runs the command under the
// stack. It returns the exit code.
func run(args []string) (int, error) {
	if slices.Contains(args, "-h") || slices.Contains(args, "--help") {
		fmt.Println(usage)
		return 0, nil
	}
	i := slices.Index(args, "--")
	if i < 0 || i == len(args)-1 {
		return 2, errors.New("no command given after --\n" + usage)
	}
	cfg, err := config(args[:i])
	if err != nil {
		return 2, err
	}
	if err := stack.MissingTools(cfg, cfg.ToolsDir); err != nil {
		return 1, err
	}
	if code, reexeced, err := stack.Isolate(); err != nil || reexeced {
		return code, err
	}
	return runUnder(cfg, args[i+1:])
}

// config builds the stack's Config from the flags and the environment.
func config(flags []string) (stack.Config, error) {
	cfg, err := stack.ParseArgs(flags)
	if err != nil {
		return cfg, err
	}
	cfg.ToolsDir = stack.DefaultToolsDir()
	cfg.Keep = os.Getenv("KEEP_STACK") == "1"
	if f := os.Getenv("FAKEOIDC_CLAIMS"); f != "" {
		if cfg.ClaimsFile, err = filepath.Abs(f); err != nil {
			return cfg, err
		}
	}
	if v := os.Getenv("STACK_READY_TIMEOUT"); v != "" {
		secs, err := strconv.Atoi(v)
		if err != nil || secs <= 0 {
			return cfg, fmt.Errorf("STACK_READY_TIMEOUT=%q is not a positive number of seconds", v)
		}
		cfg.ReadyTimeout = time.Duration(secs) * time.Second
	}
	if os.Getenv("STACK_VERBOSE") == "1" {
		cfg.Logf = func(format string, args ...any) {
			fmt.Fprintf(os.Stderr, "sigstore-stack: "+format+"\n", args...)
		}
	}
	return cfg, nil
}

// runUnder starts the stack, runs cmd with its environment and stops it.
// SIGINT, SIGTERM and SIGHUP end the command, and then the stack.
func runUnder(cfg stack.Config, argv []string) (int, error) {
	sigc := make(chan os.Signal, 1)
	signal.Notify(sigc, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer signal.Stop(sigc)
	t0 := time.Now()
	st, err := stack.Start(context.Background(), cfg)
	if err != nil {
		return 1, err
	}
	defer st.Stop()
	fmt.Fprintf(os.Stderr, "sigstore-stack: up in %s (%s); STACK_DIR=%s\n", time.Since(t0).Round(10*time.Millisecond), cfg, st.Dir)
	if cfg.Keep {
		defer fmt.Fprintln(os.Stderr, "sigstore-stack: kept", st.Dir)
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.Env = st.Environ(os.Environ())
	if err := cmd.Start(); err != nil {
		return 127, fmt.Errorf("running %s: %w", argv[0], err)
	}
	done := make(chan struct{})
	go func() {
		select {
		case <-sigc:
			cmd.Process.Signal(syscall.SIGTERM)
		case <-done:
		}
	}()
	cmd.Wait()
	close(done)
	ws, _ := cmd.ProcessState.Sys().(syscall.WaitStatus)
	if ws.Signaled() {
		return 128 + int(ws.Signal()), nil
	}
	return cmd.ProcessState.ExitCode(), nil
}
