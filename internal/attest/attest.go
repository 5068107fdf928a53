package attest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/provenant/provenant/internal/atomicfile"
	"github.com/provenant/provenant/internal/config"
	"github.com/provenant/provenant/internal/ghctx"
	"github.com/provenant/provenant/internal/input"
	"github.com/provenant/provenant/internal/oidc"
	"github.com/provenant/provenant/internal/provenance"
	"github.com/provenant/provenant/internal/subject"
)

// Environment is what a front end knows about the run it is part of.
type Environment struct {
	// Workspace is the absolute workspace directory.
	Workspace string
	// ServerURL is the GitHub server, e.g. https://github.com.
	ServerURL string
	// Event is the webhook payload, or nil.
	Event json.RawMessage
	// Getenv reads the runner environment, for the forged-environment check.
	Getenv func(string) string
	// Token fetches an OIDC token for an audience.
	Token func(ctx context.Context, audience string) (string, error)
}

// Result is what Run produced.
type Result struct {
	Subjects       []subject.Subject
	Statement      []byte
	PredicateType  string
	ProvenanceName string
	// StatementPath is the workspace-relative path of the written statement;
	// empty for a dry run.
	StatementPath string
	Context       ghctx.Context
}

type options struct {
	now      func() time.Time
	progress func(subject.Progress)
	verifier []oidc.Option
}

// Option configures Run.
type Option func(*options)

// WithClock sets the clock. The default is time.Now.
func WithClock(now func() time.Time) Option { return func(o *options) { o.now = now } }

// WithProgress receives hashing progress. The default discards it.
func WithProgress(f func(subject.Progress)) Option { return func(o *options) { o.progress = f } }

// WithVerifierOptions adds options for the OIDC token verifier, after the
// ones derived from the configuration.
func WithVerifierOptions(opts ...oidc.Option) Option {
	return func(o *options) { o.verifier = append(o.verifier, opts...) }
}

// Run resolves the subjects, verifies the run's identity and builds the
// statement; unless cfg.DryRun, it writes the statement. Nothing is written
// when any step fails.
func Run(ctx context.Context, cfg *config.Config, env Environment, opts ...Option) (*Result, error) {
	o := options{now: time.Now}
	for _, opt := range opts {
		opt(&o)
	}
	started := o.now()
	subjects, err := ResolveSubjects(ctx, cfg, env.Workspace, o.progress)
	if err != nil {
		return nil, err
	}
	gc, err := Identify(ctx, cfg, env, o.verifier...)
	if err != nil {
		return nil, err
	}
	gc.StartedOn = started
	res, err := build(cfg, gc, subjects)
	if err != nil {
		return nil, err
	}
	if cfg.DryRun {
		return res, nil
	}
	if err := write(cfg, env.Workspace, res); err != nil {
		return nil, err
	}
	return res, nil
}

// ResolveSubjects turns the subject inputs into subjects.
func ResolveSubjects(ctx context.Context, cfg *config.Config, workspace string, progress func(subject.Progress)) ([]subject.Subject, error) {
	sopts := []subject.Option{subject.WithWorkspace(workspace)}
	if progress != nil {
		sopts = append(sopts, subject.WithProgress(progress))
	}
	subjects, err := subject.Resolve(ctx, cfg.Subjects, sopts...)
	if err != nil {
		return nil, err
	}
	if len(subjects) == 0 {
		return nil, &input.Error{Name: "subject-path", Reason: "the subject inputs resolved to no subjects"}
	}
	return subjects, nil
}

// Identify fetches and verifies the OIDC token and checks the environment
// and event payload against its claims.
func Identify(ctx context.Context, cfg *config.Config, env Environment, extra ...oidc.Option) (ghctx.Context, error) {
	vopts, err := verifierOptions(cfg, env.ServerURL)
	if err != nil {
		return ghctx.Context{}, err
	}
	v, err := oidc.NewVerifier(append(vopts, extra...)...)
	if err != nil {
		return ghctx.Context{}, err
	}
	tok, err := env.Token(ctx, oidc.Audience)
	if err != nil {
		return ghctx.Context{}, err
	}
	claims, err := v.Verify(ctx, tok)
	if err != nil {
		return ghctx.Context{}, err
	}
	getenv := env.Getenv
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	if err := errors.Join(ghctx.CheckEnv(claims, getenv), ghctx.CheckEvent(claims, env.Event)); err != nil {
		return ghctx.Context{}, err
	}
	gc := ghctx.Context{ServerURL: ghctx.TrimServerURL(env.ServerURL), Claims: claims, Event: env.Event}
	if err := gc.Validate(); err != nil {
		return ghctx.Context{}, err
	}
	return gc, nil
}

func verifierOptions(cfg *config.Config, serverURL string) ([]oidc.Option, error) {
	if cfg.OIDCIssuer != "" {
		return []oidc.Option{oidc.WithIssuer(cfg.OIDCIssuer)}, nil
	}
	iss, err := oidc.DefaultIssuer(serverURL)
	if err != nil {
		return nil, err
	}
	return []oidc.Option{oidc.WithDefaultIssuer(iss)}, nil
}

func build(cfg *config.Config, gc ghctx.Context, subjects []subject.Subject) (*Result, error) {
	popts, err := predicateOptions(cfg, gc)
	if err != nil {
		return nil, err
	}
	ps := make([]provenance.Subject, len(subjects))
	names := make([]string, len(subjects))
	for i, s := range subjects {
		ps[i] = provenance.Subject{Name: s.Name, Digest: s.Digest}
		names[i] = s.Name
	}
	st, err := provenance.Build(gc, ps, popts)
	if err != nil {
		return nil, err
	}
	name := cfg.ProvenanceName
	if name == "" {
		name = config.DefaultProvenanceName(names)
	}
	pt := provenance.PredicateV1
	if popts.Version == provenance.V02 {
		pt = provenance.PredicateV02
	}
	return &Result{Subjects: subjects, Statement: st, PredicateType: pt, ProvenanceName: name, Context: gc}, nil
}

// predicateOptions decides which optional, possibly private, facts go in.
func predicateOptions(cfg *config.Config, gc ghctx.Context) (provenance.Options, error) {
	o := provenance.Options{Version: cfg.PredicateVersion, Vars: cfg.Vars, RedactEventPayload: cfg.RedactEventPayload}
	if o.Version == "" {
		o.Version = provenance.V1
	}
	inputs := cfg.WorkflowInputs
	if inputs == nil {
		ev, err := gc.EventInputs()
		if err != nil {
			return o, err
		}
		inputs = ev
	}
	switch {
	case cfg.IncludeInputs:
		o.Inputs = inputs
	case o.Version == provenance.V02 && !cfg.RedactEventPayload:
		// slsa-github-generator records workflow_dispatch inputs always.
		o.Inputs = inputs
	}
	return o, nil
}

func write(cfg *config.Config, workspace string, res *Result) error {
	dir := cfg.OutputDir
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(workspace, dir)
	}
	stem := res.ProvenanceName[:len(res.ProvenanceName)-len(".intoto.jsonl")]
	p := filepath.Join(dir, stem+".statement.json")
	if err := atomicfile.Write(p, append(res.Statement, '\n'), true); err != nil {
		return fmt.Errorf("writing the statement: %w", err)
	}
	rel, err := filepath.Rel(workspace, p)
	if err != nil {
		rel = p
	}
	res.StatementPath = filepath.ToSlash(rel)
	return nil
}
