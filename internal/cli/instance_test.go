package cli

import (
	"strings"
	"testing"

	"github.com/provenant/provenant/internal/attest"
	"github.com/provenant/provenant/internal/intoto"
)

// TestAttestSummary_instance says in the summary which instance signed and
// why, and how to verify on it.
func TestAttestSummary_instance(t *testing.T) {
	t.Parallel()
	cases := []struct {
		instance, reason string
		want             []string
	}{
		{"github", "repository is private", []string{"on GitHub's Sigstore instance (repository is private).", "--sigstore github"}},
		{"public-good", "repository is public", []string{"on the public-good Sigstore instance (repository is public)."}},
		{"sc.json", "chosen by the sigstore setting", []string{"on the Sigstore instance of sc.json (chosen by the sigstore setting).", "--custom-trusted-root"}},
	}
	for _, tc := range cases {
		res := &attest.Result{Instance: tc.instance, InstanceReason: tc.reason,
			Subjects: []intoto.Subject{{Name: "app"}}, Bundles: []attest.Bundle{{Path: "out/app.sigstore.json", LogIndex: -1}}}
		got := attestSummary(res)
		for _, w := range tc.want {
			if !strings.Contains(got, w) {
				t.Errorf("summary for %s lacks %q:\n%s", tc.instance, w, got)
			}
		}
	}
}
