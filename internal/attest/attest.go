package attest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/provenant/provenant/internal/config"
	"github.com/provenant/provenant/internal/ghctx"
	"github.com/provenant/provenant/internal/input"
	"github.com/provenant/provenant/internal/intoto"
	"github.com/provenant/provenant/internal/oidc"
	"github.com/provenant/provenant/internal/signing"
	"github.com/provenant/provenant/internal/sink"
	"github.com/provenant/provenant/internal/subject"
	"github.com/provenant/provenant/internal/timing"
	"github.com/provenant/provenant/internal/verify"
)

// Environment is what a front end knows about the run it is part of.
type Environment struct {
	// Workspace is the absolute workspace directory.
	Workspace string
	// AbsolutePaths lets absolute paths in the inputs name files outside
	// the workspace: the command line outside GitHub Actions.
	AbsolutePaths bool
	// Container says provenant runs as a container action (see
	// input.Workspace).
	Container bool
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

// Stored is one place a copy of an attestation was stored.
type Stored = sink.Stored

// Result is what Run produced. Run assembles it at the end from the
// values its stages returned.
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
	// Warnings are problems that did not fail the run; Notices are things
	// deliberately not done (an upload skipped on a branch).
	Warnings []string
	Notices  []string
	Identity verify.Identity
	// Instance names the Sigstore instance that signed; InstanceReason
	// says why it was chosen, e.g. "repository is private".
	Instance       string
	InstanceReason string
	Context        ghctx.Context
}

type options struct {
	now      func() time.Time
	progress func(subject.Progress)
	verifier []oidc.Option
	signer   func(signing.Services, *signing.Instance, string) (signing.Signer, error)
	instance []signing.InstanceOption
	sinks    []sink.Interface
}

// Option configures Run.
type Option func(*options) error

// WithClock sets the clock. The default is time.Now.
func WithClock(now func() time.Time) Option {
	return func(o *options) error { o.now = now; return nil }
}

// WithProgress receives hashing progress. The default discards it.
func WithProgress(f func(subject.Progress)) Option {
	return func(o *options) error { o.progress = f; return nil }
}

// WithVerifierOptions adds options for the OIDC token verifier, after the
// ones derived from the configuration.
func WithVerifierOptions(opts ...oidc.Option) Option {
	return func(o *options) error { o.verifier = append(o.verifier, opts...); return nil }
}

// WithSigner sets the signer. The default is signing.New: an ephemeral key,
// a certificate from the instance's Fulcio, and its logs and timestamp
// authorities. Whatever signs, every bundle is verified against the
// instance's trusted root before anything is written.
func WithSigner(s signing.Signer) Option {
	return func(o *options) error {
		if s == nil {
			return errors.New("attest.WithSigner: nil signer")
		}
		o.signer = func(signing.Services, *signing.Instance, string) (signing.Signer, error) { return s, nil }
		return nil
	}
}

// WithInstanceOptions adds options for loading the Sigstore instance, such
// as the TUF repository (signing.WithTUF) or the signing config
// (signing.WithSigningConfig) of a built-in instance, for tests. The
// default adds none: the built-in TUF repositories and endpoints.
func WithInstanceOptions(opts ...signing.InstanceOption) Option {
	return func(o *options) error { o.instance = append(o.instance, opts...); return nil }
}

// WithSinks adds sinks that get every attestation after the configured
// ones. The default adds none.
func WithSinks(s ...sink.Interface) Option {
	return func(o *options) error { o.sinks = append(o.sinks, s...); return nil }
}

func makeOptions(opts []Option) (options, error) {
	o := options{now: time.Now, signer: keyless}
	for _, opt := range opts {
		if err := opt(&o); err != nil {
			return o, err
		}
	}
	return o, nil
}

