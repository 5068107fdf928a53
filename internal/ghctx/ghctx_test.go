package ghctx

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func claims() Claims {
	return Claims{
		Issuer: "https://token.actions.githubusercontent.com", Repository: "octo-org/octo-repo", RepositoryID: "123",
		RepositoryOwner: "octo-org", RepositoryOwnerID: "456", Ref: "refs/tags/v1.2.3", SHA: "c27d339ee6075c1f744c5d4b200f7901aad2c369",
		EventName: "push", WorkflowRef: "octo-org/octo-repo/.github/workflows/release.yml@refs/tags/v1.2.3",
		JobWorkflowRef: "octo-org/octo-repo/.github/workflows/release.yml@refs/tags/v1.2.3", RunID: "789", RunAttempt: "1",
		RunnerEnvironment: "github-hosted",
	}
}

func TestParseClaims(t *testing.T) {
	t.Parallel()
	b, _ := json.Marshal(map[string]any{
		"iss": "https://x", "ref": "refs/heads/main", "sha": "abc", "repository": "o/r", "repository_owner": "o",
		"event_name": "push", "job_workflow_ref": "o/r/.github/workflows/a.yml@refs/heads/main",
		"workflow_ref": "o/r/.github/workflows/a.yml@refs/heads/main", "repository_id": 123.0, "repository_owner_id": "456",
		"runner_environment": "self-hosted", "run_id": "9", "run_attempt": "2", "ref_protected": true,
	})
	c, err := ParseClaims(b)
	if err != nil {
		t.Fatal(err)
	}
	if c.RepositoryID != "123" || c.RunnerEnvironment != "self-hosted" {
		t.Errorf("claims = %+v", c)
	}
	_, err = ParseClaims([]byte(`{"iss":"https://x","sha":"abc"}`))
	if err == nil || !strings.Contains(err.Error(), "ref, repository") {
		t.Errorf("missing claims: err = %v", err)
	}
	if _, err := ParseClaims([]byte(`[`)); err == nil {
		t.Error("bad JSON accepted")
	}
}

func TestClaims_WorkflowPath(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, repo, ref, workflowRef, want string
	}{
		{"plain", "o/r", "refs/tags/v1", "o/r/.github/workflows/rel.yml@refs/tags/v1", ".github/workflows/rel.yml"},
		{"at_in_ref", "o/r", "refs/heads/feat@x", "o/r/.github/workflows/rel.yml@refs/heads/feat@x", ".github/workflows/rel.yml"},
		{"at_in_path", "o/r", "refs/heads/main", "o/r/.github/workflows/a@b.yml@refs/heads/main", ".github/workflows/a@b.yml"},
		{"other_repo", "o/r", "refs/heads/main", "x/y/.github/workflows/a.yml@refs/heads/main", ""},
		{"other_ref", "o/r", "refs/heads/main", "o/r/.github/workflows/a.yml@refs/heads/dev", ""},
	}
	for _, tc := range cases {
		got, err := Claims{Repository: tc.repo, Ref: tc.ref, WorkflowRef: tc.workflowRef}.WorkflowPath()
		if got != tc.want || (tc.want == "") != (err != nil) {
			t.Errorf("%s: WorkflowPath() = %q, %v; want %q", tc.name, got, err, tc.want)
		}
	}
}

func TestCheckEnv(t *testing.T) {
	t.Parallel()
	good := map[string]string{
		"GITHUB_REPOSITORY": "octo-org/octo-repo", "GITHUB_REF": "refs/tags/v1.2.3",
		"GITHUB_SHA": "c27d339ee6075c1f744c5d4b200f7901aad2c369", "GITHUB_RUN_ID": "789", "RUNNER_ENVIRONMENT": "github-hosted",
	}
	getenv := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	if err := CheckEnv(claims(), getenv(good)); err != nil {
		t.Errorf("consistent environment refused: %v", err)
	}
	if err := CheckEnv(claims(), getenv(nil)); err != nil {
		t.Errorf("empty environment refused: %v", err)
	}
	bad := map[string]string{"GITHUB_REPOSITORY": "evil/repo", "GITHUB_SHA": "deadbeef", "RUNNER_ENVIRONMENT": "self-hosted"}
	err := CheckEnv(claims(), getenv(bad))
	var fe *ForgedError
	if !errors.As(err, &fe) {
		t.Fatalf("err = %v, want *ForgedError", err)
	}
	want := []string{
		`GITHUB_REPOSITORY: environment says "evil/repo", token says "octo-org/octo-repo"`,
		`GITHUB_SHA: environment says "deadbeef", token says "c27d339ee6075c1f744c5d4b200f7901aad2c369"`,
		`RUNNER_ENVIRONMENT: environment says "self-hosted", token says "github-hosted"`,
	}
	if diff := cmp.Diff(want, fe.Mismatches); diff != "" {
		t.Errorf("mismatches (-want +got):\n%s", diff)
	}
}

