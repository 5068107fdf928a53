package fakesigstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"sort"

	"github.com/provenant/provenant/internal/ghctx"
	"github.com/provenant/provenant/internal/intoto"
	"github.com/provenant/provenant/internal/provenance"
	"github.com/provenant/provenant/internal/testing/fakeoidc"
)

// GitHubClaims returns fakeoidc's default claims (a tag push of v1.2.3 in
// octo-org/octo-repo) as strings, with iss set to GitHubIssuer and over
// applied on top: an empty value removes the claim.
func GitHubClaims(over map[string]string) map[string]string {
	out := map[string]string{"iss": GitHubIssuer}
	for k, v := range fakeoidc.DefaultClaims() {
		if s, ok := v.(string); ok {
			out[k] = s
		}
	}
	maps.Copy(out, over)
	maps.DeleteFunc(out, func(_, v string) bool { return v == "" })
	return out
}

// Provenance returns the statement provenant attest writes for a run with
// claims (as GitHubClaims gives them) on github.com: SLSA provenance of
// version v ("v1" or "v0.2") whose subjects are the named artifacts, each
// with the sha256 of its content.
func Provenance(claims map[string]string, v provenance.Version, artifacts map[string][]byte) ([]byte, error) {
	raw, err := json.Marshal(claims)
	if err != nil {
		return nil, err
	}
	c, err := ghctx.ParseClaims(raw)
	if err != nil {
		return nil, fmt.Errorf("fakesigstore: %w", err)
	}
	names := make([]string, 0, len(artifacts))
	for n := range artifacts {
		names = append(names, n)
	}
	sort.Strings(names)
	var subs []intoto.Subject
	for _, n := range names {
		sum := sha256.Sum256(artifacts[n])
		subs = append(subs, intoto.Subject{Name: n, Digest: intoto.DigestSet{intoto.SHA256: hex.EncodeToString(sum[:])}})
	}
	return provenance.Build(ghctx.Context{ServerURL: "https://github.com", Claims: c}, subs, provenance.Options{Version: v})
}

// AttestFiles signs, as the run the claims describe, the SLSA v1
// provenance of artifacts (name → content) that Provenance builds, and
// returns the bundle.
func (s *Sigstore) AttestFiles(ctx context.Context, claims map[string]string, artifacts map[string][]byte) ([]byte, error) {
	st, err := Provenance(claims, provenance.V1, artifacts)
	if err != nil {
		return nil, err
	}
	return s.Attest(ctx, st, claims)
}
