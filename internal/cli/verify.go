package cli

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/provenant/provenant/internal/config"
	"github.com/provenant/provenant/internal/policy"
	"github.com/provenant/provenant/internal/timing"
	"github.com/provenant/provenant/internal/verifier"
)

const verifySynopsis = `  provenant verify FILE... --provenance-path NAME.intoto.jsonl --source-uri github.com/OWNER/REPO [flags]
  provenant verify --digest sha256:HEX --bundle NAME.sigstore.json --source-uri ... [flags]
  provenant verify oci://REGISTRY/REPO@sha256:HEX --source-uri ... [flags]

Verifies that each artifact is covered by an attestation whose signature,
certificate chain, transparency log entry and timestamps hold under the
trusted root, and whose certificate and SLSA provenance satisfy the policy
(source repository, ref, builder, ...). The predicate must agree with the
certificate. Exit 0 only when every artifact verifies.`

type verifyFlags struct {
	provenance, bundles, digests, roots, inputs, predicateTypes []string
	sigstore, format, printTo                                   string
	sourceURI, sourceRef, sourceTag, sourceBranch, versionedTag string
	builderID, signerWorkflow, issuer                           string
	repo, owner, rekorURL                                       string
	anySource, denySelfHosted, knownBuildType, offline, timings bool
}

// verifyOptions reads verify's options from src, with the table's defaults.
type verifyOptions struct {
	src   config.Source
	specs []config.Spec
	errs  []error
}

func (o *verifyOptions) str(name string) string {
	if v, ok := o.src(name); ok {
		return strings.TrimSpace(v)
	}
	for _, sp := range o.specs {
		if sp.Name == name {
			return sp.Default
		}
	}
	return ""
}

