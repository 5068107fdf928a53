package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"

	"github.com/provenant/provenant/internal/action"
	"github.com/provenant/provenant/internal/input"
)

// version is set at build time with -ldflags "-X …/internal/cli.version=v1.2.3".
var version = ""

// Exit codes.
const (
	ExitOK    = 0
	ExitError = 1 // bad input or a failed step
	ExitUsage = 2 // unknown command or flag
)

// Streams are the process's standard streams and environment.
type Streams struct {
	Stdout, Stderr io.Writer
	Getenv         func(string) string
}

type command struct {
	name, summary string
	run           func(ctx context.Context, s *session, args []string) error
}

var commands = []command{
	{"attest", "build, sign and write SLSA provenance for subjects", runAttest},
	{"subjects", "resolve subject inputs and print them as sha256sum lines and base64", runSubjects},
	{"verify", "verify attestations for files or images against a trusted root and a policy", runVerify},
	{"version", "print the version", runVersion},
}

// session is one invocation: streams plus the runner environment.
type session struct {
	Streams
	env *action.Env
}

// Main runs provenant with args (without the program name) and returns the
// process exit code.
func Main(ctx context.Context, args []string, s Streams) int {
	if s.Getenv == nil {
		s.Getenv = os.Getenv
	}
	env, err := action.New(action.WithGetenv(s.Getenv), action.WithWriter(s.Stdout))
	if err != nil {
		fmt.Fprintf(s.Stderr, "provenant: %v\n", err)
		return ExitError
	}
	sess := &session{Streams: s, env: env}
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(s.Stdout)
		if len(args) == 0 {
			return ExitUsage
		}
		return ExitOK
	}
	for _, c := range commands {
		if c.name == args[0] {
			return sess.finish(c.name, c.run(ctx, sess, args[1:]))
		}
	}
	fmt.Fprintf(s.Stderr, "provenant: unknown command %q\n\n", args[0])
	usage(s.Stderr)
	return ExitUsage
}

// paths is how this run confines the paths in the inputs: to the
// workspace in Actions; outside Actions an absolute path the user typed
// may name any file.
func (s *session) paths() (input.Workspace, error) {
	ws, err := s.env.Workspace()
	if err != nil {
		return input.Workspace{}, err
	}
	return input.Workspace{Dir: ws, AllowAbsolute: !s.env.InActions(), Container: s.env.InContainer()}, nil
}

// usageError marks errors in the command line itself.
type usageError struct{ err error }

func (u usageError) Error() string { return u.err.Error() }

// errHelpRequested is returned when --help was asked for and printed.
var errHelpRequested = errors.New("help requested")

// finish reports err once, to the terminal and, in Actions, as one error
// annotation, and turns it into an exit code.
func (s *session) finish(cmd string, err error) int {
	switch {
	case err == nil, errors.Is(err, errHelpRequested):
		return ExitOK
	case errors.As(err, new(usageError)):
		fmt.Fprintf(s.Stderr, "provenant %s: %v\nRun 'provenant %s --help' for usage.\n", cmd, err, cmd)
		return ExitUsage
	}
	msg := describe(err)
	fmt.Fprintf(s.Stderr, "provenant %s: %s\n", cmd, msg)
	if s.env.InActions() {
		s.env.Errorf("provenant %s: %s", cmd, msg)
	}
	return ExitError
}

// maxShown is how many input problems describe lists; the rest are
// counted. A checksums file of 200,000 bad lines must not print 200,000
// lines to the log and into an annotation.
const maxShown = 50

// describe renders an error for people: input errors one per line, the
// first maxShown of them, with a count, everything else as is.
func describe(err error) string {
	ies := input.All(err)
	if len(ies) == 0 {
		return err.Error()
	}
	var b strings.Builder
	if len(ies) == 1 {
		b.WriteString("1 problem with the inputs; nothing was written:")
	} else {
		fmt.Fprintf(&b, "%d problems with the inputs; nothing was written:", len(ies))
	}
	for _, ie := range ies[:min(len(ies), maxShown)] {
		b.WriteString("\n  - ")
		b.WriteString(ie.Error())
	}
	if n := len(ies) - maxShown; n > 0 {
		fmt.Fprintf(&b, "\n  … and %d more not shown; fix the ones above and run again to see the rest", n)
	}
	for _, o := range notInput(err) {
		b.WriteString("\nalso: ")
		b.WriteString(o.Error())
	}
	return b.String()
}

// notInput returns the errors joined into err that hold no *input.Error,
// so that describe drops none of them.
func notInput(err error) []error {
	if !input.Is(err) {
		return []error{err}
	}
	var out []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range j.Unwrap() {
			out = append(out, notInput(e)...)
		}
	}
	return out
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "provenant makes SLSA provenance for artifacts built on GitHub Actions.")
	fmt.Fprintln(w, "\nUsage:\n  provenant <command> [flags]\n\nCommands:")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'provenant <command> --help' for a command's flags. As a GitHub Actions step,")
	fmt.Fprintln(w, "every flag can also be given as the action input of the same name.")
}

// Version returns provenant's version.
func Version() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "devel"
}

func runVersion(_ context.Context, s *session, args []string) error {
	if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
		fmt.Fprintln(s.Stdout, "Usage: provenant version\n\nPrints provenant's version.")
		return errHelpRequested
	}
	if len(args) > 0 {
		return usageError{fmt.Errorf("version takes no arguments")}
	}
	fmt.Fprintf(s.Stdout, "provenant %s\n", Version())
	return nil
}
