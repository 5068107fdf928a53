package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/provenant/provenant/internal/policy"
	"github.com/provenant/provenant/internal/verifier"
)

const verifyUsage = `Usage:
  provenant verify FILE... --provenance-path NAME.intoto.jsonl --source-uri github.com/OWNER/REPO [flags]
  provenant verify --digest sha256:HEX --bundle NAME.sigstore.json --source-uri ... [flags]
  provenant verify oci://REGISTRY/REPO@sha256:HEX --source-uri ... [flags]

Verifies that each artifact is covered by an attestation whose signature,
certificate chain, transparency log entry and timestamps hold under the
trusted root, and whose certificate and SLSA provenance satisfy the policy
(source repository, ref, builder, ...). The predicate must agree with the
certificate. Exit 0 only when every artifact verifies.

Flags:`

// multiFlag collects a repeatable flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(s string) error { *m = append(*m, s); return nil }

type verifyFlags struct {
	provenance, bundles, digests, roots, inputs, predicateTypes multiFlag
	sigstore, format, printTo                                   string
	sourceURI, sourceRef, sourceTag, sourceBranch               string
	builderID, signerWorkflow, issuer                           string
	anySource, denySelfHosted                                   bool
}

func (f *verifyFlags) register(fs *flag.FlagSet) {
	fs.Var(&f.provenance, "provenance-path", "a .intoto.jsonl file: one Sigstore bundle per line (repeatable)")
	fs.Var(&f.bundles, "bundle", "a .sigstore.json bundle (repeatable)")
	fs.Var(&f.digests, "digest", "verify an artifact by digest, sha256:HEX, without the file (repeatable)")
	fs.Var(&f.roots, "trusted-root", "trusted root JSON, or JSON Lines of several; fully offline (repeatable)")
	fs.StringVar(&f.sigstore, "sigstore", "", "without --trusted-root: public-good (the default, trust from the public TUF repository, cached)")
	fs.StringVar(&f.sourceURI, "source-uri", "", "repository the build must come from: github.com/OWNER/REPO (required)")
	fs.BoolVar(&f.anySource, "insecure-any-source", false, "accept an attestation from any repository")
	fs.StringVar(&f.sourceRef, "source-ref", "", "full git ref the build must come from, e.g. refs/tags/v1.2.3")
	fs.StringVar(&f.sourceTag, "source-tag", "", "tag the build must come from (refs/tags/TAG)")
	fs.StringVar(&f.sourceBranch, "source-branch", "", "branch the build must come from (refs/heads/BRANCH)")
	fs.StringVar(&f.builderID, "builder-id", "", "builder: exact (URL@ref), or its URL without @ref, then required at a tag")
	fs.StringVar(&f.signerWorkflow, "signer-workflow", "", "workflow that signed: OWNER/REPO/.github/workflows/FILE.yml (host optional), any ref")
	fs.StringVar(&f.issuer, "cert-oidc-issuer", policy.GitHubIssuer, "OIDC issuer the certificate must name")
	fs.Var(&f.predicateTypes, "predicate-type", "accepted predicate type: v1 or v0.2 (repeatable; default both)")
	fs.BoolVar(&f.denySelfHosted, "deny-self-hosted-runners", false, "refuse builds that ran on self-hosted runners")
	fs.Var(&f.inputs, "build-workflow-input", "KEY=VALUE the provenance must record as a workflow input (repeatable)")
	fs.StringVar(&f.format, "format", "text", "text or json")
	fs.StringVar(&f.printTo, "print-provenance", "", "write the verified statements, one JSON per line, to this file (- for stdout)")
}

func (f *verifyFlags) policy() (policy.Policy, error) {
	p := policy.Policy{SourceURI: f.sourceURI, AnySource: f.anySource, BuilderID: f.builderID,
		SignerWorkflow: f.signerWorkflow, Issuer: f.issuer, DenySelfHosted: f.denySelfHosted}
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
	var f verifyFlags
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	f.register(fs)
	if err := fs.Parse(interleave(fs, args)); err != nil {
		if err == flag.ErrHelp {
			fmt.Fprintln(s.Stdout, verifyUsage)
			fs.SetOutput(s.Stdout)
			fs.PrintDefaults()
			return errHelpRequested
		}
		return usageError{err}
	}
	if f.format != "text" && f.format != "json" {
		return usageError{fmt.Errorf("--format is %q; use text or json", f.format)}
	}
	pol, err := f.policy()
	if err != nil {
		return usageError{err}
	}
	roots, err := verifier.Roots(ctx, verifier.RootSource{Paths: f.roots, Sigstore: f.sigstore, CacheDir: tufCache()})
	if err != nil {
		return f.rootsUsage(err)
	}
	cfg := verifier.Config{Targets: fs.Args(), Digests: f.digests, Roots: roots, Policy: pol,
		Attestations: append(append([]string{}, f.provenance...), f.bundles...)}
	rep, err := verifier.Run(ctx, cfg)
	if err != nil {
		return runUsage(err)
	}
	return report(s, f, rep)
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
