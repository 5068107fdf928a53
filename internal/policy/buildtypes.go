package policy

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// The build types whose predicates provenant cross-checks with the
// certificate, each by its own rules.
const (
	// BuildTypeActions is GitHub's workflow build type, as actions/attest
	// writes it today: https://actions.github.io/buildtypes/workflow/v1.
	BuildTypeActions = "https://actions.github.io/buildtypes/workflow/v1"
	// BuildTypeSLSAWorkflow is the community workflow build type that
	// actions/attest-build-provenance wrote in 2024 and npm writes for
	// SLSA v1.0 (builder.id names the runner, not the workflow), and that
	// slsa-github-generator's delegator writes with its own builder.id:
	// https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1.
	BuildTypeSLSAWorkflow = "https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1"
	// BuildTypeNPM is npm's SLSA v0.2 build type for GitHub Actions.
	BuildTypeNPM = "https://github.com/npm/cli/gha/v2"
	// buildTypeGeneratorPrefix starts slsa-github-generator's v0.2 build
	// types: generic@v1, container@v1, go@v1, ...
	buildTypeGeneratorPrefix = "https://github.com/slsa-framework/slsa-github-generator/"
	// buildTypeProvenantV02 is provenant's v0.2 layout, the generic
	// generator's.
	buildTypeProvenantV02 = "https://github.com/provenant/provenant/generic@v1"
	// BuildTypeDelegator is slsa-github-generator's SLSA v1.0 build type
	// for delegated builders (BYOB: its Maven and Gradle builders, and
	// builders of other repositories): the certificate names the
	// delegator workflow, builder.id the builder that called it.
	BuildTypeDelegator = "https://github.com/slsa-framework/slsa-github-generator/delegator-generic@v0"
	// BuildTypeContainerBased is slsa-github-generator's container-based
	// builder (SLSA v1.0).
	BuildTypeContainerBased = "https://slsa.dev/container-based-build/v0.1?draft"
	// generatorWorkflows is where slsa-github-generator's reusable
	// workflows live.
	generatorWorkflows = "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/"
)

// delegators are slsa-github-generator's delegator workflows, the only
// signers whose predicate's builder.id is trusted to name the builder.
var delegators = []string{
	generatorWorkflows + "delegator_generic_slsa3.yml",
	generatorWorkflows + "delegator_lowperms-generic_slsa3.yml",
}

type addFunc func(name string, ok bool, format string, args ...any)

// checkPredicate compares the predicate with the certificate by the rules
// of its build type. A build type provenant does not know is accepted on
// the certificate alone with a warning, unless the policy requires a known
// one. It returns the builder a delegated build's predicate names (see
// checkGeneratorV1), "" for others.
func checkPredicate(v *Verdict, p Policy, e Evidence, predicateType string, raw json.RawMessage, add addFunc) string {
	var head struct {
		BuildType       string `json:"buildType"`
		BuildDefinition struct {
			BuildType string `json:"buildType"`
		} `json:"buildDefinition"`
	}
	if err := json.Unmarshal(raw, &head); err != nil {
		add("predicate", false, "the predicate does not parse: %v", err)
		return ""
	}
	bt := head.BuildType
	if predicateType == SLSAv1 {
		bt = head.BuildDefinition.BuildType
	}
	v.Provenance.BuildType = bt
	switch {
	case predicateType == SLSAv1 && (bt == BuildTypeActions || bt == BuildTypeSLSAWorkflow):
		checkWorkflowV1(v, p, e, raw, add)
	case predicateType == SLSAv1 && (bt == BuildTypeDelegator || bt == BuildTypeContainerBased):
		return checkGeneratorV1(v, p, e, raw, add)
	case predicateType == SLSAv02 && (strings.HasPrefix(bt, buildTypeGeneratorPrefix) || bt == buildTypeProvenantV02 || bt == BuildTypeNPM):
		checkV02(v, p, e, raw, add)
	default:
		unknownBuildType(v, p, e, bt, add)
	}
	return ""
}

func unknownBuildType(v *Verdict, p Policy, e Evidence, bt string, add addFunc) {
	ext := e.Certificate
	v.Provenance.BuilderID, v.Provenance.Repository = e.SAN, ext.SourceRepositoryURI
	v.Provenance.Ref, v.Provenance.Commit = ext.SourceRepositoryRef, ext.SourceRepositoryDigest
	msg := fmt.Sprintf("build type %q is not one provenant knows: the predicate was not cross-checked with the certificate, and the builder and source shown are the certificate's", bt)
	if p.RequireKnownBuildType {
		add("build type", false, "%s (a known build type is required)", msg)
		return
	}
	v.Warnings = append(v.Warnings, msg)
	checkInputs(p, nil, add)
}

