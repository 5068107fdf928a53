package verifier

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/provenant/provenant/internal/intoto"
	"github.com/provenant/provenant/internal/policy"
	"github.com/provenant/provenant/internal/sink/oci"
	"github.com/provenant/provenant/internal/timing"
	"github.com/provenant/provenant/internal/verify"
)

// Config is one verification run.
type Config struct {
	// Targets are artifact files and images (oci://REGISTRY/REPO@sha256:HEX).
	Targets []string
	// Digests are artifacts given by digest alone ("sha256:HEX"), checked
	// before the targets.
	Digests []string
	// Attestations are paths of .intoto.jsonl and .sigstore.json files.
	// Without any, the attestations of each image are fetched from its
	// registry.
	Attestations []string
	// Roots are the trusted roots; the first that accepts a bundle wins.
	Roots []verify.Root
	// Policy is what an attestation must show.
	Policy policy.Policy
	// RekorURL is the Rekor v1 log in which the entries of
	// slsa-github-generator v1 lines are looked up. Without it, the logs
	// the trusted roots name (tlogs[].baseUrl) are searched.
	RekorURL string
	// Offline looks nothing up: slsa-github-generator v1 lines are then
	// refused, as their log entries cannot be fetched.
	Offline bool
	// GitHub, when set and no Attestations are given, is where the
	// attestations of each artifact are listed, instead of its registry
	// for images.
	GitHub *GitHubSource
}

// Report is the outcome of a run.
type Report struct {
	// Verified is true when every artifact verified.
	Verified  bool      `json:"verified"`
	Artifacts []Verdict `json:"artifacts"`
}

// Verdict is the outcome for one artifact.
type Verdict struct {
	Name        string             `json:"name"`
	Digest      string             `json:"digest"`
	Verified    bool               `json:"verified"`
	Attestation string             `json:"attestation,omitempty"`
	Root        string             `json:"trustedRoot,omitempty"`
	Provenance  *policy.Provenance `json:"provenance,omitempty"`
	Checks      []policy.Check     `json:"checks,omitempty"`
	Refusals    []Refusal          `json:"refusals,omitempty"`
	// Warnings are about the verified attestation, e.g. a predicate that
	// could not be cross-checked with the certificate.
	Warnings []string `json:"warnings,omitempty"`
	// Statement is the verified in-toto statement JSON.
	Statement []byte `json:"-"`
}

// Refusal is why one attestation did not do for an artifact.
type Refusal struct {
	Attestation string `json:"attestation"`
	Reason      string `json:"reason"`
}

// Fetcher finds the attestations attached to an image.
type Fetcher func(ctx context.Context, ref string) ([]oci.Found, error)

// Option configures Run.
type Option func(*options) error

type options struct {
	fetch  Fetcher
	client *http.Client
	sleep  func(context.Context, time.Duration) error
}

// WithFetcher sets how the attestations of an image are found. The
// default is oci.Fetch with its defaults.
func WithFetcher(f Fetcher) Option {
	return func(o *options) error { o.fetch = f; return nil }
}

// WithHTTPClient sets the client for Rekor lookups, and its transport for
// the GitHub API. The default is a client with a 30s timeout.
func WithHTTPClient(c *http.Client) Option {
	return func(o *options) error {
		if c == nil {
			return errors.New("WithHTTPClient: the client is nil")
		}
		o.client = c
		return nil
	}
}

// WithSleep sets how the GitHub API client waits between retries. The
// default waits for real, ending early with the context.
func WithSleep(sleep func(context.Context, time.Duration) error) Option {
	return func(o *options) error { o.sleep = sleep; return nil }
}

// Run verifies every artifact of cfg. An error means the run could not
// start (bad input, unreadable files); refusals are in the Report.
func Run(ctx context.Context, cfg Config, opts ...Option) (*Report, error) {
	o := options{
		fetch:  func(ctx context.Context, ref string) ([]oci.Found, error) { return oci.Fetch(ctx, ref) },
		client: &http.Client{Timeout: 30 * time.Second},
	}
	for _, opt := range opts {
		if err := opt(&o); err != nil {
			return nil, err
		}
	}
	var lister *githubLister
	if cfg.GitHub != nil && len(cfg.Attestations) == 0 {
		var err error
		if lister, err = newGitHubLister(cfg.GitHub, o.client.Transport, o.sleep); err != nil {
			return nil, err
		}
	}
	end := timing.Start(ctx, "artifacts")
	arts, err := find(ctx, cfg, o.fetch, lister)
	end()
	if err != nil {
		return nil, err
	}
	rk := &rekor{client: o.client, urls: logURLs(cfg.RekorURL, cfg.Roots), offline: cfg.Offline, done: map[string]resolved{}}
	rep := &Report{Verified: true}
	vc := newVerdictCache(cfg.Roots, cfg.Policy)
	for _, a := range arts {
		v := check(ctx, a, vc, rk)
		rep.Verified = rep.Verified && v.Verified
		rep.Artifacts = append(rep.Artifacts, v)
	}
	return rep, nil
}

