package ghctx

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/provenant/provenant/internal/input"
)

// Context is everything provenance is built from, apart from the subjects.
type Context struct {
	// ServerURL is the GitHub server, such as "https://github.com" or
	// "https://acme.ghe.com", without a trailing slash.
	ServerURL string
	// Claims are the verified token claims; the source of truth for every
	// identity fact.
	Claims Claims
	// Event is the webhook payload from GITHUB_EVENT_PATH, or nil when none
	// was available (a local run).
	Event json.RawMessage
	// StartedOn is when provenance generation started.
	StartedOn time.Time
}

// Validate checks that the context is complete and self-consistent.
func (c Context) Validate() error {
	u, err := url.Parse(c.ServerURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.Path != "" {
		return fmt.Errorf("server URL %q is not of the form https://host", c.ServerURL)
	}
	if _, err := c.Claims.WorkflowPath(); err != nil {
		return err
	}
	if len(c.Event) > 0 && !json.Valid(c.Event) {
		return fmt.Errorf("event payload is not valid JSON")
	}
	return nil
}

// RepositoryURL returns the repository's web address, e.g.
// https://github.com/octo-org/octo-repo.
func (c Context) RepositoryURL() string {
	return c.ServerURL + "/" + c.Claims.Repository
}

// BuilderID returns the builder identity: the server URL joined with the
// job_workflow_ref claim. It equals the SAN of the certificate Fulcio issues
// for this token (on github.com).
func (c Context) BuilderID() string {
	return c.ServerURL + "/" + c.Claims.JobWorkflowRef
}

// InvocationID returns the URL of this run attempt.
func (c Context) InvocationID() string {
	return c.RepositoryURL() + "/actions/runs/" + c.Claims.RunID + "/attempts/" + c.Claims.RunAttempt
}

// SourceURI returns the git URI of the source at the run's ref, e.g.
// git+https://github.com/octo-org/octo-repo@refs/tags/v1.2.3.
func (c Context) SourceURI() string {
	return "git+" + c.RepositoryURL() + "@" + c.Claims.Ref
}

// EventInputs returns the "inputs" object of the event payload
// (workflow_dispatch), or nil when there is none.
func (c Context) EventInputs() (map[string]any, error) {
	if len(c.Event) == 0 {
		return nil, nil
	}
	var ev struct {
		Inputs map[string]any `json:"inputs"`
	}
	if err := json.Unmarshal(c.Event, &ev); err != nil {
		return nil, fmt.Errorf("decoding the event payload: %s", input.DescribeJSON(err))
	}
	return ev.Inputs, nil
}

// TrimServerURL normalises a server URL by removing trailing slashes.
func TrimServerURL(s string) string {
	return strings.TrimRight(s, "/")
}
