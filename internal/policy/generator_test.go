package policy

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"strings"
	"testing"
)

const (
	delegatorSAN = "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/delegator_generic_slsa3.yml@refs/tags/v2.1.0"
	exampleTRW   = "https://github.com/slsa-framework/example-trw/.github/workflows/builder_high-perms_slsa3.yml"
)

// delegated is the evidence of a real delegated build (slsa-verifier's
// gha_delegator v2.1.0 push-v14 sample): its statement and what its
// certificate says.
func delegated(t *testing.T) Evidence {
	t.Helper()
	b, err := os.ReadFile("../../testdata/attestations/slsa-verifier/gha_delegator_v2.1.0_binary-linux-amd64-push-v14.build.slsa")
	if err != nil {
		t.Fatal(err)
	}
	var bundle struct {
		DSSEEnvelope struct {
			Payload string `json:"payload"`
		} `json:"dsseEnvelope"`
	}
	if err := json.Unmarshal(b, &bundle); err != nil {
		t.Fatal(err)
	}
	st, err := base64.StdEncoding.DecodeString(bundle.DSSEEnvelope.Payload)
	if err != nil {
		t.Fatal(err)
	}
	return Evidence{Statement: st, Certificate: Certificate{SAN: delegatorSAN,
		Issuer:                 GitHubIssuer,
		SourceRepositoryURI:    "https://github.com/slsa-framework/example-package",
		SourceRepositoryRef:    "refs/tags/v14",
		SourceRepositoryDigest: "4d329c75e7ec1725f7c9ce917a8799d408d06be3",
		RunnerEnvironment:      "github-hosted",
		RunInvocationURI:       "https://github.com/slsa-framework/example-package/actions/runs/13530999509/attempts/1",
		BuildConfigURI:         "https://github.com/slsa-framework/example-package/.github/workflows/verifier-e2e.all.workflow_dispatch.main.all.slsa3.yml@refs/tags/v14",
		BuildTrigger:           "push",
	}}
}

func TestEvaluate_delegated(t *testing.T) {
	base := Policy{SourceURI: "github.com/slsa-framework/example-package", BuilderID: exampleTRW}
	internal := func(k, v string) func(t *testing.T, e Evidence) Evidence {
		return func(t *testing.T, e Evidence) Evidence {
			return edit(t, e, func(st map[string]any) { pred(st, "buildDefinition", "internalParameters")[k] = v })
		}
	}
	tests := []struct {
		name   string
		policy func(p *Policy)
		change func(t *testing.T, e Evidence) Evidence
		fail   string // "" means every check holds
	}{
		{name: "builder by name"},
		{name: "builder at its tag, short", policy: func(p *Policy) { p.BuilderID = exampleTRW + "@v2.1.0" }},
		{name: "builder at its tag", policy: func(p *Policy) { p.BuilderID = exampleTRW + "@refs/tags/v2.1.0" }},
		{name: "builder at another tag", policy: func(p *Policy) { p.BuilderID = exampleTRW + "@v2.0.0" }, fail: "builder"},
		{name: "the delegator is not the builder", policy: func(p *Policy) { p.BuilderID = strings.Split(delegatorSAN, "@")[0] }, fail: "builder"},
		{name: "no builder asked", policy: func(p *Policy) { p.BuilderID = "" }},
		{name: "signed by another workflow", change: func(t *testing.T, e Evidence) Evidence {
			e.SAN = "https://github.com/slsa-framework/example-package/.github/workflows/release.yml@refs/tags/v14"
			return e
		}, fail: "delegator"},
		{name: "a delegator copied elsewhere", change: func(t *testing.T, e Evidence) Evidence {
			e.SAN = strings.Replace(delegatorSAN, "slsa-framework/slsa-github-generator", "evil/slsa-github-generator", 1)
			return e
		}, fail: "delegator"},
		{name: "delegator at a branch", change: func(t *testing.T, e Evidence) Evidence {
			e.SAN = strings.Replace(delegatorSAN, "refs/tags/v2.1.0", "refs/heads/main", 1)
			return e
		}, fail: "delegator"},
		{name: "builder.id at a branch", change: func(t *testing.T, e Evidence) Evidence {
			return edit(t, e, func(st map[string]any) { pred(st, "runDetails", "builder")["id"] = exampleTRW + "@refs/heads/main" })
		}, fail: "predicate builder.id"},
		{name: "forged repository", change: internal("GITHUB_REPOSITORY", "slsa-framework/other"), fail: "predicate agrees: GITHUB_REPOSITORY"},
		{name: "forged ref", change: internal("GITHUB_REF", "refs/tags/v15"), fail: "predicate agrees: GITHUB_REF"},
		{name: "forged commit", change: internal("GITHUB_SHA", strings.Repeat("0", 40)), fail: "predicate agrees: GITHUB_SHA"},
		{name: "forged event", change: internal("GITHUB_EVENT_NAME", "workflow_dispatch"), fail: "predicate agrees: event_name"},
		{name: "forged workflow", change: internal("GITHUB_WORKFLOW_REF", "slsa-framework/example-package/.github/workflows/other.yml@refs/tags/v14"),
			fail: "predicate agrees: GITHUB_WORKFLOW_REF"},
		{name: "forged dependency", change: func(t *testing.T, e Evidence) Evidence {
			return edit(t, e, func(st map[string]any) {
				dep := pred(st, "buildDefinition")["resolvedDependencies"].([]any)[0].(map[string]any)
				dep["uri"] = "git+https://github.com/slsa-framework/example-package@refs/tags/v13"
			})
		}, fail: "predicate agrees: resolvedDependencies uri"},
		{name: "forged invocation", change: func(t *testing.T, e Evidence) Evidence {
			return edit(t, e, func(st map[string]any) {
				pred(st, "runDetails", "metadata")["invocationId"] = "https://github.com/slsa-framework/example-package/actions/runs/1/attempts/1"
			})
		}, fail: "predicate agrees: invocation"},
		{name: "container-based: builder is the signer", change: func(t *testing.T, e Evidence) Evidence {
			return edit(t, e, func(st map[string]any) { pred(st, "buildDefinition")["buildType"] = BuildTypeContainerBased })
		}, fail: "predicate agrees: builder.id"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, e := base, delegated(t)
			if tc.policy != nil {
				tc.policy(&p)
			}
			if tc.change != nil {
				e = tc.change(t, e)
			}
			v := Evaluate(p, e)
			if len(v.Warnings) > 0 {
				t.Errorf("warnings %q: the build type is known", v.Warnings)
			}
			failed := v.Failed()
			if tc.fail == "" {
				if !v.OK() {
					t.Fatalf("refused: %+v", failed)
				}
				if v.Provenance.BuilderID != exampleTRW+"@refs/tags/v2.1.0" {
					t.Errorf("builder shown %q, want the predicate's", v.Provenance.BuilderID)
				}
				return
			}
			for _, c := range failed {
				if c.Name == tc.fail {
					return
				}
			}
			t.Fatalf("check %q held; failed: %+v", tc.fail, failed)
		})
	}
}

