package policy

import (
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
)

const (
	san    = "https://github.com/octo-org/octo-repo/.github/workflows/release.yml@refs/tags/v1.2.3"
	commit = "c27d339ee6075c1f744c5d4b200f7901aad2c369"
)

// evidence is what a certificate for the tag_push fixture carries, with
// that fixture's golden statement.
func evidence(t *testing.T, version string) Evidence {
	t.Helper()
	b, err := os.ReadFile("../../testdata/golden/provenance/tag_push_" + version + ".golden.json")
	if err != nil {
		t.Fatal(err)
	}
	return Evidence{Statement: b, Certificate: Certificate{SAN: san,
		Issuer:                 GitHubIssuer,
		SourceRepositoryURI:    "https://github.com/octo-org/octo-repo",
		SourceRepositoryRef:    "refs/tags/v1.2.3",
		SourceRepositoryDigest: commit,
		RunnerEnvironment:      "github-hosted",
		RunInvocationURI:       "https://github.com/octo-org/octo-repo/actions/runs/789/attempts/1",
		BuildConfigURI:         san,
		BuildTrigger:           "push",
	}}
}

// edit changes the statement JSON with f.
func edit(t *testing.T, e Evidence, f func(st map[string]any)) Evidence {
	t.Helper()
	var st map[string]any
	if err := json.Unmarshal(e.Statement, &st); err != nil {
		t.Fatal(err)
	}
	f(st)
	b, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	e.Statement = b
	return e
}

func pred(st map[string]any, path ...string) map[string]any {
	m := st["predicate"].(map[string]any)
	for _, p := range path {
		m = m[p].(map[string]any)
	}
	return m
}

func foreignBuildType(t *testing.T, e Evidence) Evidence {
	return edit(t, e, func(st map[string]any) { pred(st, "buildDefinition")["buildType"] = "https://example.com/build/v1" })
}

// workflow2024 rewrites a v1 statement as actions/attest-build-provenance
// wrote it in 2024: the community build type, the runner as the builder
// and no runner environment.
func workflow2024(runner string) func(t *testing.T, e Evidence) Evidence {
	return func(t *testing.T, e Evidence) Evidence {
		return edit(t, e, func(st map[string]any) {
			pred(st, "buildDefinition")["buildType"] = BuildTypeSLSAWorkflow
			pred(st, "runDetails", "builder")["id"] = "https://github.com/actions/runner/" + runner
			delete(pred(st, "buildDefinition", "internalParameters", "github"), "runner_environment")
		})
	}
}

// npm rewrites a v0.2 statement in npm's layout.
func npm(event string) func(t *testing.T, e Evidence) Evidence {
	return func(t *testing.T, e Evidence) Evidence {
		return edit(t, e, func(st map[string]any) {
			pred(st)["buildType"] = BuildTypeNPM
			pred(st, "builder")["id"] = "https://github.com/actions/runner"
			pred(st, "invocation")["environment"] = map[string]any{"GITHUB_EVENT_NAME": event,
				"GITHUB_WORKFLOW_REF": "octo-org/octo-repo/.github/workflows/release.yml@refs/tags/v1.2.3"}
		})
	}
}

