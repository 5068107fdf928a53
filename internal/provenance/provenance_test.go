package provenance

import (
	"bytes"
	"encoding/json"
	"flag"
	"github.com/provenant/provenant/internal/intoto"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/provenant/provenant/internal/ghctx"
)

var update = flag.Bool("update", false, "rewrite the golden files")

var scenarios = []string{
	"tag_push", "branch_push", "release_published", "workflow_dispatch_inputs",
	"pull_request_same_repo", "reusable_workflow_call", "ghe_tenant",
}

var testSubjects = []intoto.Subject{
	{Name: "app_1.2.3_linux_amd64.tar.gz", Digest: map[string]string{"sha256": "b569bf992b287f55d78bf8ee476497e9b7e9d2bf1c338860bfb905016218c740"}},
	{Name: "app_1.2.3_darwin_arm64.tar.gz", Digest: map[string]string{"sha256": "a54fc515e616cac7fcf11a49d5c5ec9ec315948a5935c1e11dd610b834b14dde"}},
}

var startedOn = time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)

// loadScenario reads a fixture GitHub context from testdata/github.
func loadScenario(t testing.TB, name string) ghctx.Context {
	t.Helper()
	dir := filepath.Join("..", "..", "testdata", "github", name)
	claimsJSON := readFile(t, filepath.Join(dir, "claims.json"))
	var claims map[string]any
	if err := json.Unmarshal(claimsJSON, &claims); err != nil {
		t.Fatal(err)
	}
	claims["iss"] = "https://token.actions.githubusercontent.com"
	b, _ := json.Marshal(claims)
	c, err := ghctx.ParseClaims(b)
	if err != nil {
		t.Fatalf("ParseClaims(%s): %v", name, err)
	}
	var env map[string]string
	if err := json.Unmarshal(readFile(t, filepath.Join(dir, "env.json")), &env); err != nil {
		t.Fatal(err)
	}
	return ghctx.Context{ServerURL: env["GITHUB_SERVER_URL"], Claims: c, Event: readFile(t, filepath.Join(dir, "event.json")), StartedOn: startedOn}
}

func readFile(t testing.TB, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestBuild_golden(t *testing.T) {
	t.Parallel()
	for _, sc := range scenarios {
		for _, v := range []Version{V1, V02} {
			t.Run(sc+"_"+string(v), func(t *testing.T) {
				t.Parallel()
				c := loadScenario(t, sc)
				o := Options{Version: v}
				if v == V02 {
					in, err := c.EventInputs()
					if err != nil {
						t.Fatal(err)
					}
					o.Inputs = in
				}
				got, err := Build(c, testSubjects, o)
				if err != nil {
					t.Fatalf("Build() error: %v", err)
				}
				golden := filepath.Join("..", "..", "testdata", "golden", "provenance", sc+"_"+strings.ReplaceAll(string(v), ".", "")+".golden.json")
				compareGolden(t, golden, got)
			})
		}
	}
}

// compareGolden compares parsed JSON values, never bytes: protojson's
// whitespace is deliberately unstable.
func compareGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		var b bytes.Buffer
		if err := json.Indent(&b, got, "", "  "); err != nil {
			t.Fatal(err)
		}
		b.WriteByte('\n')
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var want, have any
	if err := json.Unmarshal(readFile(t, path), &want); err != nil {
		t.Fatalf("golden %s: %v", path, err)
	}
	if err := json.Unmarshal(got, &have); err != nil {
		t.Fatalf("output is not JSON: %v", err)
	}
	if diff := cmp.Diff(want, have); diff != "" {
		t.Errorf("Build() mismatch with %s (-want +got):\n%s", path, diff)
	}
}

// get walks a decoded JSON value along a dotted path; numeric segments
// index arrays.
func get(t *testing.T, v any, path string) any {
	t.Helper()
	for _, seg := range strings.Split(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			v = x[seg]
		case []any:
			var i int
			if _, err := fmtSscan(seg, &i); err != nil || i >= len(x) {
				t.Fatalf("path %s: bad index %s", path, seg)
			}
			v = x[i]
		default:
			t.Fatalf("path %s: %T at %s", path, v, seg)
		}
	}
	return v
}

