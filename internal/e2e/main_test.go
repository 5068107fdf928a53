package e2e

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"testing"

	sigstack "github.com/provenant/provenant/internal/testing/stack"
)

// defaultMode is the mode `go test ./internal/e2e` runs without -stack or
// STACK_MODE: the one with the most services.
const defaultMode = "--rekor v2 --ct --tsa --registry"

var (
	stackMode = flag.String("stack", "", "the services to run, in make e2e's E2E_MODES syntax, "+
		`e.g. "--rekor v1 --ct --no-tsa" (default $STACK_MODE, else "`+defaultMode+`")`)

	// running is the stack TestMain started; nil when the tests skip.
	running *sigstack.Stack
	// noStack says why the tests skip.
	noStack string
)

// TestMain starts the real Sigstore services for the whole package, in a
// private network namespace it re-runs the test binary in, and stops them
// at the end. Without the pinned tools, or with -short, the tests skip and
// say why; STACK_REQUIRE=1 (make e2e) turns the missing tools into a
// failure.
func TestMain(m *testing.M) {
	flag.Parse()
	os.Exit(run(m))
}

func run(m *testing.M) int {
	mode := *stackMode
	if mode == "" {
		mode = os.Getenv("STACK_MODE")
	}
	if mode == "" {
		mode = defaultMode
	}
	cfg, err := sigstack.ParseArgs(strings.Fields(mode))
	if err != nil {
		fmt.Fprintf(os.Stderr, "e2e: -stack %q: %v\n", mode, err)
		return 2
	}
	cfg.ToolsDir = sigstack.DefaultToolsDir()
	cfg.ClaimsFile = os.Getenv("FAKEOIDC_CLAIMS")
	cfg.Keep = os.Getenv("KEEP_STACK") == "1"
	if os.Getenv("STACK_VERBOSE") == "1" {
		cfg.Logf = func(format string, args ...any) { fmt.Fprintf(os.Stderr, "e2e: "+format+"\n", args...) }
	}
	if skip := skipReason(cfg); skip != "" {
		if os.Getenv("STACK_REQUIRE") == "1" {
			fmt.Fprintln(os.Stderr, "e2e:", skip)
			return 1
		}
		noStack = skip
		return m.Run()
	}
	if code, reexeced, err := sigstack.Isolate(); err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	} else if reexeced {
		return code
	}
	return runWithStack(m, cfg)
}

// skipReason says why the end-to-end tests cannot run here, or "".
func skipReason(cfg sigstack.Config) string {
	if testing.Short() {
		return "end-to-end tests do not run with -short"
	}
	var missing *sigstack.MissingToolsError
	if err := sigstack.MissingTools(cfg, cfg.ToolsDir, "cosign", "gh"); errors.As(err, &missing) {
		return "end-to-end tests need the real Sigstore services and verifiers: " + err.Error() + "; make e2e does both"
	}
	return ""
}

// runWithStack starts the services, gives every test and child process
// their environment, runs the tests and stops the services, also on
// SIGINT or SIGTERM.
func runWithStack(m *testing.M, cfg sigstack.Config) int {
	st, err := sigstack.Start(context.Background(), cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e: starting the Sigstore stack:", err)
		return 1
	}
	defer st.Stop()
	sigc := make(chan os.Signal, 1)
	signal.Notify(sigc, os.Interrupt, syscall.SIGTERM)
	go func() {
		sig := <-sigc
		st.Stop()
		os.Exit(128 + int(sig.(syscall.Signal)))
	}()
	fmt.Fprintf(os.Stderr, "e2e: stack up (%s) in %s\n", cfg, st.Dir)
	env := st.Environ(os.Environ())
	os.Clearenv()
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		os.Setenv(k, v)
	}
	running = st
	return m.Run()
}
