package signing

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestChoose(t *testing.T) {
	t.Parallel()
	cases := []struct {
		sigstore, visibility string
		want                 Choice
	}{
		{Auto, "public", Choice{PublicGood, "repository is public"}},
		{Auto, "private", Choice{GitHub, "repository is private"}},
		{Auto, "internal", Choice{GitHub, "repository is internal"}},
		{"", "private", Choice{GitHub, "repository is private"}},
		{Auto, "", Choice{GitHub, "repository visibility is not known, so nothing is published"}},
		{PublicGood, "private", Choice{PublicGood, "chosen by the sigstore setting"}},
		{GitHub, "public", Choice{GitHub, "chosen by the sigstore setting"}},
		{"sc.json", "public", Choice{"sc.json", "chosen by the sigstore setting"}},
	}
	for _, tc := range cases {
		if diff := cmp.Diff(tc.want, Choose(tc.sigstore, tc.visibility)); diff != "" {
			t.Errorf("Choose(%q, %q) mismatch (-want +got):\n%s", tc.sigstore, tc.visibility, diff)
		}
	}
}

func TestHostOf(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"https://Fulcio.GitHubApp.com":           "fulcio.githubapp.com",
		"fulcio.githubapp.com":                   "fulcio.githubapp.com",
		"http://127.0.0.1:8080/api/v1/timestamp": "127.0.0.1:8080",
		"":                                       "",
		"https://timestamp.githubapp.com/api/v1/stamp": "timestamp.githubapp.com",
	} {
		if got := hostOf(in); got != want {
			t.Errorf("hostOf(%q) = %q, want %q", in, got, want)
		}
	}
}
