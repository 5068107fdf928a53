package fakeoidc

import (
	"crypto/rand"
	"fmt"
	"maps"
)

// sha is the commit every default claim points at.
const sha = "c27d339ee6075c1f744c5d4b200f7901aad2c369"

// workflowRef is the default caller and job workflow.
const workflowRef = "octo-org/octo-repo/.github/workflows/release.yml@refs/tags/v1.2.3"

// DefaultClaims returns a fresh copy of the claims of a GitHub Actions token
// for a tag push of v1.2.3 in octo-org/octo-repo. Every value is a string, as
// in GitHub's tokens. jti holds a new unique value on each call; a server
// gives every token it mints its own jti unless the caller fixes one.
//
// iss, aud, iat, nbf and exp are not in the map: they are set when a token
// is minted.
func DefaultClaims() map[string]any {
	return map[string]any{
		"sub":                   "repo:octo-org/octo-repo:ref:refs/tags/v1.2.3",
		"jti":                   newJTI(),
		"repository":            "octo-org/octo-repo",
		"repository_owner":      "octo-org",
		"repository_id":         "123",
		"repository_owner_id":   "456",
		"repository_visibility": "public",
		"run_id":                "789",
		"run_number":            "3",
		"run_attempt":           "1",
		"sha":                   sha,
		"ref":                   "refs/tags/v1.2.3",
		"ref_type":              "tag",
		"ref_protected":         "true",
		"workflow":              "release",
		"workflow_ref":          workflowRef,
		"workflow_sha":          sha,
		"job_workflow_ref":      workflowRef,
		"job_workflow_sha":      sha,
		"runner_environment":    "github-hosted",
		"event_name":            "push",
		"actor":                 "octocat",
		"actor_id":              "1",
		"head_ref":              "",
		"base_ref":              "",
		"check_run_id":          "90000001",
	}
}

// claimsSupported is the discovery document's claims_supported list, as
// GitHub publishes it.
var claimsSupported = []string{
	"sub", "aud", "exp", "iat", "iss", "jti", "nbf",
	"ref", "sha", "repository", "repository_id", "repository_owner", "repository_owner_id",
	"enterprise", "enterprise_id", "run_id", "run_number", "run_attempt",
	"actor", "actor_id", "workflow", "workflow_ref", "workflow_sha",
	"head_ref", "base_ref", "event_name", "ref_type", "ref_protected",
	"environment", "environment_node_id", "job_workflow_ref", "job_workflow_sha",
	"repository_visibility", "runner_environment", "issuer_scope", "check_run_id",
}

// merge returns a copy of base with over applied on top: a key whose value
// is nil is removed, any other key is set.
func merge(base, over map[string]any) map[string]any {
	out := maps.Clone(base)
	if out == nil {
		out = map[string]any{}
	}
	for k, v := range over {
		if v == nil {
			delete(out, k)
			continue
		}
		out[k] = v
	}
	return out
}

// newJTI returns a random version 4 UUID, the form GitHub uses for jti.
func newJTI() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails.
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
