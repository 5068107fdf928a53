package cli

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/provenant/provenant/internal/atomicfile"
	"github.com/provenant/provenant/internal/intoto"
	"github.com/provenant/provenant/internal/policy"
	"github.com/provenant/provenant/internal/signing"
	"github.com/provenant/provenant/internal/sink/oci"
	"github.com/provenant/provenant/internal/verify"
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

// artifact is one thing to verify and the bundles that may cover it.
type artifact struct {
	Name       string
	Digest     intoto.Digest
	candidates []verify.Candidate
	// unusable are attestations found that could not be read.
	unusable []refusal
}

// verdict is the outcome for one artifact.
type verdict struct {
	Name        string             `json:"name"`
	Digest      string             `json:"digest"`
	Verified    bool               `json:"verified"`
	Attestation string             `json:"attestation,omitempty"`
	Root        string             `json:"trustedRoot,omitempty"`
	Provenance  *policy.Provenance `json:"provenance,omitempty"`
	Checks      []policy.Check     `json:"checks,omitempty"`
	Refusals    []refusal          `json:"refusals,omitempty"`
	statement   []byte
}

type refusal struct {
	Attestation string `json:"attestation"`
	Reason      string `json:"reason"`
}

var digestRE = regexp.MustCompile(`^(sha256|sha384|sha512):([0-9a-f]+)$`)

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
	roots, err := f.trustedRoots(s)
	if err != nil {
		return err
	}
	arts, err := f.artifacts(ctx, fs.Args())
	if err != nil {
		return err
	}
	var out []verdict
	for _, a := range arts {
		out = append(out, check(a, roots, pol))
	}
	return report(s, f, out)
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

func (f *verifyFlags) trustedRoots(s *session) ([]verify.Root, error) {
	if len(f.roots) > 0 {
		if f.sigstore != "" && f.sigstore != signing.PublicGood {
			return nil, usageError{fmt.Errorf("--sigstore %s with --trusted-root: the trusted root decides; leave --sigstore out", f.sigstore)}
		}
		var out []verify.Root
		for _, p := range f.roots {
			rs, err := verify.ReadTrustedRoots(p)
			if err != nil {
				return nil, err
			}
			out = append(out, rs...)
		}
		return out, nil
	}
	switch f.sigstore {
	case "", signing.PublicGood:
	case signing.GitHub:
		return nil, usageError{errors.New("--sigstore github needs GitHub's trusted root: pass --trusted-root with the output of `gh attestation trusted-root`")}
	default:
		return nil, usageError{fmt.Errorf("--sigstore %q: use public-good, or give --trusted-root", f.sigstore)}
	}
	cache := filepath.Join(os.TempDir(), "provenant-tuf")
	if d, err := os.UserCacheDir(); err == nil {
		cache = filepath.Join(d, "provenant", "tuf")
	}
	inst, err := signing.LoadInstance(signing.Source{Sigstore: signing.PublicGood, CacheDir: cache})
	if err != nil {
		return nil, fmt.Errorf("%w (offline? pass --trusted-root)", err)
	}
	return []verify.Root{{Name: "public-good", Trusted: inst.TrustedRoot}}, nil
}

