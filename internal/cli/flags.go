package cli

import (
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/provenant/provenant/internal/config"
)

// boolValue is a flag.Value for boolean options: --dry-run alone means true,
// and --dry-run=false is accepted too.
type boolValue struct{ v *string }

func (b boolValue) String() string {
	if b.v == nil {
		return ""
	}
	return *b.v
}
func (b boolValue) Set(s string) error { *b.v = s; return nil }
func (b boolValue) IsBoolFlag() bool   { return true }

// listValue is a flag.Value for repeatable options: each use adds a line.
type listValue struct{ v *string }

func (l listValue) String() string {
	if l.v == nil {
		return ""
	}
	return *l.v
}

func (l listValue) Set(s string) error {
	if *l.v != "" {
		*l.v += "\n"
	}
	*l.v += s
	return nil
}

// parseFlags parses args against specs and returns a config.Source: an
// explicitly given flag wins, then, inside GitHub Actions, the action input
// of the same name (for commands that take inputs, config.TakesActionInputs);
// otherwise the option is unset and takes its default. Flags and positional
// arguments may come in any order; "--" ends the flags. A List option's
// value is its uses, one per line.
func parseFlags(s *session, cmd, synopsis string, specs []config.Spec, args []string, extra ...func(*flag.FlagSet)) (config.Source, []string, error) {
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	for _, e := range extra {
		e(fs)
	}
	values := make(map[string]*string, len(specs))
	for _, sp := range specs {
		v := new(string)
		values[sp.Name] = v
		switch sp.Kind {
		case config.Bool:
			fs.Var(boolValue{v}, sp.Name, sp.Description)
		case config.List:
			fs.Var(listValue{v}, sp.Name, sp.Description)
		default:
			fs.StringVar(v, sp.Name, "", sp.Description)
		}
	}
	if err := fs.Parse(interleave(fs, args)); err != nil {
		if err == flag.ErrHelp {
			printHelp(s.Stdout, cmd, synopsis, specs)
			return nil, nil, errHelpRequested
		}
		return nil, nil, usageError{err}
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	src := func(name string) (string, bool) {
		if given[name] {
			v := *values[name]
			return v, strings.TrimSpace(v) != ""
		}
		if !config.TakesActionInputs(cmd) {
			return "", false
		}
		return s.env.Input(name)
	}
	s.maskSecrets(specs, src)
	return src, fs.Args(), nil
}

// interleave moves positional arguments after the flags, so that
// `verify FILE --source-uri …` parses as users expect.
func interleave(fs *flag.FlagSet, args []string) []string {
	var flags, pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			pos = append(pos, args[i+1:]...)
			break
		}
		if !strings.HasPrefix(a, "-") || a == "-" {
			pos = append(pos, a)
			continue
		}
		flags = append(flags, a)
		name := strings.TrimLeft(a, "-")
		if strings.Contains(name, "=") {
			continue
		}
		if fl := fs.Lookup(name); fl != nil && !isBool(fl) && i+1 < len(args) {
			flags = append(flags, args[i+1])
			i++
		}
	}
	return append(flags, pos...)
}

func isBool(f *flag.Flag) bool {
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

func printHelp(w io.Writer, cmd, synopsis string, specs []config.Spec) {
	also := " (also action inputs of the same name)"
	if !config.TakesActionInputs(cmd) {
		also = ""
	}
	fmt.Fprintf(w, "Usage: provenant %s [flags]\n\n%s\n\nFlags%s:\n", cmd, synopsis, also)
	for _, sp := range specs {
		arg := " VALUE"
		if sp.Kind == config.Bool {
			arg = ""
		}
		fmt.Fprintf(w, "  --%s%s\n", sp.Name, arg)
		fmt.Fprintf(w, "      %s", wrap(sp.Description, 74, "      "))
		if sp.Default != "" {
			fmt.Fprintf(w, " (default %s)", sp.Default)
		}
		fmt.Fprintln(w)
	}
}

func wrap(s string, width int, indent string) string {
	var b strings.Builder
	col := 0
	for i, word := range strings.Fields(s) {
		if i > 0 && col+1+len(word) > width {
			b.WriteString("\n" + indent)
			col = 0
		} else if i > 0 {
			b.WriteByte(' ')
			col++
		}
		b.WriteString(word)
		col += len(word)
	}
	return b.String()
}

// maskSecrets hides every secret option's value in the job log before
// anything else can print it, also in the base64 forms registries and
// HTTP basic auth put it in.
func (s *session) maskSecrets(specs []config.Spec, src config.Source) {
	var user string
	if v, ok := src("registry-username"); ok {
		user = strings.TrimSpace(v)
	}
	for _, sp := range specs {
		if !sp.Secret {
			continue
		}
		v, ok := src(sp.Name)
		if !ok {
			continue
		}
		v = strings.TrimSpace(v)
		// Mask covers the value's encoded forms; the user:secret pairs
		// are masked too, for their base64 in Basic credentials.
		s.env.Mask(v)
		if user != "" {
			s.env.Mask(user + ":" + v)
		}
		s.env.Mask("x-access-token:" + v)
	}
}
