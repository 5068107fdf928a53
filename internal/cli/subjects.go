package cli

import (
	"context"
	"flag"
	"fmt"
	"github.com/provenant/provenant/internal/intoto"
	"strconv"

	"github.com/provenant/provenant/internal/action"
	"github.com/provenant/provenant/internal/attest"
	"github.com/provenant/provenant/internal/config"
	"github.com/provenant/provenant/internal/subject"
)

const subjectsSynopsis = `Resolves the subject inputs exactly as attest does and prints them as
sha256sum lines and as one base64 string (for base64-subjects of a later job).
--format chooses: both (default), sha256sum or base64. Needs no token.`

func runSubjects(ctx context.Context, s *session, args []string) error {
	format := "both"
	src, rest, err := parseFlags(s, "subjects", subjectsSynopsis, config.Subjects, args, func(fs *flag.FlagSet) {
		fs.StringVar(&format, "format", format, "output format")
	})
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usageError{fmt.Errorf("unexpected arguments %q", rest)}
	}
	switch format {
	case "both", "sha256sum", "base64":
	default:
		return usageError{fmt.Errorf("--format is %q; use both, sha256sum or base64", format)}
	}
	cfg, err := s.load(ctx, config.Subjects, src)
	if err != nil {
		return err
	}
	ws, err := s.paths()
	if err != nil {
		return err
	}
	p := newProgress(s.Stderr)
	subs, err := attest.ResolveSubjects(ctx, cfg.Subjects, ws, p.reporter())
	p.done()
	if err != nil {
		return err
	}
	sums, b64 := subject.FormatSHA256Sum(subs), subject.EncodeBase64(subs)
	if n := countWithout(subs, "sha256"); n > 0 {
		fmt.Fprintf(s.Stderr, "provenant subjects: %d subject(s) have no sha256 digest and are left out of the output\n", n)
	}
	switch format {
	case "sha256sum":
		_, err = s.Stdout.Write(sums)
	case "base64":
		_, err = fmt.Fprintln(s.Stdout, b64)
	default:
		_, err = fmt.Fprintf(s.Stdout, "%s\n%s\n", sums, b64)
	}
	if err != nil {
		return err
	}
	return s.env.SetOutputs([]action.Output{
		{Name: "sha256sum", Value: string(sums)},
		{Name: "base64-subjects", Value: b64},
		{Name: "subject-count", Value: strconv.Itoa(len(subs))},
	})
}

func countWithout(subs []intoto.Subject, alg string) int {
	n := 0
	for _, s := range subs {
		if _, ok := s.Digest[alg]; !ok {
			n++
		}
	}
	return n
}