func (f *verifyFlags) artifacts(ctx context.Context, args []string) ([]artifact, error) {
	var given []verify.Candidate
	for _, p := range append(append([]string{}, f.provenance...), f.bundles...) {
		cs, err := verify.ReadBundles(p)
		if err != nil {
			return nil, err
		}
		given = append(given, cs...)
	}
	index := indexBySubject(given)
	var arts []artifact
	var errs []error
	for _, d := range f.digests {
		m := digestRE.FindStringSubmatch(strings.ToLower(d))
		if m == nil || len(m[2]) != map[string]int{"sha256": 64, "sha384": 96, "sha512": 128}[m[1]] {
			errs = append(errs, fmt.Errorf("--digest %q: want sha256:<64 hex digits> (or sha384, sha512)", d))
			continue
		}
		dg := intoto.Digest{Alg: m[1], Hex: m[2]}
		arts = append(arts, artifact{Name: d, Digest: dg, candidates: index.covering(dg)})
	}
	for _, a := range args {
		if ref, ok := strings.CutPrefix(a, "oci://"); ok {
			art, err := imageArtifact(ctx, ref, given)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			arts = append(arts, art)
			continue
		}
		sum, err := sha256File(a)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		dg := intoto.Digest{Alg: "sha256", Hex: sum}
		arts = append(arts, artifact{Name: a, Digest: dg, candidates: index.covering(dg)})
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if len(arts) == 0 {
		return nil, usageError{errors.New("nothing to verify: name artifact files, oci://IMAGE@sha256:HEX, or --digest")}
	}
	for _, a := range arts {
		if len(a.candidates) == 0 {
			if len(a.unusable) > 0 {
				continue // reported with the reasons
			}
			if strings.HasPrefix(a.Name, "oci://") {
				return nil, fmt.Errorf("%s: no attestation is attached to the image (referrers, fallback tag or .att)", a.Name)
			}
			return nil, usageError{fmt.Errorf("%s: no attestation given: pass --provenance-path or --bundle", a.Name)}
		}
	}
	return arts, nil
}

func imageArtifact(ctx context.Context, ref string, given []verify.Candidate) (artifact, error) {
	_, hexDigest, ok := strings.Cut(ref, "@sha256:")
	if !ok || len(hexDigest) != 64 {
		return artifact{}, fmt.Errorf("oci://%s: name the image by digest, oci://REGISTRY/REPO@sha256:HEX", ref)
	}
	art := artifact{Name: "oci://" + ref, Digest: intoto.Digest{Alg: "sha256", Hex: hexDigest}, candidates: given}
	if len(given) > 0 {
		return art, nil
	}
	found, err := oci.Fetch(ctx, ref)
	if err != nil {
		return artifact{}, err
	}
	for _, fd := range found {
		if fd.Bundle == nil {
			where, reason, _ := strings.Cut(fd.Where, ": ")
			art.unusable = append(art.unusable, refusal{Attestation: where, Reason: "unusable: " + reason})
			continue
		}
		art.candidates = append(art.candidates, verify.Candidate{JSON: fd.Bundle, Where: fd.Where})
	}
	return art, nil
}

// subjectIndex finds the bundles whose (not yet verified) statement names
// a digest, so that each artifact is verified only against the bundles
// that claim it: with one attestation per subject, checking every bundle
// for every artifact would be quadratic.
type subjectIndex struct {
	all      []verify.Candidate
	byDigest map[intoto.Digest][]verify.Candidate
}

func indexBySubject(cs []verify.Candidate) subjectIndex {
	idx := subjectIndex{all: cs, byDigest: map[intoto.Digest][]verify.Candidate{}}
	for _, c := range cs {
		var b struct {
			DSSE struct {
				Payload []byte `json:"payload"`
			} `json:"dsseEnvelope"`
		}
		var st struct {
			Subject []struct {
				Digest map[string]string `json:"digest"`
			} `json:"subject"`
		}
		if json.Unmarshal(c.JSON, &b) != nil || json.Unmarshal(b.DSSE.Payload, &st) != nil {
			continue
		}
		for _, s := range st.Subject {
			for alg, h := range s.Digest {
				d := intoto.Digest{Alg: alg, Hex: strings.ToLower(h)}
				idx.byDigest[d] = append(idx.byDigest[d], c)
			}
		}
	}
	return idx
}

// covering returns the bundles that claim d or, when none does, all of
// them, so that the refusal reasons come from full verification.
func (idx subjectIndex) covering(d intoto.Digest) []verify.Candidate {
	if cs := idx.byDigest[d]; len(cs) > 0 {
		return cs
	}
	return idx.all
}

func sha256File(p string) (string, error) {
	fh, err := os.Open(p)
	if err != nil {
		return "", err
	}
	defer fh.Close()
	st, err := fh.Stat()
	if err != nil {
		return "", err
	}
	if st.IsDir() {
		return "", fmt.Errorf("%s is a directory: name the artifact files", p)
	}
	h := sha256.New()
	if _, err := io.Copy(h, fh); err != nil {
		return "", fmt.Errorf("reading %s: %w", p, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// check tries every candidate bundle for the artifact; the first that
// verifies and satisfies the policy wins. Otherwise every refusal is kept.
func check(a artifact, roots []verify.Root, pol policy.Policy) verdict {
	v := verdict{Name: a.Name, Digest: a.Digest.String(), Refusals: a.unusable}
	for _, c := range a.candidates {
		got, err := verify.Verify(c.JSON, roots, a.Digest, verify.WithoutIdentityUnsafe())
		if err != nil {
			v.Refusals = append(v.Refusals, refusal{Attestation: c.Where, Reason: err.Error()})
			continue
		}
		pv := policy.Evaluate(pol, got.Evidence())
		if !pv.OK() {
			var reasons []string
			for _, f := range pv.Failed() {
				reasons = append(reasons, f.Name+": "+f.Detail)
			}
			v.Refusals = append(v.Refusals, refusal{Attestation: c.Where, Reason: strings.Join(reasons, "; ")})
			continue
		}
		v.Verified, v.Attestation, v.Root = true, c.Where, got.Root
		v.Provenance, v.Checks, v.statement = &pv.Provenance, pv.Checks, got.Statement
		v.Refusals = nil
		return v
	}
	return v
}

func report(s *session, f verifyFlags, out []verdict) error {
	ok := true
	for _, v := range out {
		ok = ok && v.Verified
	}
	if f.printTo != "" {
		var b strings.Builder
		for _, v := range out {
			if v.Verified {
				b.Write(v.statement)
				b.WriteByte('\n')
			}
		}
		if f.printTo == "-" {
			fmt.Fprint(s.Stdout, b.String())
		} else if err := atomicfile.Write(f.printTo, []byte(b.String()), true); err != nil {
			return err
		}
	}
	w := s.Stdout
	if f.printTo == "-" {
		w = s.Stderr
	}
	if f.format == "json" {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		if err := enc.Encode(struct {
			Verified  bool      `json:"verified"`
			Artifacts []verdict `json:"artifacts"`
		}{ok, out}); err != nil {
			return err
		}
	} else {
		for _, v := range out {
			printVerdict(w, v)
		}
	}
	if !ok {
		return errRefused
	}
	return nil
}

// errRefused is returned when an artifact did not verify; the details are
// already printed.
var errRefused = errors.New("verification failed: see the reasons above")

func printVerdict(w io.Writer, v verdict) {
	if v.Verified {
		p := v.Provenance
		fmt.Fprintf(w, "OK       %s (%s)\n", v.Name, v.Digest)
		fmt.Fprintf(w, "  attestation  %s, %s\n", v.Attestation, p.PredicateType)
		fmt.Fprintf(w, "  built by     %s\n", p.BuilderID)
		fmt.Fprintf(w, "  source       %s @ %s (commit %s)\n", p.Repository, p.Ref, p.Commit)
		fmt.Fprintf(w, "  checks       %d held, trusted root %s\n", len(v.Checks), v.Root)
		return
	}
	fmt.Fprintf(w, "REFUSED  %s (%s)\n", v.Name, v.Digest)
	for _, r := range v.Refusals {
		fmt.Fprintf(w, "  %s: %s\n", r.Attestation, r.Reason)
	}
}
