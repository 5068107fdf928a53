package ghctx

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/provenant/provenant/internal/input"
)

// Claims are the claims of a verified GitHub Actions OIDC token that
// provenance uses. All values are strings, as GitHub writes them. See
// https://docs.github.com/en/actions/reference/security/oidc for their
// meaning.
type Claims struct {
	Issuer               string `json:"iss"`
	Subject              string `json:"sub"`
	Actor                string `json:"actor"`
	ActorID              string `json:"actor_id"`
	BaseRef              string `json:"base_ref"`
	HeadRef              string `json:"head_ref"`
	Environment          string `json:"environment"`
	EventName            string `json:"event_name"`
	JobWorkflowRef       string `json:"job_workflow_ref"`
	JobWorkflowSHA       string `json:"job_workflow_sha"`
	Ref                  string `json:"ref"`
	RefType              string `json:"ref_type"`
	Repository           string `json:"repository"`
	RepositoryID         string `json:"repository_id"`
	RepositoryOwner      string `json:"repository_owner"`
	RepositoryOwnerID    string `json:"repository_owner_id"`
	RepositoryVisibility string `json:"repository_visibility"`
	RunAttempt           string `json:"run_attempt"`
	RunID                string `json:"run_id"`
	RunNumber            string `json:"run_number"`
	RunnerEnvironment    string `json:"runner_environment"`
	SHA                  string `json:"sha"`
	Workflow             string `json:"workflow"`
	WorkflowRef          string `json:"workflow_ref"`
	WorkflowSHA          string `json:"workflow_sha"`
}

// requiredClaims are the claims provenance cannot be built without: the
// union of what actions/attest reads and what the SLSA v0.2 layout needs.
var requiredClaims = []string{
	"iss", "ref", "sha", "repository", "repository_owner", "event_name",
	"job_workflow_ref", "workflow_ref", "repository_id", "repository_owner_id",
	"runner_environment", "run_id", "run_attempt",
}

// ParseClaims decodes the payload of a verified token into Claims. Numbers
// and booleans are accepted and turned into their string form, since some
// issuers are less strict than GitHub. It refuses a payload that lacks any
// claim provenance needs, naming every missing one.
func ParseClaims(payload []byte) (Claims, error) {
	var raw map[string]any
	if err := json.Unmarshal(payload, &raw); err != nil {
		return Claims{}, fmt.Errorf("decoding token claims: %s", input.DescribeJSON(err))
	}
	str := make(map[string]string, len(raw))
	for k, v := range raw {
		switch t := v.(type) {
		case string:
			str[k] = t
		case float64:
			str[k] = strconv.FormatFloat(t, 'f', -1, 64)
		case bool:
			str[k] = strconv.FormatBool(t)
		}
	}
	var missing []string
	for _, k := range requiredClaims {
		if str[k] == "" {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		return Claims{}, fmt.Errorf("token lacks the claims %s, which provenance needs: is this a GitHub Actions token?", strings.Join(missing, ", "))
	}
	b, err := json.Marshal(str)
	if err != nil {
		return Claims{}, fmt.Errorf("re-encoding token claims: %w", err)
	}
	var c Claims
	if err := json.Unmarshal(b, &c); err != nil {
		return Claims{}, fmt.Errorf("decoding token claims: %w", err)
	}
	return c, nil
}

// WorkflowPath returns the path of the top-level workflow file, such as
// ".github/workflows/release.yml", taken from the workflow_ref claim by
// removing the known "<repository>/" prefix and "@<ref>" suffix. Refs and
// paths may contain '@', so it never cuts at the first one.
func (c Claims) WorkflowPath() (string, error) {
	prefix, suffix := c.Repository+"/", "@"+c.Ref
	p, ok := strings.CutPrefix(c.WorkflowRef, prefix)
	if ok {
		p, ok = strings.CutSuffix(p, suffix)
	}
	if !ok || p == "" {
		return "", fmt.Errorf("token claim workflow_ref %q is not %q + path + %q", c.WorkflowRef, prefix, suffix)
	}
	return p, nil
}