func TestEvaluate_signerRepository(t *testing.T) {
	for _, tc := range []struct {
		repo string
		ok   bool
	}{
		{"github.com/octo-org/octo-repo", true},
		{"github.com/Octo-Org/octo-repo/", true},
		{"github.com/octo-org", true},
		{"github.com/octo-org/octo", false},
		{"github.com/octo", false},
		{"github.com/other/octo-repo", false},
	} {
		t.Run(tc.repo, func(t *testing.T) {
			v := Evaluate(Policy{SourceURI: "github.com/octo-org/octo-repo", SignerRepository: tc.repo}, evidence(t, "v1"))
			if v.OK() != tc.ok {
				t.Fatalf("verdict %t, want %t: %+v", v.OK(), tc.ok, v.Failed())
			}
		})
	}
}

func TestCheckBuilder_shortTag(t *testing.T) {
	const name = "https://github.com/o/r/.github/workflows/b.yml"
	for _, tc := range []struct {
		want string
		ok   bool
	}{
		{name + "@v1.2.3", true},
		{name + "@refs/tags/v1.2.3", true},
		{name + "@refs/heads/v1.2.3", false},
		{name + "@v1.2", false},
		{name, true},
		{name + "x@v1.2.3", false},
	} {
		var held []bool
		checkBuilder(Policy{BuilderID: tc.want}, name+"@refs/tags/v1.2.3", "", func(_ string, ok bool, _ string, _ ...any) { held = append(held, ok) })
		if len(held) != 1 || held[0] != tc.ok {
			t.Errorf("builder %q: held %v, want %t", tc.want, held, tc.ok)
		}
	}
}

// TestVersionedTag holds the cases of slsa-verifier's versioned-tag
// regression tests for its v13.0.30, v14 and v14.2 samples.
func TestVersionedTag(t *testing.T) {
	for _, tc := range []struct {
		tag, want string
		ok        bool
	}{
		{"v13.0.30", "v13.0.30", true}, {"v13.0.30", "v13.0", true}, {"v13.0.30", "v13", true},
		{"v13.0.30", "v2", false}, {"v13.0.30", "v0", false}, {"v13.0.30", "v13.1", false}, {"v13.0.30", "v12.9", false},
		{"v13.0.30", "v13.0.29", false}, {"v13.0.30", "v13.0.31", false},
		{"v14", "v14", true}, {"v14", "v14.0", true}, {"v14", "v14.1", false}, {"v14", "v13", false}, {"v14", "v15", false},
		{"v14", "v13.2", false}, {"v14", "v0", false},
		{"v14.2", "v14.2", true}, {"v14.2", "v14", true}, {"v14.2", "v14.2.1", false}, {"v14.2", "v14.2.3", false},
		{"v14.2", "v14.1", false}, {"v14.2", "v14.1.1", false}, {"v14.2", "v14.3.1", false}, {"v14.2", "v15.1", false},
		{"v1.2.3-rc.1", "v1.2", true}, {"v1.2.3-rc.1", "v1.2.3", false}, {"v1.2.3-rc.1", "v1.2.3-rc.1", true},
		{"v1.2.3", "v1.2.3-rc.1", false}, {"v1.2.3+build.5", "v1.2.3", true}, {"v1.2.3", "v1.2.3+build.7", true},
		{"release-1", "v1", false},
	} {
		ok, why := versionedTag("refs/tags/"+tc.tag, tc.want)
		if ok != tc.ok {
			t.Errorf("tag %s, version %s: %t (%s), want %t", tc.tag, tc.want, ok, why, tc.ok)
		}
	}
	if ok, _ := versionedTag("refs/heads/v1", "v1"); ok {
		t.Error("a branch named v1 is a tag of version v1")
	}
	if err := (Policy{AnySource: true, SourceVersionedTag: "1.2"}).Validate(); err == nil {
		t.Error("version 1.2 (no v) accepted")
	}
}