func TestCheckEvent(t *testing.T) {
	t.Parallel()
	const sha = "c27d339ee6075c1f744c5d4b200f7901aad2c369"
	push := `"repository":{"full_name":"octo-org/octo-repo","id":123},"ref":"refs/tags/v1.2.3","after":"` + sha + `"`
	with := func(event string, edit func(*Claims)) Claims {
		c := claims()
		c.EventName = event
		if edit != nil {
			edit(&c)
		}
		return c
	}
	cases := []struct {
		name    string
		claims  Claims
		event   string
		wantErr string // "" means accepted
	}{
		{"push", claims(), `{` + push + `}`, ""},
		{"push_case_of_repository", claims(), `{"repository":{"full_name":"Octo-Org/Octo-Repo"},"ref":"refs/tags/v1.2.3","after":"` + sha + `"}`, ""},
		{"local_run_without_payload", claims(), ``, ""},
		{"other_repository", claims(), `{"repository":{"full_name":"evil/repo"},"ref":"refs/tags/v1.2.3","after":"` + sha + `"}`, `repository.full_name: "evil/repo"`},
		{"other_repository_id", claims(), `{"repository":{"full_name":"octo-org/octo-repo","id":999},"ref":"refs/tags/v1.2.3","after":"` + sha + `"}`, `repository.id: "999"`},
		{"no_repository", claims(), `{"ref":"refs/tags/v1.2.3","after":"` + sha + `"}`, "repository.full_name: missing"},
		{"forged_ref", claims(), `{"repository":{"full_name":"octo-org/octo-repo"},"ref":"refs/heads/evil","after":"` + sha + `"}`, `ref: "refs/heads/evil"`},
		{"push_without_after", claims(), `{"repository":{"full_name":"octo-org/octo-repo"},"ref":"refs/tags/v1.2.3"}`, "after: missing"},
		{"forged_inputs_on_push", claims(), `{` + push + `,"inputs":{"deploy":"prod"}}`, "only workflow_dispatch events carry inputs"},
		{"dispatch_inputs", with("workflow_dispatch", nil), `{"repository":{"full_name":"octo-org/octo-repo"},"ref":"refs/tags/v1.2.3","inputs":{"a":"b"}}`, ""},
		{"dispatch_without_ref", with("workflow_dispatch", nil), `{"repository":{"full_name":"octo-org/octo-repo"},"inputs":{"a":"b"}}`, "ref: missing"},
		{"release", with("release", nil), `{"repository":{"full_name":"octo-org/octo-repo"},"release":{"tag_name":"v1.2.3"}}`, ""},
		{"release_other_tag", with("release", nil), `{"repository":{"full_name":"octo-org/octo-repo"},"release":{"tag_name":"v9"}}`, `release.tag_name: "v9"`},
		{"pull_request", with("pull_request", func(c *Claims) { c.Ref = "refs/pull/42/merge" }), `{"repository":{"full_name":"octo-org/octo-repo"},"number":42}`, ""},
		{"pull_request_other_number", with("pull_request", func(c *Claims) { c.Ref = "refs/pull/42/merge" }), `{"repository":{"full_name":"octo-org/octo-repo"},"number":7}`, `number: "7"`},
		{"pull_request_target", with("pull_request_target", func(c *Claims) { c.Ref = "refs/heads/main" }), `{"repository":{"full_name":"octo-org/octo-repo"},"pull_request":{"base":{"ref":"main"}}}`, ""},
		{"schedule_without_repository", with("schedule", nil), `{"schedule":"30 5 * * 1"}`, ""},
		{"not_json", claims(), `{`, "not a webhook payload"},
		{"number_out_of_range", with("workflow_dispatch", nil), `{"repository":{"full_name":"octo-org/octo-repo"},"ref":"refs/tags/v1.2.3","sender":{"n":1e1000}}`, `field "sender.n" is the number 1e1000, which is out of range`},
		{"wrong_kind", claims(), `{"repository":"octo-org/octo-repo"}`, `field "repository" is a JSON string but must be an object`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := CheckEvent(tc.claims, json.RawMessage(tc.event))
			switch {
			case tc.wantErr == "" && err != nil:
				t.Errorf("CheckEvent = %v, want nil", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Errorf("CheckEvent = %v, want an error containing %q", err, tc.wantErr)
			}
		})
	}
}

// TestCheckEvent_fixtures checks every recorded GitHub context: the real
// payloads agree with their tokens.
func TestCheckEvent_fixtures(t *testing.T) {
	t.Parallel()
	dirs, err := filepath.Glob(filepath.Join("..", "..", "testdata", "github", "*", "event.json"))
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	for _, ev := range dirs {
		payload, err := os.ReadFile(ev)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := os.ReadFile(filepath.Join(filepath.Dir(ev), "claims.json"))
		if err != nil {
			t.Fatal(err)
		}
		c, err := ParseClaims(withIssuer(raw))
		if err != nil {
			t.Fatalf("%s: %v", ev, err)
		}
		if err := CheckEvent(c, payload); err != nil {
			t.Errorf("%s: %v", filepath.Base(filepath.Dir(ev)), err)
		}
	}
}

func withIssuer(claims []byte) []byte {
	var m map[string]any
	json.Unmarshal(claims, &m)
	if _, ok := m["iss"]; !ok {
		m["iss"] = "https://token.actions.githubusercontent.com"
	}
	out, _ := json.Marshal(m)
	return out
}

func TestContext_derived(t *testing.T) {
	t.Parallel()
	c := Context{ServerURL: "https://github.com", Claims: claims()}
	got := []string{c.RepositoryURL(), c.BuilderID(), c.InvocationID(), c.SourceURI()}
	want := []string{
		"https://github.com/octo-org/octo-repo",
		"https://github.com/octo-org/octo-repo/.github/workflows/release.yml@refs/tags/v1.2.3",
		"https://github.com/octo-org/octo-repo/actions/runs/789/attempts/1",
		"git+https://github.com/octo-org/octo-repo@refs/tags/v1.2.3",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("derived values (-want +got):\n%s", diff)
	}
	for _, bad := range []string{"github.com", "https://github.com/x", "ftp://github.com"} {
		if err := (Context{ServerURL: bad, Claims: claims()}).Validate(); err == nil {
			t.Errorf("Validate accepted server %q", bad)
		}
	}
}
