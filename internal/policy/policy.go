package policy

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"golang.org/x/mod/semver"

	"github.com/provenant/provenant/internal/intoto"
)

// Predicate types and GitHub's OIDC issuer.
const (
	SLSAv1       = intoto.SLSAProvenanceV1
	SLSAv02      = intoto.SLSAProvenanceV02
	GitHubIssuer = "https://token.actions.githubusercontent.com"

	statementV1  = intoto.StatementV1
	statementV01 = intoto.StatementV01
)

// Policy is what the attestation must show. Empty fields are not checked,
// except Issuer (default GitHubIssuer) and the source, which is required
// unless AnySource is set.
type Policy struct {
	// SourceURI is the repository the build must come from:
	// "github.com/owner/repo" (a scheme is allowed and ignored).
	SourceURI string
	// SourceOwner, without SourceURI, is the owner every accepted source
	// repository must belong to: "github.com/owner" (a scheme is allowed
	// and ignored).
	SourceOwner string
	// AnySource accepts any source repository.
	AnySource bool
	// SourceRef is the full git ref the build must come from, e.g.
	// "refs/tags/v1.2.3".
	SourceRef string
	// SourceVersionedTag is a semantic version, "v1", "v1.2" or "v1.2.3":
	// the build must come from a tag of that version, as slsa-verifier's
	// --source-versioned-tag (v1 accepts v1.0.0 and v1.4.2, v1.2 accepts
	// v1.2.7, v1.2.3 only v1.2.3 and v1.2.3+build).
	SourceVersionedTag string
	// BuilderID is the builder: exact ("https://github.com/o/r/.github/
	// workflows/x.yml@refs/tags/v1", or "@v1" for the tag) or, without "@",
	// the builder's name, which then must also be at a tag. It is the
	// certificate identity, except for slsa-github-generator's delegated
	// builders (BYOB), where it is the predicate's builder.id.
	BuilderID string
	// SignerWorkflow is the workflow that signed, "owner/repo/path" with or
	// without the host, at any ref.
	SignerWorkflow string
	// SignerRepository, "host/owner/repo" or "host/owner", is where the
	// workflow that signed (the certificate identity) must live: gh
	// attestation verify's default for --repo and --owner, so that a
	// reusable workflow of another repository is accepted only when named.
	SignerRepository string
	// Issuer is the OIDC issuer in the certificate.
	Issuer string
	// PredicateTypes are the accepted predicate types; empty accepts
	// SLSA v1.0 and v0.2.
	PredicateTypes []string
	// DenySelfHosted refuses builds on self-hosted runners.
	DenySelfHosted bool
	// WorkflowInputs must appear in the provenance with these values.
	WorkflowInputs map[string]string
	// RequireKnownBuildType refuses predicates whose build type provenant
	// cannot cross-check with the certificate. Without it they are
	// accepted on the certificate alone, and the verdict says so.
	RequireKnownBuildType bool
}

// Certificate is what the verified signing certificate says: its identity
// (SAN) and the Fulcio extensions for GitHub Actions that provenant checks.
type Certificate struct {
	SAN                    string
	Issuer                 string
	SourceRepositoryURI    string
	SourceRepositoryRef    string
	SourceRepositoryDigest string
	RunnerEnvironment      string
	RunInvocationURI       string
	// BuildConfigURI is the top-level workflow at its ref,
	// https://github.com/OWNER/REPO/PATH@REF.
	BuildConfigURI string
	// BuildTrigger is the event that started the run (event_name).
	BuildTrigger string
}

// Evidence is what a verified bundle says.
type Evidence struct {
	Certificate
	// Statement is the signed in-toto statement JSON.
	Statement []byte
}

// Check is one requirement and whether it held.
type Check struct {
	Name   string `json:"check"`
	OK     bool   `json:"ok"`
	Detail string `json:"detail"`
}

// Provenance is the part of a statement a summary shows. For a build type
// provenant does not know, the builder and source come from the
// certificate.
type Provenance struct {
	PredicateType string           `json:"predicateType"`
	BuildType     string           `json:"buildType,omitempty"`
	BuilderID     string           `json:"builderId"`
	Repository    string           `json:"repository"`
	Ref           string           `json:"ref"`
	Commit        string           `json:"commit"`
	Subjects      []intoto.Subject `json:"subjects"`
}

// Verdict is the outcome of Evaluate.
type Verdict struct {
	Checks     []Check    `json:"checks"`
	Provenance Provenance `json:"provenance"`
	// Warnings are what the user should know although every check held,
	// such as a predicate that could not be cross-checked.
	Warnings []string `json:"warnings,omitempty"`
}

// OK reports whether every check held.
func (v Verdict) OK() bool {
	for _, c := range v.Checks {
		if !c.OK {
			return false
		}
	}
	return len(v.Checks) > 0
}

// Failed returns the checks that did not hold.
func (v Verdict) Failed() []Check {
	var out []Check
	for _, c := range v.Checks {
		if !c.OK {
			out = append(out, c)
		}
	}
	return out
}