func TestEvaluate(t *testing.T) {
	base := Policy{SourceURI: "github.com/octo-org/octo-repo"}
	tests := []struct {
		name    string
		version string
		policy  func(p *Policy)
		change  func(t *testing.T, e Evidence) Evidence
		// fail is the check that must fail; "" means every check holds.
		fail string
		// warn is in a warning of the verdict.
		warn string
	}{
		{name: "v1 accepted", version: "v1"},
		{name: "v0.2 accepted", version: "v02"},
		{name: "full policy v1", version: "v1", policy: func(p *Policy) {
			p.SourceURI = "https://github.com/octo-org/octo-repo"
			p.SourceRef = "refs/tags/v1.2.3"
			p.BuilderID = san
			p.SignerWorkflow = "octo-org/octo-repo/.github/workflows/release.yml"
			p.DenySelfHosted = true
			p.PredicateTypes = []string{SLSAv1}
		}},
		{name: "builder name at a tag", version: "v02", policy: func(p *Policy) {
			p.BuilderID = "https://github.com/octo-org/octo-repo/.github/workflows/release.yml"
		}},
		{name: "signer workflow with host", version: "v1", policy: func(p *Policy) {
			p.SignerWorkflow = "github.com/octo-org/octo-repo/.github/workflows/release.yml"
		}},
		{name: "wrong repository", version: "v1", policy: func(p *Policy) { p.SourceURI = "github.com/octo-org/other" }, fail: "source repository"},
		{name: "owner", version: "v1", policy: func(p *Policy) { p.SourceURI, p.SourceOwner = "", "github.com/Octo-Org" }},
		{name: "wrong owner", version: "v1", policy: func(p *Policy) { p.SourceURI, p.SourceOwner = "", "github.com/octo" }, fail: "source owner"},
		{name: "wrong ref", version: "v1", policy: func(p *Policy) { p.SourceRef = "refs/tags/v1.2.4" }, fail: "source ref"},
		{name: "wrong builder", version: "v1", policy: func(p *Policy) {
			p.BuilderID = "https://github.com/octo-org/octo-repo/.github/workflows/other.yml@refs/tags/v1.2.3"
		}, fail: "builder"},
		{name: "builder not at a tag", version: "v1", policy: func(p *Policy) {
			p.BuilderID = "https://github.com/octo-org/octo-repo/.github/workflows/release.yml"
		}, change: func(t *testing.T, e Evidence) Evidence {
			e.SAN = strings.Replace(e.SAN, "refs/tags/v1.2.3", "refs/heads/main", 1)
			return e
		}, fail: "builder"},
		{name: "wrong signer workflow", version: "v1", policy: func(p *Policy) {
			p.SignerWorkflow = "octo-org/octo-repo/.github/workflows/other.yml"
		}, fail: "signer workflow"},
		{name: "wrong issuer", version: "v1", policy: func(p *Policy) { p.Issuer = "https://issuer.example" }, fail: "certificate issuer"},
		{name: "self-hosted runner", version: "v1", policy: func(p *Policy) { p.DenySelfHosted = true },
			change: func(t *testing.T, e Evidence) Evidence { e.RunnerEnvironment = "self-hosted"; return e }, fail: "runner"},
		{name: "predicate type not wanted", version: "v02", policy: func(p *Policy) { p.PredicateTypes = []string{SLSAv1} }, fail: "predicate type"},
		{name: "unknown predicate type", version: "v1", change: func(t *testing.T, e Evidence) Evidence {
			return edit(t, e, func(st map[string]any) { st["predicateType"] = "https://example.com/custom/v1" })
		}, fail: "predicate type"},
		{name: "v1 builder.id disagrees", version: "v1", change: func(t *testing.T, e Evidence) Evidence {
			return edit(t, e, func(st map[string]any) {
				pred(st, "runDetails", "builder")["id"] = "https://github.com/evil/repo/.github/workflows/x.yml@refs/tags/v1"
			})
		}, fail: "predicate agrees: builder.id"},
		{name: "v1 repository disagrees", version: "v1", change: func(t *testing.T, e Evidence) Evidence {
			return edit(t, e, func(st map[string]any) {
				pred(st, "buildDefinition", "externalParameters", "workflow")["repository"] = "https://github.com/evil/repo"
			})
		}, fail: "predicate agrees: workflow repository"},
		{name: "v1 commit disagrees", version: "v1", change: func(t *testing.T, e Evidence) Evidence {
			return edit(t, e, func(st map[string]any) {
				deps := pred(st, "buildDefinition")["resolvedDependencies"].([]any)
				deps[0].(map[string]any)["digest"] = map[string]any{"gitCommit": strings.Repeat("0", 40)}
			})
		}, fail: "predicate agrees: source commit"},
		{name: "v1 foreign build type required known", version: "v1", policy: func(p *Policy) { p.RequireKnownBuildType = true },
			change: foreignBuildType, fail: "build type"},
		{name: "v1 foreign build type", version: "v1", change: foreignBuildType, warn: "not cross-checked"},
		{name: "v1 resolvedDependencies uri disagrees", version: "v1", change: func(t *testing.T, e Evidence) Evidence {
			return edit(t, e, func(st map[string]any) {
				deps := pred(st, "buildDefinition")["resolvedDependencies"].([]any)
				deps[0].(map[string]any)["uri"] = "git+https://github.com/evil/repo@refs/tags/v1.2.3"
			})
		}, fail: "predicate agrees: resolvedDependencies uri"},
		{name: "v1 workflow path disagrees", version: "v1", change: func(t *testing.T, e Evidence) Evidence {
			return edit(t, e, func(st map[string]any) {
				pred(st, "buildDefinition", "externalParameters", "workflow")["path"] = ".github/workflows/other.yml"
			})
		}, fail: "predicate agrees: workflow path"},
		{name: "v1 event disagrees", version: "v1", change: func(t *testing.T, e Evidence) Evidence {
			return edit(t, e, func(st map[string]any) {
				pred(st, "buildDefinition", "internalParameters", "github")["event_name"] = "workflow_dispatch"
			})
		}, fail: "predicate agrees: event_name"},
		{name: "v1 2024 build type", version: "v1", change: workflow2024("github-hosted")},
		{name: "v1 2024 build type on another runner", version: "v1", change: workflow2024("self-hosted"), fail: "predicate agrees: builder.id (runner)"},
		{name: "v1 2024 build type, workflow of another path", version: "v1", change: func(t *testing.T, e Evidence) Evidence {
			e = workflow2024("github-hosted")(t, e)
			e.BuildConfigURI = strings.Replace(e.BuildConfigURI, "release.yml", "other.yml", 1)
			return e
		}, fail: "predicate agrees: workflow path"},
		{name: "v0.2 entry point disagrees", version: "v02", change: func(t *testing.T, e Evidence) Evidence {
			return edit(t, e, func(st map[string]any) {
				pred(st, "invocation", "configSource")["entryPoint"] = ".github/workflows/x.yml"
			})
		}, fail: "predicate agrees: workflow path"},
		{name: "v0.2 event disagrees", version: "v02", change: func(t *testing.T, e Evidence) Evidence {
			return edit(t, e, func(st map[string]any) { pred(st, "invocation", "environment")["github_event_name"] = "release" })
		}, fail: "predicate agrees: event_name"},
		{name: "v0.2 npm", version: "v02", change: npm("push")},
		{name: "v0.2 npm event disagrees", version: "v02", change: npm("workflow_dispatch"), fail: "predicate agrees: event_name"},
		{name: "v0.2 ref disagrees", version: "v02", change: func(t *testing.T, e Evidence) Evidence {
			return edit(t, e, func(st map[string]any) {
				pred(st, "invocation", "configSource")["uri"] = "git+https://github.com/octo-org/octo-repo@refs/heads/evil"
			})
		}, fail: "predicate agrees: configSource ref"},
		{name: "v0.2 builder.id disagrees", version: "v02", change: func(t *testing.T, e Evidence) Evidence {
			return edit(t, e, func(st map[string]any) { pred(st, "builder")["id"] = "https://example.com/builder" })
		}, fail: "predicate agrees: builder.id"},
		{name: "statement v0.1 with SLSA v1 (cosign)", version: "v1", change: func(t *testing.T, e Evidence) Evidence {
			return edit(t, e, func(st map[string]any) { st["_type"] = "https://in-toto.io/Statement/v0.1" })
		}},
		{name: "unknown statement type", version: "v1", change: func(t *testing.T, e Evidence) Evidence {
			return edit(t, e, func(st map[string]any) { st["_type"] = "https://example.com/Statement/v9" })
		}, fail: "statement type"},
		{name: "not a statement", version: "v1", change: func(t *testing.T, e Evidence) Evidence {
			e.Statement = []byte("not json")
			return e
		}, fail: "statement"},
		{name: "workflow input missing", version: "v1", policy: func(p *Policy) { p.WorkflowInputs = map[string]string{"version": "1.3.0"} },
			fail: "workflow input version"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := base
			if tt.policy != nil {
				tt.policy(&p)
			}
			if err := p.Validate(); err != nil {
				t.Fatalf("Validate: %v", err)
			}
			e := evidence(t, tt.version)
			if tt.change != nil {
				e = tt.change(t, e)
			}
			v := Evaluate(p, e)
			failed := v.Failed()
			if tt.fail == "" {
				if !v.OK() {
					t.Fatalf("refused: %+v", failed)
				}
				if v.Provenance.Commit != commit || v.Provenance.BuilderID != san || len(v.Provenance.Subjects) != 2 {
					t.Errorf("provenance summary = %+v", v.Provenance)
				}
				if got := strings.Join(v.Warnings, "\n"); (tt.warn == "") != (got == "") || !strings.Contains(got, tt.warn) {
					t.Errorf("warnings = %q, want %q", got, tt.warn)
				}
				return
			}
			if v.OK() {
				t.Fatalf("accepted; want %q to fail", tt.fail)
			}
			found := false
			for _, c := range failed {
				if c.Name == tt.fail {
					found = true
				}
				if c.Detail == "" {
					t.Errorf("check %s failed without saying what was seen", c.Name)
				}
			}
			if !found {
				t.Errorf("failed checks = %+v, want %q among them", failed, tt.fail)
			}
		})
	}
}