// ServerOf is the scheme and host of a certificate's identity (its SAN),
// the GitHub server the run was on, e.g. https://github.com; "" when the
// SAN is not a URL.
func ServerOf(san string) string {
	scheme, rest, ok := strings.Cut(san, "://")
	if !ok {
		return ""
	}
	host, _, _ := strings.Cut(rest, "/")
	return scheme + "://" + host
}

type workflowV1 struct {
	BuildDefinition struct {
		ExternalParameters struct {
			Workflow struct {
				Ref        string `json:"ref"`
				Repository string `json:"repository"`
				Path       string `json:"path"`
			} `json:"workflow"`
			Inputs map[string]any `json:"inputs"`
		} `json:"externalParameters"`
		InternalParameters struct {
			GitHub struct {
				EventName         string `json:"event_name"`
				RunnerEnvironment string `json:"runner_environment"`
			} `json:"github"`
		} `json:"internalParameters"`
		ResolvedDependencies []resolvedDependency `json:"resolvedDependencies"`
	} `json:"buildDefinition"`
	RunDetails v1RunDetails `json:"runDetails"`
}

// checkWorkflowV1 checks both GitHub workflow build types. They differ in
// builder.id: the current one names the workflow that signed (the SAN);
// the 2024 community one names the runner
// (https://github.com/actions/runner/github-hosted), so there the runner
// environment is compared instead, and the workflow through the build
// config. slsa-github-generator's delegator writes the community type with
// its own workflow as the builder; that must then be the SAN.
func checkWorkflowV1(v *Verdict, p Policy, e Evidence, raw json.RawMessage, add addFunc) {
	var pr workflowV1
	if err := json.Unmarshal(raw, &pr); err != nil {
		add("predicate", false, "the SLSA v1.0 predicate does not parse: %v", err)
		return
	}
	bd, ext := pr.BuildDefinition, e.Certificate
	wf := bd.ExternalParameters.Workflow
	var dep struct{ uri, commit string }
	if len(bd.ResolvedDependencies) > 0 {
		dep.uri, dep.commit = bd.ResolvedDependencies[0].URI, bd.ResolvedDependencies[0].Digest["gitCommit"]
	}
	builder := pr.RunDetails.Builder.ID
	v.Provenance.BuilderID, v.Provenance.Repository, v.Provenance.Ref, v.Provenance.Commit = builder, wf.Repository, wf.Ref, dep.commit

	runnerEnv := bd.InternalParameters.GitHub.RunnerEnvironment
	runnerPrefix := ServerOf(e.SAN) + "/actions/runner/"
	if env, ok := strings.CutPrefix(builder, runnerPrefix); ok && v.Provenance.BuildType == BuildTypeSLSAWorkflow {
		agree(add, "builder.id (runner)", builder, runnerPrefix+ext.RunnerEnvironment, "certificate runner environment as a builder")
		if runnerEnv == "" {
			runnerEnv = env
		}
		v.Provenance.BuilderID = e.SAN
	} else {
		agree(add, "builder.id", builder, e.SAN, "certificate identity")
	}
	if runnerEnv != "" || ext.RunnerEnvironment != "" {
		agree(add, "runner environment", runnerEnv, ext.RunnerEnvironment, "certificate runner environment")
	}
	agree(add, "workflow repository", wf.Repository, ext.SourceRepositoryURI, "certificate source repository")
	agree(add, "workflow ref", wf.Ref, ext.SourceRepositoryRef, "certificate source ref")
	checkWorkflowPath(wf.Repository, wf.Path, wf.Ref, ext, add)
	agree(add, "resolvedDependencies uri", dep.uri, "git+"+ext.SourceRepositoryURI+"@"+ext.SourceRepositoryRef, "certificate source repository at its ref")
	agree(add, "source commit", dep.commit, ext.SourceRepositoryDigest, "certificate source commit")
	checkEvent(bd.InternalParameters.GitHub.EventName, ext, add)
	if got := pr.RunDetails.Metadata.InvocationID; got != "" && ext.RunInvocationURI != "" {
		agree(add, "invocation", got, ext.RunInvocationURI, "certificate run invocation")
	}
	checkInputs(p, bd.ExternalParameters.Inputs, add)
}