func (o *verifyOptions) list(name string) []string {
	v, ok := o.src(name)
	if !ok {
		return nil
	}
	var out []string
	for _, l := range strings.Split(v, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

func (o *verifyOptions) boolean(name string) bool {
	b, err := strconv.ParseBool(o.str(name))
	if err != nil {
		o.errs = append(o.errs, fmt.Errorf("--%s=%s: want true or false", name, o.str(name)))
	}
	return b
}

func verifyFlagsFrom(src config.Source) (verifyFlags, error) {
	o := &verifyOptions{src: src, specs: config.Verify}
	f := verifyFlags{
		provenance: o.list("provenance-path"), bundles: o.list("bundle"), digests: o.list("digest"),
		roots: o.list("trusted-root"), inputs: o.list("build-workflow-input"), predicateTypes: o.list("predicate-type"),
		sigstore: o.str("sigstore"), format: o.str("format"), printTo: o.str("print-provenance"),
		sourceURI: o.str("source-uri"), sourceRef: o.str("source-ref"), sourceTag: o.str("source-tag"),
		sourceBranch: o.str("source-branch"), versionedTag: o.str("source-versioned-tag"), builderID: o.str("builder-id"), signerWorkflow: o.str("signer-workflow"),
		issuer: o.str("cert-oidc-issuer"), anySource: o.boolean("insecure-any-source"),
		denySelfHosted: o.boolean("deny-self-hosted-runners"), knownBuildType: o.boolean("require-known-build-type"),
		repo: o.str("repo"), owner: o.str("owner"), rekorURL: o.str("rekor-url"), offline: o.boolean("offline"),
		timings: o.boolean("timings"),
	}
	return f, errors.Join(o.errs...)
}

// policy builds the policy; host is the GitHub server's host, which
// --repo and --owner name repositories on.
func (f *verifyFlags) policy(host string) (policy.Policy, error) {
	p := policy.Policy{SourceURI: f.sourceURI, AnySource: f.anySource, BuilderID: f.builderID, SourceVersionedTag: f.versionedTag,
		SignerWorkflow: f.signerWorkflow, Issuer: f.issuer, DenySelfHosted: f.denySelfHosted,
		RequireKnownBuildType: f.knownBuildType}
	switch {
	case f.repo != "" && f.owner != "":
		return p, errors.New("give --repo or --owner, not both")
	case f.repo != "" && (strings.Count(f.repo, "/") != 1 || strings.HasPrefix(f.repo, "/") || strings.HasSuffix(f.repo, "/")):
		return p, fmt.Errorf("--repo %q: want OWNER/REPO", f.repo)
	case f.owner != "" && strings.Contains(f.owner, "/"):
		return p, fmt.Errorf("--owner %q: want an organization or user name", f.owner)
	case p.SourceURI == "" && f.repo != "":
		p.SourceURI = host + "/" + f.repo
	case p.SourceURI == "" && f.owner != "":
		p.SourceOwner = host + "/" + f.owner
	}
	if (f.repo != "" || f.owner != "") && p.SignerWorkflow == "" && p.BuilderID == "" {
		// As gh: the signer must be a workflow of the repository (or
		// owner) unless another signer is named.
		p.SignerRepository = host + "/" + f.repo + f.owner
	}
	refs := 0
	for _, r := range []struct{ v, prefix string }{{f.sourceRef, ""}, {f.sourceTag, "refs/tags/"}, {f.sourceBranch, "refs/heads/"}} {
		if r.v != "" {
			refs++
			p.SourceRef = r.prefix + r.v
		}
	}
	if refs > 1 {
		return p, errors.New("give at most one of --source-ref, --source-tag and --source-branch")
	}
	for _, t := range f.predicateTypes {
		u, err := policy.PredicateType(t)
		if err != nil {
			return p, fmt.Errorf("--predicate-type: %w", err)
		}
		p.PredicateTypes = append(p.PredicateTypes, u)
	}
	for _, kv := range f.inputs {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return p, fmt.Errorf("--build-workflow-input %q: want KEY=VALUE", kv)
		}
		if p.WorkflowInputs == nil {
			p.WorkflowInputs = map[string]string{}
		}
		p.WorkflowInputs[k] = v
	}
	return p, policyUsage(p.Validate())
}

func runVerify(ctx context.Context, s *session, args []string) error {
	src, targets, err := parseFlags(s, config.CmdVerify, verifySynopsis, config.Verify, args)
	if err != nil {
		return err
	}
	f, err := verifyFlagsFrom(src)
	if err != nil {
		return usageError{err}
	}
	ctx, printTimings := s.timings(ctx, f.timings)
	defer printTimings()
	if f.format != "text" && f.format != "json" {
		return usageError{fmt.Errorf("--format is %q; use text or json", f.format)}
	}
	pol, err := f.policy(serverHost(s.env.ServerURL()))
	if err != nil {
		return usageError{err}
	}
	gh, err := f.gitHubSource(s)
	if err != nil {
		return usageError{err}
	}
	end := timing.Start(ctx, "trusted roots")
	roots, err := verifier.Roots(ctx, verifier.RootSource{Paths: f.roots, Sigstore: f.sigstore, CacheDir: tufCache()})
	end()
	if err != nil {
		return f.rootsUsage(err)
	}
	cfg := verifier.Config{Targets: targets, Digests: f.digests, Roots: roots, Policy: pol,
		Attestations: append(append([]string{}, f.provenance...), f.bundles...),
		RekorURL:     f.rekorURL, Offline: f.offline, GitHub: gh}
	if warn := looseSource(pol); warn != "" {
		fmt.Fprintln(s.Stderr, "provenant verify: warning: "+warn)
	}
	rep, err := verifier.Run(ctx, cfg)
	if err != nil {
		return runUsage(err)
	}
	return report(s, f, rep)
}

// looseSource warns when the repository is the only constraint on the
// build: then any workflow of it, on any ref (a pull request's branch
// included), is accepted.
func looseSource(p policy.Policy) string {
	if p.SourceURI == "" || p.SourceRef != "" || p.SourceVersionedTag != "" || p.BuilderID != "" || p.SignerWorkflow != "" {
		return ""
	}
	return fmt.Sprintf("only --source-uri %s constrains the build: any workflow of that repository on any ref is accepted; "+
		"add --source-ref (or --source-tag / --source-branch), --builder-id or --signer-workflow", p.SourceURI)
}

// gitHubSource is where --repo or --owner list attestations, when no
// attestation file is given; nil otherwise. The token comes from GH_TOKEN
// or GITHUB_TOKEN, as gh takes it, and goes nowhere but the API client.
func (f *verifyFlags) gitHubSource(s *session) (*verifier.GitHubSource, error) {
	if (f.repo == "" && f.owner == "") || len(f.provenance)+len(f.bundles) > 0 {
		return nil, nil
	}
	if f.offline {
		return nil, errors.New("--offline with --repo/--owner: give the attestations with --provenance-path or --bundle")
	}
	token := s.Getenv("GH_TOKEN")
	if token == "" {
		token = s.Getenv("GITHUB_TOKEN")
	}
	if token == "" {
		return nil, errors.New("--repo/--owner list attestations through the GitHub API: set GH_TOKEN or GITHUB_TOKEN to a token that can read the repository")
	}
	return &verifier.GitHubSource{APIURL: s.env.APIURL(), Token: token, Repo: f.repo, Owner: f.owner}, nil
}

// serverHost is the host of GITHUB_SERVER_URL, as policies name
// repositories (github.com/OWNER/REPO).
func serverHost(serverURL string) string {
	if u, err := url.Parse(serverURL); err == nil && u.Host != "" {
		return u.Host
	}
	return "github.com"
}