// check tries every candidate bundle for the artifact; the first that
// verifies and satisfies the policy wins. Otherwise every refusal is kept.
func check(ctx context.Context, a artifact, vc *verdictCache, rk *rekor) Verdict {
	v := Verdict{Name: a.name, Digest: a.digest.String(), Refusals: a.unusable}
	for _, c := range a.candidates {
		bv := vc.get(ctx, c.JSON, rk)
		where := c.Where + bv.entry
		if bv.err != nil {
			v.Refusals = append(v.Refusals, Refusal{Attestation: where, Reason: bv.err.Error()})
			continue
		}
		got, err := bv.verified.For(a.digest)
		if err != nil {
			v.Refusals = append(v.Refusals, Refusal{Attestation: where, Reason: err.Error()})
			continue
		}
		if bv.refused != "" {
			v.Refusals = append(v.Refusals, Refusal{Attestation: where, Reason: bv.refused})
			continue
		}
		pv := bv.policy
		prov := pv.Provenance
		prov.Subjects = bv.naming(a.digest)
		v.Verified, v.Attestation, v.Root = true, where, got.Root
		v.Provenance, v.Checks, v.Statement, v.Warnings = &prov, pv.Checks, got.Statement, pv.Warnings
		v.Refusals = nil
		return v
	}
	return v
}

// verdictCache verifies each bundle once and judges it under the policy
// once, however many artifacts it is a candidate for: neither depends on
// the artifact, only Verified.For does. With one .intoto.jsonl naming
// 1,000 artifacts, verifying per artifact made the run quadratic in time
// and memory (each verdict held its own parse of the whole statement).
type verdictCache struct {
	roots  []verify.Root
	policy policy.Policy
	byJSON map[string]*bundleVerdict
	// bySlice finds a bundle again by its bytes' address and length, so
	// that a bundle the index hands to every artifact is not hashed whole
	// as a map key for each of them: with one bundle naming n artifacts,
	// that alone was quadratic.
	bySlice map[sliceKey]*bundleVerdict
	// verify is verify.VerifyBundle; tests count the calls.
	verify func(bundleJSON []byte, roots []verify.Root, opts ...verify.Option) (*verify.Verified, error)
}

// bundleVerdict is the outcome for one bundle: the error joining it with
// its log entry or verifying it, or the verified bundle and the policy's
// verdict, with the failed checks joined in refused.
type bundleVerdict struct {
	entry    string // " with " and the log entry a slsa-github-generator v1 line was joined with
	err      error
	verified *verify.Verified
	policy   *policy.Verdict
	refused  string
	// subjects indexes the statement's subjects by each of their digests,
	// built on first use: a verdict lists only the subjects that name its
	// artifact, and scanning every subject per artifact would make n
	// artifacts of one statement quadratic again.
	subjects map[intoto.Digest][]intoto.Subject
}

// naming returns the statement's subjects that have the digest d.
func (bv *bundleVerdict) naming(d intoto.Digest) []intoto.Subject {
	if bv.subjects == nil {
		bv.subjects = map[intoto.Digest][]intoto.Subject{}
		for _, s := range bv.policy.Provenance.Subjects {
			for alg, hex := range s.Digest {
				k := intoto.Digest{Alg: alg, Hex: strings.ToLower(hex)}
				bv.subjects[k] = append(bv.subjects[k], s)
			}
		}
	}
	return bv.subjects[intoto.Digest{Alg: d.Alg, Hex: strings.ToLower(d.Hex)}]
}

// sliceKey is a byte slice's identity: the address of its first byte
// (which keeps the bytes alive) and its length.
type sliceKey struct {
	first *byte
	n     int
}

func newVerdictCache(roots []verify.Root, pol policy.Policy) *verdictCache {
	return &verdictCache{
		roots: roots, policy: pol, verify: verify.VerifyBundle,
		byJSON: map[string]*bundleVerdict{}, bySlice: map[sliceKey]*bundleVerdict{},
	}
}

// get returns the verdict on the bundle, computing it the first time;
// bundles are told apart by their content. A slsa-github-generator v1
// line is first joined with its log entry, looked up in rk.
func (vc *verdictCache) get(ctx context.Context, bundleJSON []byte, rk *rekor) *bundleVerdict {
	var sk sliceKey
	if len(bundleJSON) > 0 {
		sk = sliceKey{&bundleJSON[0], len(bundleJSON)}
		if bv, ok := vc.bySlice[sk]; ok {
			return bv
		}
	}
	bv, ok := vc.byJSON[string(bundleJSON)]
	if sk.n > 0 {
		defer func() { vc.bySlice[sk] = bv }()
	}
	if ok {
		return bv
	}
	bv = &bundleVerdict{}
	vc.byJSON[string(bundleJSON)] = bv
	if verify.IsLegacy(bundleJSON) {
		end := timing.Start(ctx, "rekor lookup")
		b, entry, err := rk.resolve(ctx, bundleJSON)
		end()
		if err != nil {
			bv.err = err
			return bv
		}
		bundleJSON, bv.entry = b, " with "+entry
	}
	end := timing.Start(ctx, "verify bundle")
	bv.verified, bv.err = vc.verify(bundleJSON, vc.roots, verify.WithoutIdentityUnsafe())
	end()
	if bv.err != nil {
		return bv
	}
	pv := policy.Evaluate(vc.policy, bv.verified.Evidence())
	bv.policy = &pv
	if !pv.OK() {
		var reasons []string
		for _, f := range pv.Failed() {
			reasons = append(reasons, f.Name+": "+f.Detail)
		}
		bv.refused = strings.Join(reasons, "; ")
	}
	return bv
}