// checkWorkflowPath requires the workflow file the predicate names to be
// the build config (the top-level workflow) the certificate names.
func checkWorkflowPath(repo, path, ref string, ext Certificate, add addFunc) {
	if ext.BuildConfigURI == "" {
		return // certificates before Fulcio wrote the extension
	}
	got := ""
	if path != "" {
		got = repo + "/" + path + "@" + ref
	}
	agree(add, "workflow path", got, ext.BuildConfigURI, "certificate build config")
}

// checkEvent requires the event the predicate records to be the
// certificate's build trigger.
func checkEvent(event string, ext Certificate, add addFunc) {
	if ext.BuildTrigger == "" {
		return
	}
	agree(add, "event_name", event, ext.BuildTrigger, "certificate build trigger")
}

type v02Predicate struct {
	Builder struct {
		ID string `json:"id"`
	} `json:"builder"`
	Invocation struct {
		ConfigSource struct {
			URI        string            `json:"uri"`
			Digest     map[string]string `json:"digest"`
			EntryPoint string            `json:"entryPoint"`
		} `json:"configSource"`
		Parameters  map[string]any `json:"parameters"`
		Environment struct {
			EventName    string `json:"github_event_name"`
			EventPayload struct {
				Inputs map[string]any `json:"inputs"`
			} `json:"github_event_payload"`
			// npm's names.
			NPMEventName   string `json:"GITHUB_EVENT_NAME"`
			NPMWorkflowRef string `json:"GITHUB_WORKFLOW_REF"`
		} `json:"environment"`
	} `json:"invocation"`
}

// checkV02 checks slsa-github-generator's v0.2 layout (and provenant's,
// the same) and npm's. The generator's builder.id is its reusable
// workflow, the SAN; npm's is the runner, https://github.com/actions/runner,
// which says nothing more, so npm's workflow is checked through its
// entry point and GITHUB_WORKFLOW_REF.
func checkV02(v *Verdict, p Policy, e Evidence, raw json.RawMessage, add addFunc) {
	var pr v02Predicate
	if err := json.Unmarshal(raw, &pr); err != nil {
		add("predicate", false, "the SLSA v0.2 predicate does not parse: %v", err)
		return
	}
	cs, env, ext := pr.Invocation.ConfigSource, pr.Invocation.Environment, e.Certificate
	repo, ref, _ := strings.Cut(strings.TrimPrefix(cs.URI, "git+"), "@")
	v.Provenance.BuilderID, v.Provenance.Repository, v.Provenance.Ref, v.Provenance.Commit = pr.Builder.ID, repo, ref, cs.Digest["sha1"]
	event := env.EventName
	if v.Provenance.BuildType == BuildTypeNPM {
		agree(add, "builder.id", pr.Builder.ID, ServerOf(e.SAN)+"/actions/runner", "the runner npm names")
		v.Provenance.BuilderID, event = e.SAN, env.NPMEventName
		if env.NPMWorkflowRef != "" && ext.BuildConfigURI != "" {
			agree(add, "GITHUB_WORKFLOW_REF", ServerOf(e.SAN)+"/"+env.NPMWorkflowRef, ext.BuildConfigURI, "certificate build config")
		}
	} else {
		agree(add, "builder.id", pr.Builder.ID, e.SAN, "certificate identity")
	}
	agree(add, "configSource repository", repo, ext.SourceRepositoryURI, "certificate source repository")
	agree(add, "configSource ref", ref, ext.SourceRepositoryRef, "certificate source ref")
	agree(add, "source commit", cs.Digest["sha1"], ext.SourceRepositoryDigest, "certificate source commit")
	checkWorkflowPath(repo, cs.EntryPoint, ref, ext, add)
	checkEvent(event, ext, add)
	inputs, _ := pr.Invocation.Parameters["event_inputs"].(map[string]any)
	if len(inputs) == 0 {
		inputs = env.EventPayload.Inputs
	}
	checkInputs(p, inputs, add)
}

// resolvedDependency is one entry of a SLSA v1.0 buildDefinition's
// resolvedDependencies.
type resolvedDependency struct {
	URI    string            `json:"uri"`
	Digest map[string]string `json:"digest"`
}