func decode(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestBuild_v1Fields checks the build type's field mapping directly, so the
// golden files are not the only judge.
func TestBuild_v1Fields(t *testing.T) {
	t.Parallel()
	cases := []struct {
		scenario string
		want     map[string]any
	}{
		{"tag_push", map[string]any{
			"_type":                               "https://in-toto.io/Statement/v1",
			"predicateType":                       "https://slsa.dev/provenance/v1",
			"predicate.buildDefinition.buildType": "https://actions.github.io/buildtypes/workflow/v1",
			"predicate.buildDefinition.externalParameters.workflow.ref":              "refs/tags/v1.2.3",
			"predicate.buildDefinition.externalParameters.workflow.repository":       "https://github.com/octo-org/octo-repo",
			"predicate.buildDefinition.externalParameters.workflow.path":             ".github/workflows/release.yml",
			"predicate.buildDefinition.internalParameters.github.event_name":         "push",
			"predicate.buildDefinition.internalParameters.github.repository_id":      "123",
			"predicate.buildDefinition.internalParameters.github.runner_environment": "github-hosted",
			"predicate.buildDefinition.resolvedDependencies.0.uri":                   "git+https://github.com/octo-org/octo-repo@refs/tags/v1.2.3",
			"predicate.buildDefinition.resolvedDependencies.0.digest.gitCommit":      "c27d339ee6075c1f744c5d4b200f7901aad2c369",
			"predicate.runDetails.builder.id":                                        "https://github.com/octo-org/octo-repo/.github/workflows/release.yml@refs/tags/v1.2.3",
			"predicate.runDetails.metadata.invocationId":                             "https://github.com/octo-org/octo-repo/actions/runs/789/attempts/1",
			"predicate.runDetails.metadata.startedOn":                                "2026-01-01T12:00:00Z",
			"subject.1.name": "app_1.2.3_darwin_arm64.tar.gz",
		}},
		{"reusable_workflow_call", map[string]any{
			"predicate.runDetails.builder.id":                            "https://github.com/octo-org/provenant/.github/workflows/generator_generic_slsa3.yml@refs/tags/v1.0.0",
			"predicate.buildDefinition.externalParameters.workflow.path": ".github/workflows/release.yml",
		}},
		{"ghe_tenant", map[string]any{
			"predicate.buildDefinition.externalParameters.workflow.repository": "https://acme-corp.ghe.com/platform/widgets",
			"predicate.runDetails.builder.id":                                  "https://acme-corp.ghe.com/platform/widgets/.github/workflows/release.yml@refs/tags/v0.9.0",
		}},
		{"pull_request_same_repo", map[string]any{
			"predicate.buildDefinition.externalParameters.workflow.ref":      "refs/pull/42/merge",
			"predicate.buildDefinition.internalParameters.github.event_name": "pull_request",
		}},
		{"workflow_dispatch_inputs", map[string]any{
			"predicate.runDetails.metadata.invocationId": "https://github.com/octo-org/octo-repo/actions/runs/789/attempts/2",
		}},
	}
	for _, tc := range cases {
		t.Run(tc.scenario, func(t *testing.T) {
			t.Parallel()
			out, err := Build(loadScenario(t, tc.scenario), testSubjects, Options{})
			if err != nil {
				t.Fatal(err)
			}
			m := decode(t, out)
			for path, want := range tc.want {
				if got := get(t, m, path); !cmp.Equal(want, got) {
					t.Errorf("%s = %v, want %v", path, got, want)
				}
			}
			ext := get(t, m, "predicate.buildDefinition.externalParameters").(map[string]any)
			if _, ok := ext["inputs"]; ok {
				t.Error("externalParameters.inputs present without opting in")
			}
		})
	}
}

func TestBuild_v1OptIns(t *testing.T) {
	t.Parallel()
	c := loadScenario(t, "workflow_dispatch_inputs")
	in, err := c.EventInputs()
	if err != nil {
		t.Fatal(err)
	}
	in["empty"] = ""
	out, err := Build(c, testSubjects, Options{Inputs: in, Vars: map[string]any{"REGION": "eu"}})
	if err != nil {
		t.Fatal(err)
	}
	m := decode(t, out)
	want := map[string]any{"version": "1.3.0", "dry_run": "false", "channel": "stable"}
	if diff := cmp.Diff(want, get(t, m, "predicate.buildDefinition.externalParameters.inputs")); diff != "" {
		t.Errorf("inputs mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]any{"REGION": "eu"}, get(t, m, "predicate.buildDefinition.externalParameters.vars")); diff != "" {
		t.Errorf("vars mismatch (-want +got):\n%s", diff)
	}
}

// slsaV02 mirrors in-toto-golang's SLSA v0.2 structs, the ones
// slsa-github-generator marshals, so that decoding with
// DisallowUnknownFields proves strict consumers can read our output.
type slsaV02 struct {
	Type          string `json:"_type"`
	PredicateType string `json:"predicateType"`
	Subject       []struct {
		Name   string            `json:"name"`
		Digest map[string]string `json:"digest"`
	} `json:"subject"`
	Predicate struct {
		Builder struct {
			ID string `json:"id"`
		} `json:"builder"`
		BuildType  string `json:"buildType"`
		Invocation struct {
			ConfigSource struct {
				URI        string            `json:"uri"`
				Digest     map[string]string `json:"digest"`
				EntryPoint string            `json:"entryPoint"`
			} `json:"configSource"`
			Parameters  map[string]any `json:"parameters"`
			Environment map[string]any `json:"environment"`
		} `json:"invocation"`
		BuildConfig any `json:"buildConfig"`
		Metadata    *struct {
			BuildInvocationID string     `json:"buildInvocationID"`
			BuildStartedOn    *time.Time `json:"buildStartedOn"`
			BuildFinishedOn   *time.Time `json:"buildFinishedOn"`
			Completeness      struct {
				Parameters  bool `json:"parameters"`
				Environment bool `json:"environment"`
				Materials   bool `json:"materials"`
			} `json:"completeness"`
			Reproducible bool `json:"reproducible"`
		} `json:"metadata"`
		Materials []struct {
			URI    string            `json:"uri"`
			Digest map[string]string `json:"digest"`
		} `json:"materials"`
	} `json:"predicate"`
}

func TestBuild_v02GeneratorLayout(t *testing.T) {
	t.Parallel()
	c := loadScenario(t, "workflow_dispatch_inputs")
	in, _ := c.EventInputs()
	out, err := Build(c, testSubjects, Options{Version: V02, Inputs: in, Vars: map[string]any{"MY_VAR": "x"}})
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(out))
	dec.DisallowUnknownFields()
	var p slsaV02
	if err := dec.Decode(&p); err != nil {
		t.Fatalf("strict decoding as slsa-github-generator's struct: %v", err)
	}
	pr := p.Predicate
	checks := []struct{ name, got, want string }{
		{"_type", p.Type, "https://in-toto.io/Statement/v0.1"},
		{"predicateType", p.PredicateType, "https://slsa.dev/provenance/v0.2"},
		{"builder.id", pr.Builder.ID, "https://github.com/octo-org/octo-repo/.github/workflows/publish.yml@refs/heads/main"},
		{"buildType", pr.BuildType, BuildTypeV02},
		{"configSource.uri", pr.Invocation.ConfigSource.URI, "git+https://github.com/octo-org/octo-repo@refs/heads/main"},
		{"configSource.entryPoint", pr.Invocation.ConfigSource.EntryPoint, ".github/workflows/publish.yml"},
		{"materials[0].uri", pr.Materials[0].URI, pr.Invocation.ConfigSource.URI},
		{"materials[0].digest.sha1", pr.Materials[0].Digest["sha1"], pr.Invocation.ConfigSource.Digest["sha1"]},
		{"buildInvocationID", pr.Metadata.BuildInvocationID, "789-2"},
	}
	for _, ck := range checks {
		if ck.got != ck.want {
			t.Errorf("%s = %q, want %q", ck.name, ck.got, ck.want)
		}
	}
	if !pr.Metadata.Completeness.Parameters || pr.Metadata.Completeness.Environment || pr.Metadata.Completeness.Materials || pr.Metadata.Reproducible {
		t.Errorf("completeness/reproducible = %+v / %v, want parameters only", pr.Metadata.Completeness, pr.Metadata.Reproducible)
	}
	wantEnv := []string{"github_actor", "github_actor_id", "github_base_ref", "github_event_name", "github_event_payload",
		"github_head_ref", "github_ref", "github_ref_type", "github_repository_id", "github_repository_owner",
		"github_repository_owner_id", "github_run_attempt", "github_run_id", "github_run_number", "github_sha1"}
	for _, k := range wantEnv {
		if _, ok := pr.Invocation.Environment[k]; !ok {
			t.Errorf("environment lacks %s", k)
		}
	}
	if len(pr.Invocation.Environment) != len(wantEnv) {
		t.Errorf("environment has %d keys, want %d", len(pr.Invocation.Environment), len(wantEnv))
	}
	if diff := cmp.Diff(map[string]any{"event_inputs": map[string]any{"version": "1.3.0", "dry_run": "false", "channel": "stable"}, "vars": map[string]any{"MY_VAR": "x"}}, pr.Invocation.Parameters); diff != "" {
		t.Errorf("parameters mismatch (-want +got):\n%s", diff)
	}
	// The raw JSON must use the generator's key spelling, not the proto's.
	if !bytes.Contains(out, []byte(`"buildInvocationID"`)) || bytes.Contains(out, []byte(`"buildInvocationId"`)) {
		t.Error("metadata key is not spelled buildInvocationID")
	}
}

func TestBuild_v02RedactsPayload(t *testing.T) {
	t.Parallel()
	c := loadScenario(t, "branch_push")
	out, err := Build(c, testSubjects, Options{Version: V02, RedactEventPayload: true})
	if err != nil {
		t.Fatal(err)
	}
	m := decode(t, out)
	env := get(t, m, "predicate.invocation.environment").(map[string]any)
	if _, ok := env["github_event_payload"]; ok {
		t.Error("github_event_payload present although redacted")
	}
	if got := get(t, m, "predicate.metadata.completeness.parameters"); got != false {
		t.Errorf("completeness.parameters = %v, want false without the payload", got)
	}
	if bytes.Contains(out, []byte("@")) && bytes.Contains(out, []byte("noreply")) {
		t.Error("output still carries an e-mail address from the payload")
	}
}

func TestBuild_errors(t *testing.T) {
	t.Parallel()
	good := loadScenario(t, "tag_push")
	badPath := good
	badPath.Claims.WorkflowRef = "other-org/other/.github/workflows/x.yml@refs/heads/main"
	badServer := good
	badServer.ServerURL = "github.com"
	badEvent := good
	badEvent.Event = []byte("{")
	cases := []struct {
		name     string
		c        Context
		subjects []intoto.Subject
		o        Options
		wantErr  string
	}{
		{"no_subjects", good, nil, Options{}, "no subjects"},
		{"workflow_ref_of_other_repo", badPath, testSubjects, Options{}, "workflow_ref"},
		{"server_without_scheme", badServer, testSubjects, Options{}, "server URL"},
		{"bad_event_json", badEvent, testSubjects, Options{Version: V02}, "event payload"},
		{"unknown_version", good, testSubjects, Options{Version: "v9"}, "unknown predicate version"},
		{"subject_without_digest", good, []intoto.Subject{{Name: "x"}}, Options{}, "digest"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := Build(tc.c, tc.subjects, tc.o)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("Build() error = %v, want one containing %q", err, tc.wantErr)
			}
		})
	}
}

func TestParseVersion(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]Version{"": V1, "v1": V1, "1.0": V1, PredicateV1: V1, "v0.2": V02, PredicateV02: V02} {
		if got, err := ParseVersion(in); err != nil || got != want {
			t.Errorf("ParseVersion(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := ParseVersion("v0.3"); err == nil {
		t.Error("ParseVersion(v0.3) succeeded")
	}
}