// Run is the attest pipeline. Each stage takes what it needs and returns a
// value: subjects → identity → statements → signed bundles → files →
// stored copies. Unless cfg.DryRun it signs every statement, verifies each
// bundle against the trusted root and the identity, and only then writes
// the files, all or none, and delivers them. Nothing is written when any
// stage before delivery fails.
func Run(ctx context.Context, cfg *config.Config, env Environment, opts ...Option) (*Result, error) {
	o, err := makeOptions(opts)
	if err != nil {
		return nil, err
	}
	started := o.now()
	if err := cfg.CheckFiles(env.Paths()); err != nil {
		return nil, err
	}
	if err := checkURLs(env); err != nil {
		return nil, err
	}
	end := timing.Start(ctx, "subjects")
	subjects, err := ResolveSubjects(ctx, cfg.Subjects, env.Paths(), o.progress)
	end()
	if err != nil {
		return nil, err
	}
	end = timing.Start(ctx, "token")
	id, err := identify(ctx, identityInput{issuer: cfg.OIDCIssuer, env: env}, o.verifier...)
	end()
	if err != nil {
		return nil, err
	}
	if err := ghctx.CheckIssuer(env.ServerURL, id.gc.Claims.Issuer); err != nil {
		return nil, err
	}
	id.gc.StartedOn = started
	reg := newRegistries(cfg.Delivery, id.gc.Claims.Actor, subject.ImageRefs(cfg.Subjects))
	images, subjects, err := reg.expand(ctx, cfg.Delivery.AttestPlatforms, subjects)
	if err != nil {
		return nil, err
	}
	end = timing.Start(ctx, "statements")
	sts, err := buildStatements(id.gc, subjects, statementInput(cfg))
	end()
	if err != nil || cfg.DryRun {
		return dryRun(sts, subjects, images, id.gc), err
	}
	end = timing.Start(ctx, "instance")
	inst, why, err := chooseInstance(ctx, instanceInputOf(cfg), env, id.gc, o.instance...)
	end()
	if err != nil {
		return nil, err
	}
	signed, err := signAll(ctx, o, inst, id, sts, cfg.RekorVersion)
	if err != nil {
		return nil, err
	}
	att := attestation(provenanceName(cfg.ProvenanceName, subjects), signed, subjects)
	end = timing.Start(ctx, "write")
	files, err := writeFiles(outputDir(env.Workspace, cfg.OutputDir), env.Workspace, att, cfg.OverwriteFiles)
	end()
	if err != nil {
		return nil, err
	}
	sinks, err := configuredSinks(cfg.Delivery, env, id.gc, inst, reg, images)
	if err != nil {
		return nil, withFiles(err, files)
	}
	delivered, derr := deliver(ctx, append(sinks, o.sinks...), att)
	res := assemble(sts, subjects, images, id, inst, signed, files, delivered)
	res.InstanceReason = why
	if derr != nil {
		return res, withFiles(derr, files)
	}
	return res, nil
}

// checkURLs checks, before any request, that the GitHub URLs the
// environment gives are https (or loopback, for tests) and that the API
// belongs to the server, so that the GitHub token goes nowhere else. That
// the server belongs to the token is checked once the token is verified.
func checkURLs(env Environment) error {
	if _, err := ghctx.ServiceURL("the GitHub server URL (GITHUB_SERVER_URL)", env.ServerURL); err != nil {
		return err
	}
	if env.APIURL == "" {
		return nil
	}
	return ghctx.CheckAPIURL(env.ServerURL, env.APIURL)
}

// withFiles adds to a delivery error that the verified files were written.
func withFiles(err error, f written) error {
	return fmt.Errorf("%w (the signed, verified files were written: %s)", err, f.provenancePath)
}

// Paths is how the environment confines the paths in the inputs.
func (e Environment) Paths() input.Workspace {
	return input.Workspace{Dir: e.Workspace, AllowAbsolute: e.AbsolutePaths, Container: e.Container}
}

// ResolveSubjects turns the subject inputs into subjects, reading input
// files only where ws allows.
func ResolveSubjects(ctx context.Context, in subject.Inputs, ws input.Workspace, progress func(subject.Progress)) ([]intoto.Subject, error) {
	sopts := []subject.Option{subject.WithPaths(ws)}
	if progress != nil {
		sopts = append(sopts, subject.WithProgress(progress))
	}
	subjects, err := subject.Resolve(ctx, in, sopts...)
	if err != nil {
		return nil, err
	}
	if len(subjects) == 0 {
		return nil, &input.Error{Name: "subject-path", Reason: "the subject inputs resolved to no subjects"}
	}
	return subjects, nil
}
