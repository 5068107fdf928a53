package fakegithub_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/provenant/provenant/internal/testing/fakegithub"
)

// bundleFor is a bundle-shaped document whose statement names digest.
func bundleFor(digest string) []byte {
	st := fmt.Sprintf(`{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"a","digest":{"sha256":%q}}]}`, digest)
	return fmt.Appendf(nil, `{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","verificationMaterial":{},"dsseEnvelope":{"payload":%q}}`,
		base64.StdEncoding.EncodeToString([]byte(st)))
}

func TestListAttestations(t *testing.T) {
	t.Parallel()
	ts := fakegithub.NewTestServer(t)
	auth := "Bearer " + fakegithub.DefaultToken
	want, other := strings.Repeat("a", 64), strings.Repeat("b", 64)
	for _, r := range []fakegithub.Repo{{Owner: owner, Name: name}, {Owner: owner, Name: "second"}, {Owner: "octocat", Name: "hello"}} {
		if err := ts.CreateRepo(r); err != nil {
			t.Fatal(err)
		}
	}
	ts.MarkUser("octocat")
	for i := 0; i < 3; i++ {
		for _, rp := range []string{name, "second"} {
			if _, err := ts.AddAttestation(owner, rp, bundleFor(want)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := ts.AddAttestation(owner, name, bundleFor(other)); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.AddAttestation("octocat", "hello", bundleFor(want)); err != nil {
		t.Fatal(err)
	}
	count := func(path string) (int, int) {
		total := 0
		url := ts.APIURL + path + "?per_page=2"
		for url != "" {
			rep := send(t, "GET", url, auth, nil)
			if rep.status != http.StatusOK {
				return rep.status, total
			}
			var got struct{ Attestations []json.RawMessage }
			if err := json.Unmarshal(rep.body, &got); err != nil {
				t.Fatal(err)
			}
			total += len(got.Attestations)
			url = ""
			for _, l := range strings.Split(rep.header.Get("Link"), ", ") {
				if u, ok := strings.CutSuffix(l, `>; rel="next"`); ok {
					url = strings.TrimPrefix(u, "<")
				}
			}
		}
		return http.StatusOK, total
	}
	cases := []struct {
		path   string
		status int
		n      int
	}{
		{"/repos/octo-org/octo-repo/attestations/sha256:" + want, 200, 3},
		{"/repos/octo-org/octo-repo/attestations/sha256:" + other, 200, 1},
		{"/repos/octo-org/second/attestations/sha256:" + other, 404, 0},
		{"/orgs/octo-org/attestations/sha256:" + want, 200, 6},
		{"/users/octo-org/attestations/sha256:" + want, 404, 0},
		{"/orgs/octocat/attestations/sha256:" + want, 404, 0},
		{"/users/octocat/attestations/sha256:" + want, 200, 1},
	}
	for _, tc := range cases {
		if status, n := count(tc.path); status != tc.status || n != tc.n {
			t.Errorf("GET %s: %d with %d attestations, want %d with %d", tc.path, status, n, tc.status, tc.n)
		}
	}
	if rep := send(t, "GET", ts.APIURL+cases[0].path, "", nil); rep.status != http.StatusUnauthorized {
		t.Errorf("without a token: %d, want 401", rep.status)
	}
}