func TestEvaluate_workflowInputs(t *testing.T) {
	for _, version := range []string{"v1", "v02"} {
		b, err := os.ReadFile("../../testdata/golden/provenance/workflow_dispatch_inputs_" + version + ".golden.json")
		if err != nil {
			t.Fatal(err)
		}
		if version == "v1" {
			// include-inputs: true records them here.
			b = edit(t, Evidence{Statement: b}, func(st map[string]any) {
				pred(st, "buildDefinition", "externalParameters")["inputs"] = map[string]any{"version": "1.3.0", "channel": "stable"}
			}).Statement
		}
		p := Policy{AnySource: true, WorkflowInputs: map[string]string{"version": "1.3.0", "channel": "stable"}}
		v := Evaluate(p, Evidence{Statement: b})
		for _, c := range v.Checks {
			if strings.HasPrefix(c.Name, "workflow input") && !c.OK {
				t.Errorf("%s: %s", version, c.Detail)
			}
		}
		p.WorkflowInputs["channel"] = "beta"
		v = Evaluate(p, Evidence{Statement: b})
		refused := false
		for _, c := range v.Failed() {
			refused = refused || c.Name == "workflow input channel"
		}
		if !refused {
			t.Errorf("%s: channel=beta was not refused", version)
		}
	}
}