// ErrNoSource means the policy names no source repository and does not
// accept any either (AnySource).
var ErrNoSource = errors.New("no source repository is required: name one (e.g. github.com/owner/repo) or accept any source explicitly")

// FieldError is a policy field whose value cannot be used. Field is the
// name of the Policy field; front ends map it to their own option names.
type FieldError struct {
	Field string
	Value string
	// Want describes the values accepted.
	Want string
}

func (e *FieldError) Error() string { return fmt.Sprintf("%s %q: want %s", e.Field, e.Value, e.Want) }

// Validate reports policy mistakes before anything is verified: ErrNoSource
// or a *FieldError.
func (p Policy) Validate() error {
	if p.SourceURI == "" && p.SourceOwner == "" && !p.AnySource {
		return ErrNoSource
	}
	if p.SourceOwner != "" && strings.Count(trimScheme(strings.TrimSuffix(p.SourceOwner, "/")), "/") != 1 {
		return &FieldError{Field: "SourceOwner", Value: p.SourceOwner, Want: "host/owner, e.g. github.com/octo-org"}
	}
	if p.SourceURI != "" && strings.Count(trimScheme(p.SourceURI), "/") != 2 {
		return &FieldError{Field: "SourceURI", Value: p.SourceURI, Want: "host/owner/repo, e.g. github.com/octo-org/octo-repo"}
	}
	if p.SourceRef != "" && !strings.HasPrefix(p.SourceRef, "refs/") {
		return &FieldError{Field: "SourceRef", Value: p.SourceRef, Want: "a full ref such as refs/tags/v1.2.3 or refs/heads/main"}
	}
	if p.SourceVersionedTag != "" && !semver.IsValid(p.SourceVersionedTag) {
		return &FieldError{Field: "SourceVersionedTag", Value: p.SourceVersionedTag, Want: "a semantic version such as v1, v1.2 or v1.2.3"}
	}
	for _, t := range p.PredicateTypes {
		if t != SLSAv1 && t != SLSAv02 {
			return &FieldError{Field: "PredicateTypes", Value: t, Want: SLSAv1 + " or " + SLSAv02}
		}
	}
	return nil
}

// PredicateType maps the names users type to a predicate type URI.
func PredicateType(s string) (string, error) {
	switch s {
	case "v1", "v1.0", "1", SLSAv1, "slsaprovenance1":
		return SLSAv1, nil
	case "v0.2", "0.2", SLSAv02, "slsaprovenance02":
		return SLSAv02, nil
	}
	return "", fmt.Errorf("predicate type %q: use v1 (%s) or v0.2 (%s)", s, SLSAv1, SLSAv02)
}

type statement struct {
	Type          string           `json:"_type"`
	Subject       []intoto.Subject `json:"subject"`
	PredicateType string           `json:"predicateType"`
	Predicate     json.RawMessage  `json:"predicate"`
}

// Evaluate checks the evidence against the policy. It never stops at the
// first failure: the verdict lists every check with the values seen.
func Evaluate(p Policy, e Evidence) Verdict {
	var v Verdict
	add := func(name string, ok bool, format string, args ...any) {
		v.Checks = append(v.Checks, Check{Name: name, OK: ok, Detail: fmt.Sprintf(format, args...)})
	}
	ext := e.Certificate
	issuer := p.Issuer
	if issuer == "" {
		issuer = GitHubIssuer
	}
	add("certificate issuer", ext.Issuer == issuer, "certificate issuer %q, want %q", ext.Issuer, issuer)

	if p.SourceURI != "" {
		want := "https://" + trimScheme(strings.TrimSuffix(p.SourceURI, "/"))
		add("source repository", strings.EqualFold(ext.SourceRepositoryURI, want), "certificate source repository %q, want %q", ext.SourceRepositoryURI, want)
	}
	if p.SourceOwner != "" && p.SourceURI == "" {
		want := "https://" + trimScheme(strings.TrimSuffix(p.SourceOwner, "/")) + "/"
		ok := len(ext.SourceRepositoryURI) > len(want) && strings.EqualFold(ext.SourceRepositoryURI[:len(want)], want)
		add("source owner", ok, "certificate source repository %q, want one under %q", ext.SourceRepositoryURI, want)
	}
	if p.SourceRef != "" {
		add("source ref", ext.SourceRepositoryRef == p.SourceRef, "certificate source ref %q, want %q", ext.SourceRepositoryRef, p.SourceRef)
	}
	if p.SignerWorkflow != "" {
		got, _, _ := strings.Cut(trimScheme(e.SAN), "@")
		want := trimScheme(p.SignerWorkflow)
		if strings.Count(want, "/") == strings.Count(got, "/")-1 { // no host given
			_, got, _ = strings.Cut(got, "/")
		}
		add("signer workflow", got == want, "signing workflow %q, want %q", got, want)
	}
	if p.SourceVersionedTag != "" {
		ok, why := versionedTag(ext.SourceRepositoryRef, p.SourceVersionedTag)
		add("source versioned tag", ok, "certificate source ref %q, want a tag of version %s: %s", ext.SourceRepositoryRef, p.SourceVersionedTag, why)
	}
	if p.SignerRepository != "" {
		want := "https://" + trimScheme(strings.TrimSuffix(p.SignerRepository, "/")) + "/"
		ok := len(e.SAN) > len(want) && strings.EqualFold(e.SAN[:len(want)], want)
		add("signer repository", ok, "signing workflow %q, want a workflow of %q (a reusable workflow of another repository must be named as the signer)", e.SAN, strings.TrimSuffix(want, "/"))
	}
	if p.DenySelfHosted {
		add("runner", ext.RunnerEnvironment == "github-hosted", "runner environment %q, want github-hosted", ext.RunnerEnvironment)
	}

	var st statement
	if err := json.Unmarshal(e.Statement, &st); err != nil {
		add("statement", false, "the signed payload is not an in-toto statement: %v", err)
		return v
	}
	v.Provenance.PredicateType = st.PredicateType
	v.Provenance.Subjects = st.Subject
	accepted := p.PredicateTypes
	if len(accepted) == 0 {
		accepted = []string{SLSAv1, SLSAv02}
	}
	add("predicate type", slices.Contains(accepted, st.PredicateType), "predicate type %q, want one of %s", st.PredicateType, strings.Join(accepted, ", "))
	// Statement v1 is what SLSA v1.0 asks for; cosign and npm still wrap
	// every predicate in Statement v0.1, and the two differ in nothing
	// checked here.
	add("statement type", st.Type == statementV1 || st.Type == statementV01, "statement type %q, want %q (or %q)", st.Type, statementV1, statementV01)
	builder := checkPredicate(&v, p, e, st.PredicateType, st.Predicate, add)
	checkBuilder(p, e.SAN, builder, add)
	return v
}

