package attest

import (
	"context"
	"encoding/json"
	"fmt"
	"github.com/provenant/provenant/internal/intoto"
	"time"

	"github.com/provenant/provenant/internal/config"
	"github.com/provenant/provenant/internal/ghctx"
	"github.com/provenant/provenant/internal/input"
	"github.com/provenant/provenant/internal/oidc"
	"github.com/provenant/provenant/internal/subject"
	"github.com/provenant/provenant/internal/verify"
)

// Environment is what a front end knows about the run it is part of.
type Environment struct {
	// Workspace is the absolute workspace directory.
	Workspace string
	// TempDir is a directory for caches (the runner's temp dir).
	TempDir string
	// APIURL is the GitHub REST API, e.g. https://api.github.com.
	APIURL string
	// ServerURL is the GitHub server, e.g. https://github.com.
	ServerURL string
	// Event is the webhook payload, or nil.
	Event json.RawMessage
	// Getenv reads the runner environment, for the forged-environment check.
	Getenv func(string) string
	// Token fetches an OIDC token for an audience.
	Token func(ctx context.Context, audience string) (string, error)
}

// Bundle is one signed, verified attestation.
type Bundle struct {
	JSON []byte
	// Path is the workspace-relative path of its .sigstore.json file.
	Path string
	// Digest is "sha256:<hex>" of JSON.
	Digest string
	// LogIndex is the transparency log index, or -1 without a log.
	LogIndex int64
	// LogURL is where the entry can be looked up, or "".
	LogURL string
}

// Result is what Run produced.
type Result struct {
	Subjects      []intoto.Subject
	Statements    [][]byte
	PredicateType string
	// ProvenanceName is the .intoto.jsonl file name; ProvenancePath its
	// workspace-relative path once written.
	ProvenanceName string
	ProvenancePath string
	Bundles        []Bundle
	// Images are the image references the attestation covers and, with
	// push-to-registry, is attached to.
	Images []string
	// Stored lists every place a copy was stored, files first.
	Stored []Stored
	// ReleaseID is the release that got the assets, or 0.
	ReleaseID int64
	// AttestationID and AttestationURL name the first copy stored with
	// the GitHub attestations API, if any.
	AttestationID  int64
	AttestationURL string
	// Warnings are problems that did not fail the run.
	Warnings []string
	Identity verify.Identity
	Instance string
	Context  ghctx.Context
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
// statement; unless cfg.DryRun it signs it, verifies the bundle against the
// trusted root and the identity, and only then writes the files. Nothing is
// written when any step fails.
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
	gc, token, err := identify(ctx, cfg, env, o.verifier...)
	if err != nil {
		return nil, err
	}
	gc.StartedOn = started
	images, subjects, err := imageRefs(ctx, cfg, gc.Claims.Actor, subjects)
	if err != nil {
		return nil, err
	}
	res, err := build(cfg, gc, subjects)
	if err != nil || cfg.DryRun {
		return res, err
	}
	res.Images = images
	if err := allowVisibility(cfg, gc); err != nil {
		return nil, err
	}
	inst, err := loadInstance(cfg, env)
	if err != nil {
		return nil, err
	}
	if err := signAll(ctx, inst, token, res, o.now()); err != nil {
		return nil, err
	}
	if err := write(cfg, env.Workspace, res); err != nil {
		return nil, err
	}
	if err := deliver(ctx, cfg, env, inst, res); err != nil {
		return res, fmt.Errorf("%w (the signed, verified files were written: %s)", err, res.ProvenancePath)
	}
	return res, nil
}

// ResolveSubjects turns the subject inputs into subjects.
func ResolveSubjects(ctx context.Context, cfg *config.Config, workspace string, progress func(subject.Progress)) ([]intoto.Subject, error) {
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