func TestPolicy_Validate(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		p         Policy
		wantField string // "" with wantErr nil: accepted
		wantErr   error
	}{
		{"no_source", Policy{}, "", ErrNoSource},
		{"any_source", Policy{AnySource: true}, "", nil},
		{"owner", Policy{SourceOwner: "github.com/octo-org"}, "", nil},
		{"owner_without_host", Policy{SourceOwner: "octo-org"}, "SourceOwner", nil},
		{"source_without_host", Policy{SourceURI: "octo-org/octo-repo"}, "SourceURI", nil},
		{"short_ref", Policy{SourceURI: "github.com/octo-org/octo-repo", SourceRef: "v1.2.3"}, "SourceRef", nil},
		{"unknown_predicate", Policy{AnySource: true, PredicateTypes: []string{"https://example.com/x"}}, "PredicateTypes", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := tc.p.Validate()
			var fe *FieldError
			switch {
			case tc.wantErr != nil:
				if !errors.Is(err, tc.wantErr) {
					t.Errorf("Validate() = %v, want %v", err, tc.wantErr)
				}
			case tc.wantField != "":
				if !errors.As(err, &fe) || fe.Field != tc.wantField {
					t.Errorf("Validate() = %v, want a *FieldError for %s", err, tc.wantField)
				}
			case err != nil:
				t.Errorf("Validate() = %v, want nil", err)
			}
			if err != nil && strings.Contains(err.Error(), "--") {
				t.Errorf("Validate() names a command-line flag: %v", err)
			}
		})
	}
}