// v1RunDetails is the part of a SLSA v1.0 runDetails the checks read.
type v1RunDetails struct {
	Builder struct {
		ID string `json:"id"`
	} `json:"builder"`
	Metadata struct {
		InvocationID string `json:"invocationId"`
	} `json:"metadata"`
}

type generatorV1 struct {
	BuildDefinition struct {
		ExternalParameters struct {
			Inputs map[string]any `json:"inputs"`
		} `json:"externalParameters"`
		InternalParameters   map[string]any       `json:"internalParameters"`
		ResolvedDependencies []resolvedDependency `json:"resolvedDependencies"`
	} `json:"buildDefinition"`
	RunDetails v1RunDetails `json:"runDetails"`
}

// checkGeneratorV1 checks slsa-github-generator's SLSA v1.0 layouts: the
// container-based builder's, whose builder.id is the SAN, and the
// delegator's (BYOB). There the certificate names the delegator, which
// must be slsa-github-generator's at a tag; builder.id names the builder
// that called it, at a tag too, and is returned as the builder the policy
// is compared with, as slsa-verifier does. Both record the run's GITHUB_*
// variables, which must agree with the certificate.
func checkGeneratorV1(v *Verdict, p Policy, e Evidence, raw json.RawMessage, add addFunc) string {
	var pr generatorV1
	if err := json.Unmarshal(raw, &pr); err != nil {
		add("predicate", false, "the SLSA v1.0 predicate does not parse: %v", err)
		return ""
	}
	bd, ext := pr.BuildDefinition, e.Certificate
	env := func(k string) string { s, _ := bd.InternalParameters[k].(string); return s }
	var dep struct{ uri, commit string }
	if len(bd.ResolvedDependencies) > 0 {
		d := bd.ResolvedDependencies[0]
		dep.uri, dep.commit = d.URI, d.Digest["gitCommit"]
		if dep.commit == "" {
			dep.commit = d.Digest["sha1"]
		}
	}
	builder, byob := pr.RunDetails.Builder.ID, ""
	server := ServerOf(e.SAN)
	v.Provenance.BuilderID, v.Provenance.Repository = builder, server+"/"+env("GITHUB_REPOSITORY")
	v.Provenance.Ref, v.Provenance.Commit = env("GITHUB_REF"), dep.commit
	if v.Provenance.BuildType == BuildTypeDelegator {
		name, ref, _ := strings.Cut(e.SAN, "@")
		add("delegator", slices.Contains(delegators, name) && strings.HasPrefix(ref, "refs/tags/"),
			"certificate identity %q, want slsa-github-generator's delegator (%s) at a tag: only it vouches for builder.id", e.SAN, strings.Join(delegators, ", "))
		_, bref, _ := strings.Cut(builder, "@")
		add("predicate builder.id", strings.HasPrefix(bref, "refs/tags/"), "predicate builder.id %q, want a builder at a tag (refs/tags/…)", builder)
		byob = builder
	} else {
		agree(add, "builder.id", builder, e.SAN, "certificate identity")
	}
	agree(add, "GITHUB_REPOSITORY", v.Provenance.Repository, ext.SourceRepositoryURI, "certificate source repository")
	agree(add, "GITHUB_REF", v.Provenance.Ref, ext.SourceRepositoryRef, "certificate source ref")
	agree(add, "GITHUB_SHA", env("GITHUB_SHA"), ext.SourceRepositoryDigest, "certificate source commit")
	agree(add, "resolvedDependencies uri", dep.uri, "git+"+ext.SourceRepositoryURI+"@"+ext.SourceRepositoryRef, "certificate source repository at its ref")
	agree(add, "source commit", dep.commit, ext.SourceRepositoryDigest, "certificate source commit")
	if ext.BuildConfigURI != "" {
		agree(add, "GITHUB_WORKFLOW_REF", server+"/"+env("GITHUB_WORKFLOW_REF"), ext.BuildConfigURI, "certificate build config")
	}
	checkEvent(env("GITHUB_EVENT_NAME"), ext, add)
	if got := pr.RunDetails.Metadata.InvocationID; got != "" && ext.RunInvocationURI != "" {
		agree(add, "invocation", got, ext.RunInvocationURI, "certificate run invocation")
	}
	checkInputs(p, bd.ExternalParameters.Inputs, add)
	return byob
}
