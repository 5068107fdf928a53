package cli

import (
	"strings"
	"testing"

	"github.com/provenant/provenant/internal/attest"
	"github.com/provenant/provenant/internal/intoto"
)

// TestVerifyCommands_trust puts into the suggested provenant command
// what it needs beyond the defaults: the issuer and the trusted root.
func TestVerifyCommands_trust(t *testing.T) {
	t.Parallel()
	const enterprise = "https://token.actions.githubusercontent.com/octo-enterprise"
	cases := []struct {
		name, instance, issuer string
		want, not              []string
	}{
		{"defaults", "public-good", "https://token.actions.githubusercontent.com", nil, []string{"--cert-oidc-issuer", "--sigstore", "--trusted-root TRUSTED_ROOT.json"}},
		{"enterprise_issuer", "public-good", enterprise, []string{"--builder-id x \\\n  --cert-oidc-issuer " + enterprise, "--signer-workflow x \\\n  --cert-oidc-issuer " + enterprise}, []string{"--sigstore"}},
		{"github_instance", "github", "https://token.actions.githubusercontent.com", []string{"--builder-id x --sigstore github\n"}, []string{"--cert-oidc-issuer"}},
		{"private_instance", "sc.json", "https://token.actions.githubusercontent.com", []string{"--builder-id x --trusted-root TRUSTED_ROOT.json\n"}, nil},
	}
	for _, tc := range cases {
		res := &attest.Result{Instance: tc.instance, Subjects: []intoto.Subject{{Name: "app"}}, Bundles: []attest.Bundle{{Path: "app.sigstore.json", LogIndex: -1}}}
		res.Identity.SAN, res.Identity.Issuer = "x", tc.issuer
		got := verifyCommands(res)
		provenant, _, _ := strings.Cut(got, "gh attestation")
		for _, w := range tc.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: commands lack %q:\n%s", tc.name, w, got)
			}
		}
		for _, n := range tc.not {
			if strings.Contains(provenant, n) {
				t.Errorf("%s: provenant command holds %q:\n%s", tc.name, n, provenant)
			}
		}
	}
}
