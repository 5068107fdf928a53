package verifytest

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"

	"github.com/sigstore/sigstore-go/pkg/fulcio/certificate"
)

// Build is a GitHub Actions build to sign for: the repository, ref and
// commit it ran at and the workflow that ran.
type Build struct {
	Repository string // https://github.com/OWNER/REPO
	Ref        string // refs/tags/v1.2.3
	Commit     string
	Workflow   string // .github/workflows/release.yml
}

// GitHubIssuer is the issuer of GitHub Actions tokens.
const GitHubIssuer = "https://token.actions.githubusercontent.com"

// BuilderID is the workflow at the ref: the certificate's SAN.
func (b Build) BuilderID() string { return b.Repository + "/" + b.Workflow + "@" + b.Ref }

// Signer is who Fulcio certifies for the build's token.
func (b Build) Signer() Signer {
	return Signer{SAN: b.BuilderID(), Issuer: GitHubIssuer, Extensions: certificate.Extensions{
		BuildSignerURI: b.BuilderID(), RunnerEnvironment: "github-hosted", SourceRepositoryURI: b.Repository,
		SourceRepositoryDigest: b.Commit, SourceRepositoryRef: b.Ref,
	}}
}

// Statement is SLSA v1 provenance of the build for the named artifacts
// (name to content), as provenant attest writes it.
func (b Build) Statement(artifacts map[string][]byte) ([]byte, error) {
	type subject struct {
		Name   string            `json:"name"`
		Digest map[string]string `json:"digest"`
	}
	var subs []subject
	for name, content := range artifacts {
		sum := sha256.Sum256(content)
		subs = append(subs, subject{Name: name, Digest: map[string]string{"sha256": hex.EncodeToString(sum[:])}})
	}
	return json.Marshal(map[string]any{
		"_type": "https://in-toto.io/Statement/v1", "subject": subs, "predicateType": "https://slsa.dev/provenance/v1",
		"predicate": map[string]any{
			"buildDefinition": map[string]any{
				"buildType":            "https://actions.github.io/buildtypes/workflow/v1",
				"externalParameters":   map[string]any{"workflow": map[string]any{"ref": b.Ref, "repository": b.Repository, "path": b.Workflow}},
				"internalParameters":   map[string]any{"github": map[string]any{"runner_environment": "github-hosted"}},
				"resolvedDependencies": []any{map[string]any{"uri": "git+" + b.Repository + "@" + b.Ref, "digest": map[string]string{"gitCommit": b.Commit}}},
			},
			"runDetails": map[string]any{"builder": map[string]any{"id": b.BuilderID()}},
		},
	})
}