// checkBuilder compares the policy's builder with the certificate
// identity or, for slsa-github-generator's delegated builders, with the
// builder the trusted delegator recorded in the predicate (byob, "" for
// others). A ref written as "@v1.2.3" means "@refs/tags/v1.2.3", as in
// slsa-verifier's --builder-id.
func checkBuilder(p Policy, san, byob string, add addFunc) {
	if p.BuilderID == "" {
		return
	}
	got, what := san, "builder (certificate identity)"
	if byob != "" {
		got, what = byob, "builder (predicate builder.id, vouched for by slsa-github-generator's delegator)"
	}
	want, wantRef, exact := strings.Cut(p.BuilderID, "@")
	name, ref, _ := strings.Cut(got, "@")
	if !exact {
		ok := name == want && strings.HasPrefix(ref, "refs/tags/")
		add("builder", ok, "%s %q, want %q at a tag (refs/tags/…)", what, got, p.BuilderID)
		return
	}
	if !strings.HasPrefix(wantRef, "refs/") {
		wantRef = "refs/tags/" + wantRef
	}
	add("builder", name == want && ref == wantRef, "%s %q, want %q", what, got, p.BuilderID)
}

// agree requires a predicate field to equal the certificate's value; an
// empty predicate field is a disagreement too.
func agree(add addFunc, field, predicate, cert, certName string) {
	add("predicate agrees: "+field, predicate != "" && predicate == cert, "predicate %s %q, %s %q", field, predicate, certName, cert)
}

func checkInputs(p Policy, got map[string]any, add addFunc) {
	keys := make([]string, 0, len(p.WorkflowInputs))
	for k := range p.WorkflowInputs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		want := p.WorkflowInputs[k]
		val, ok := got[k]
		s := fmt.Sprint(val)
		add("workflow input "+k, ok && s == want, "workflow input %s = %q (recorded: %t), want %q", k, s, ok, want)
	}
}

func trimScheme(s string) string {
	if _, rest, ok := strings.Cut(s, "://"); ok {
		return rest
	}
	return s
}

// versionedTag reports whether ref is a tag of the semantic version want
// ("v1", "v1.2" or "v1.2.3"), comparing each part want gives; the
// build metadata of the tag is ignored, its pre-release is part of the
// patch.
func versionedTag(ref, want string) (bool, string) {
	tag, ok := strings.CutPrefix(ref, "refs/tags/")
	if !ok {
		return false, "not a tag"
	}
	got := semver.Canonical(tag)
	if got == "" {
		return false, fmt.Sprintf("tag %q is not a semantic version", tag)
	}
	w := strings.SplitN(strings.TrimSuffix(want, semver.Build(want)), ".", 3)
	g := strings.SplitN(got, ".", 3)
	names := []string{"major", "minor", "patch"}
	for i := range w {
		if w[i] != g[i] {
			return false, fmt.Sprintf("%s version %s, want %s", names[i], g[i], w[i])
		}
	}
	return true, "it is " + tag
}
