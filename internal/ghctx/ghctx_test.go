package ghctx

import (
	"encoding/json"
	"errors"
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
	cases := []struct {
		event   string
		wantErr bool
	}{
		{`{"repository":{"full_name":"octo-org/octo-repo"}}`, false},
		{`{"repository":{"full_name":"Octo-Org/Octo-Repo"}}`, false},
		{`{"inputs":{}}`, false},
		{``, false},
		{`{"repository":{"full_name":"evil/repo"}}`, true},
		{`{`, true},
	}
	for _, tc := range cases {
		if err := CheckEvent(claims(), json.RawMessage(tc.event)); (err != nil) != tc.wantErr {
			t.Errorf("CheckEvent(%s) = %v, wantErr %v", tc.event, err, tc.wantErr)
		}
	}
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
