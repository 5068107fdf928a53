package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/provenant/provenant/internal/action"
	"github.com/provenant/provenant/internal/attest"
	"github.com/provenant/provenant/internal/config"
	"github.com/provenant/provenant/internal/input"
)

const attestSynopsis = `Resolves the subjects, verifies the run's GitHub OIDC token, and builds an
in-toto statement with SLSA provenance (v1.0 by default, v0.2 on request).
With --dry-run the statement is printed and nothing is written.`

func runAttest(ctx context.Context, s *session, args []string) error {
	src, rest, err := parseFlags(s, "attest", attestSynopsis, config.Attest, args)
	if err != nil {
		return err
	}
	err = attestWith(ctx, s, src, rest)
	if err == nil {
		if boolInput(src, "dry-run") {
			return nil
		}
		return s.env.SetOutputs([]action.Output{{Name: "outcome", Value: "success"}})
	}
	if errors.As(err, new(usageError)) || !boolInput(src, "continue-on-error") {
		return err
	}
	// continue-on-error: report the failure as usual, but let the step
	// pass — unless even the outcome cannot be set; then both errors are
	// reported once, by the caller.
	if oerr := s.env.SetOutputs([]action.Output{{Name: "outcome", Value: "failure"}}); oerr != nil {
		return errors.Join(err, oerr)
	}
	s.finish("attest", err)
	fmt.Fprintln(s.Stderr, "provenant attest: continue-on-error is set: the step passes with outcome=failure")
	return nil
}

// boolInput reads a boolean option straight from the source, so that
// continue-on-error holds even when other options are invalid.
func boolInput(src config.Source, name string) bool {
	v, _ := src(name)
	b, err := strconv.ParseBool(strings.TrimSpace(v))
	return err == nil && b
}

func attestWith(ctx context.Context, s *session, src config.Source, rest []string) error {
	if len(rest) > 0 {
		return usageError{fmt.Errorf("unexpected arguments %q: subjects are given with --subject-path and the other subject flags", rest)}
	}
	cfg, err := s.load(ctx, config.Attest, src)
	if err != nil {
		return err
	}
	ctx, printTimings := s.timings(ctx, cfg.Timings)
	defer printTimings()
	env, err := s.environment()
	if err != nil {
		return err
	}
	p := newProgress(s.Stderr)
	res, err := attest.Run(ctx, cfg, env, attest.WithProgress(p.reporter()))
	p.done()
	if err != nil {
		return err
	}
	if cfg.DryRun {
		for _, st := range res.Statements {
			if err := printStatement(s, st); err != nil {
				return err
			}
		}
		return nil
	}
	fmt.Fprintf(s.Stderr, "provenant attest: signed and verified %d attestation(s) for %d subject(s) as %s on %s; wrote %s\n",
		len(res.Bundles), len(res.Subjects), res.Identity.SAN, instanceLine(res), res.ProvenancePath)
	return s.reportAttest(res, cfg.ShowSummary)
}

// load validates the options; when they are wrong it still resolves the
// subjects, so that every mistake is reported in one run.
func (s *session) load(ctx context.Context, specs []config.Spec, src config.Source) (*config.Config, error) {
	cfg, err := config.Load(specs, src)
	ws, werr := s.paths()
	if werr != nil {
		return nil, errors.Join(err, werr)
	}
	if err = errors.Join(err, cfg.CheckFiles(ws)); err == nil {
		return cfg, nil
	}
	_, serr := attest.ResolveSubjects(ctx, cfg.Subjects, ws, nil)
	if input.Is(serr) {
		return nil, errors.Join(err, serr)
	}
	return nil, err
}

// environment gathers what the runner tells about the run.
func (s *session) environment() (attest.Environment, error) {
	ws, err := s.env.Workspace()
	if err != nil {
		return attest.Environment{}, err
	}
	ev, err := s.env.Event()
	if err != nil {
		return attest.Environment{}, err
	}
	return attest.Environment{
		Workspace:     ws,
		AbsolutePaths: !s.env.InActions(),
		Container:     s.env.InContainer(),
		TempDir:       s.env.TempDir(),
		APIURL:        s.env.APIURL(),
		ServerURL:     s.env.ServerURL(),
		Event:         ev,
		Getenv:        s.env.Getenv,
		Token:         s.env.Token,
	}, nil
}

// maxIndented is the largest statement printed indented; larger ones (tens
// of thousands of subjects) are printed as they are, compact, to avoid a
// second large copy in memory.
const maxIndented = 1 << 20

func printStatement(s *session, st []byte) error {
	if len(st) > maxIndented {
		_, err := s.Stdout.Write(append(st, '\n'))
		return err
	}
	var b bytes.Buffer
	if err := json.Indent(&b, st, "", "  "); err != nil {
		return fmt.Errorf("formatting the statement: %w", err)
	}
	b.WriteByte('\n')
	_, err := s.Stdout.Write(b.Bytes())
	return err
}

func (s *session) reportAttest(res *attest.Result, summary bool) error {
	first := res.Bundles[0]
	bundlePath := first.Path
	if len(res.Bundles) > 1 {
		bundlePath = res.ProvenancePath
	}
	idx := ""
	if first.LogIndex >= 0 {
		idx = strconv.FormatInt(first.LogIndex, 10)
	}
	outs := []action.Output{
		{Name: "provenance-name", Value: res.ProvenancePath},
		{Name: "bundle-path", Value: bundlePath},
		{Name: "attestation-digest", Value: first.Digest},
		{Name: "log-index", Value: idx},
		{Name: "log-url", Value: first.LogURL},
		{Name: "certificate-identity", Value: res.Identity.SAN},
		{Name: "certificate-issuer", Value: res.Identity.Issuer},
		{Name: "predicate-type", Value: res.PredicateType},
		{Name: "subject-count", Value: strconv.Itoa(len(res.Subjects))},
		{Name: "release-id", Value: idString(res.ReleaseID)},
		{Name: "attestation-id", Value: idString(res.AttestationID)},
		{Name: "attestation-url", Value: res.AttestationURL},
	}
	for _, w := range res.Warnings {
		fmt.Fprintf(s.Stderr, "provenant attest: warning: %s\n", w)
		if s.env.InActions() {
			s.env.Warningf("%s", w)
		}
	}
	for _, n := range res.Notices {
		fmt.Fprintf(s.Stderr, "provenant attest: notice: %s\n", n)
		if s.env.InActions() {
			s.env.Noticef("%s", n)
		}
	}
	if err := s.env.SetOutputs(outs); err != nil {
		return err
	}
	if !summary {
		return nil
	}
	return s.env.Summary(attestSummary(res))
}

func idString(id int64) string {
	if id == 0 {
		return ""
	}
	return strconv.FormatInt(id, 10)
}
