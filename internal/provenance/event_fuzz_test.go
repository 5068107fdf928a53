package provenance

import (
	"encoding/json"
	"testing"

	"github.com/provenant/provenant/internal/ghctx"
	"github.com/provenant/provenant/internal/intoto"
)

// fuzzClaims are the verified claims of a tag push, fixed for the fuzzer.
var fuzzClaims = ghctx.Claims{
	Issuer: "https://token.actions.githubusercontent.com", Repository: "octo-org/octo-repo", RepositoryOwner: "octo-org",
	RepositoryID: "123", RepositoryOwnerID: "456", Ref: "refs/tags/v1.2.3", SHA: "c27d339ee6075c1f744c5d4b200f7901aad2c369",
	EventName: "workflow_dispatch", RunID: "789", RunAttempt: "1", RunNumber: "3", RunnerEnvironment: "github-hosted",
	WorkflowRef:    "octo-org/octo-repo/.github/workflows/release.yml@refs/tags/v1.2.3",
	JobWorkflowRef: "octo-org/octo-repo/.github/workflows/release.yml@refs/tags/v1.2.3",
}

// FuzzEventToProvenance feeds event payloads through the payload check and
// into both predicate versions. A payload the check accepts must build, in
// either version, into a statement that is valid JSON.
func FuzzEventToProvenance(f *testing.F) {
	for _, s := range []string{
		`{"repository":{"full_name":"octo-org/octo-repo","id":123},"ref":"refs/tags/v1.2.3","inputs":{"a":"b","n":1}}`,
		`{"repository":{"full_name":"octo-org/octo-repo"},"ref":"refs/tags/v1.2.3","inputs":null}`,
		`{"repository":{"full_name":"OCTO-ORG/octo-repo"},"ref":"refs/tags/v1.2.3","inputs":{"x":{"y":[1,2,{"z":null}]}}}`,
		`{"repository":{"full_name":"octo-org/octo-repo"},"ref":"refs/tags/v1.2.3","inputs":{"big":1e308,"neg":-0}}`,
		`{"repository":"octo-org/octo-repo"}`,
		`{"repository":{"full_name":"octo-org/octo-repo"},"ref":"refs/tags/v1.2.3","sender":{"n":1e1000}}`,
		`[]`, `null`, `{`, ``,
	} {
		f.Add([]byte(s))
	}
	subjects := []intoto.Subject{{Name: "app", Digest: map[string]string{"sha256": "b569bf992b287f55d78bf8ee476497e9b7e9d2bf1c338860bfb905016218c740"}}}
	f.Fuzz(func(t *testing.T, payload []byte) {
		if ghctx.CheckEvent(fuzzClaims, payload) != nil || (len(payload) > 0 && !json.Valid(payload)) {
			return
		}
		c := ghctx.Context{ServerURL: "https://github.com", Claims: fuzzClaims, Event: payload}
		inputs, err := c.EventInputs()
		if err != nil {
			return
		}
		for _, v := range []Version{V1, V02} {
			st, err := Build(c, subjects, Options{Version: v, Inputs: inputs})
			if err != nil {
				t.Fatalf("Build(%s) refused a payload CheckEvent accepted: %v", v, err)
			}
			if !json.Valid(st) {
				t.Fatalf("Build(%s) wrote invalid JSON", v)
			}
		}
	})
}
