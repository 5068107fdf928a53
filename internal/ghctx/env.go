package ghctx

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// envClaims pairs each runner environment variable with the claim that must
// hold the same value. The environment is under the control of earlier steps
// (GITHUB_ENV), the claims are not, so a disagreement means the environment
// was forged or the token belongs to another run.
var envClaims = []struct {
	env   string
	claim func(Claims) string
}{
	{"GITHUB_REPOSITORY", func(c Claims) string { return c.Repository }},
	{"GITHUB_REPOSITORY_ID", func(c Claims) string { return c.RepositoryID }},
	{"GITHUB_REPOSITORY_OWNER", func(c Claims) string { return c.RepositoryOwner }},
	{"GITHUB_REPOSITORY_OWNER_ID", func(c Claims) string { return c.RepositoryOwnerID }},
	{"GITHUB_REF", func(c Claims) string { return c.Ref }},
	{"GITHUB_SHA", func(c Claims) string { return c.SHA }},
	{"GITHUB_EVENT_NAME", func(c Claims) string { return c.EventName }},
	{"GITHUB_WORKFLOW_REF", func(c Claims) string { return c.WorkflowRef }},
	{"GITHUB_WORKFLOW_SHA", func(c Claims) string { return c.WorkflowSHA }},
	{"GITHUB_RUN_ID", func(c Claims) string { return c.RunID }},
	{"GITHUB_RUN_ATTEMPT", func(c Claims) string { return c.RunAttempt }},
	{"GITHUB_RUN_NUMBER", func(c Claims) string { return c.RunNumber }},
	{"RUNNER_ENVIRONMENT", func(c Claims) string { return c.RunnerEnvironment }},
}

// ForgedError reports environment variables or event payload fields that
// disagree with the verified token.
type ForgedError struct {
	// Mismatches lists each disagreement as "NAME: environment says X, token says Y".
	Mismatches []string
}

func (e *ForgedError) Error() string {
	return "the runner environment disagrees with the verified OIDC token, so provenance would not be trustworthy; " +
		"a step may have overwritten these variables through GITHUB_ENV, or the token is from another run: " +
		strings.Join(e.Mismatches, "; ")
}

// CheckEnv compares the runner's environment with the verified claims. A
// variable that is unset or empty is not compared (a local run has none);
// one that is set must agree. getenv is the front end's environment reader.
func CheckEnv(c Claims, getenv func(string) string) error {
	var bad []string
	for _, ec := range envClaims {
		got := getenv(ec.env)
		if want := ec.claim(c); got != "" && want != "" && got != want {
			bad = append(bad, fmt.Sprintf("%s: environment says %q, token says %q", ec.env, got, want))
		}
	}
	if len(bad) > 0 {
		return &ForgedError{Mismatches: bad}
	}
	return nil
}

// CheckRun is CheckEnv and CheckEvent together. Their disagreements come
// back as one *ForgedError, so that its explanation is printed once, with
// every mismatch after it; other problems (a payload that is not JSON) are
// joined to it.
func CheckRun(c Claims, getenv func(string) string, payload json.RawMessage) error {
	var forged ForgedError
	var other []error
	for _, err := range []error{CheckEnv(c, getenv), CheckEvent(c, payload)} {
		var fe *ForgedError
		switch {
		case errors.As(err, &fe):
			forged.Mismatches = append(forged.Mismatches, fe.Mismatches...)
		case err != nil:
			other = append(other, err)
		}
	}
	if len(forged.Mismatches) > 0 {
		other = append([]error{&forged}, other...)
	}
	return errors.Join(other...)
}
