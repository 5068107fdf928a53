package attest_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/provenant/provenant/internal/attest"
	"github.com/provenant/provenant/internal/signing"
	"github.com/provenant/provenant/internal/testing/fakesigstore"
	"github.com/provenant/provenant/internal/testing/faketuf"
)

// repos are TUF repositories on loopback playing GitHub's and the
// public-good one, each publishing the trusted root of a fake instance
// (and public-good's its signing config), and the options that point the
// run at them and at the fake GitHub instance's Fulcio and TSA.
type repos struct {
	github, publicGood *faketuf.TestServer
	opt                attest.Option
}

func newRepos(t *testing.T, github, publicGood *fakesigstore.TestServer) repos {
	t.Helper()
	var rs repos
	rs.github = faketuf.NewTestServer(t, map[string][]byte{"trusted_root.json": rootJSON(t, github)})
	rs.publicGood = faketuf.NewTestServer(t, map[string][]byte{
		"trusted_root.json":        rootJSON(t, publicGood),
		"signing_config.v0.2.json": configJSON(t, publicGood),
	})
	rs.opt = attest.WithInstanceOptions(
		signing.WithTUF(signing.GitHub, signing.TUFRepository{BaseURL: rs.github.URL, Root: rs.github.InitialRoot()}),
		signing.WithSigningConfig(signing.GitHub, configJSON(t, github)),
		signing.WithTUF(signing.PublicGood, signing.TUFRepository{BaseURL: rs.publicGood.URL, Root: rs.publicGood.InitialRoot()}),
	)
	return rs
}

func rootJSON(t *testing.T, s *fakesigstore.TestServer) []byte {
	t.Helper()
	b, err := s.TrustedRootJSON()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func configJSON(t *testing.T, s *fakesigstore.TestServer) []byte {
	t.Helper()
	b, err := s.SigningConfigJSON(s.FulcioURL(), s.TSAURL())
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestRun_autoByVisibility signs with sigstore left at its default and no
// trusted-root: the instance follows the verified token's
// repository_visibility, and its trusted root comes through TUF. The
// instance not chosen is never asked for a certificate.
func TestRun_autoByVisibility(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, sigstore, visibility, want, reason string
	}{
		{"private", signing.Auto, "private", signing.GitHub, "repository is private"},
		{"internal", signing.Auto, "internal", signing.GitHub, "repository is internal"},
		{"public", signing.Auto, "public", signing.PublicGood, "repository is public"},
		{"private_by_default", "", "private", signing.GitHub, "repository is private"},
		{"public_by_default", "", "public", signing.PublicGood, "repository is public"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := newRun(t, "tag_push", map[string]any{"repository_visibility": tc.visibility})
			r.inputs["sigstore"] = tc.sigstore // "" leaves the input out
			delete(r.inputs, "trusted-root")
			decoy := fakesigstore.NewTestServer(t)
			rs := newRepos(t, r.sig, decoy)
			if tc.want == signing.PublicGood {
				rs = newRepos(t, decoy, r.sig)
			}
			res, err := r.attest(nil, rs.opt)
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			if res.Instance != tc.want || res.InstanceReason != tc.reason {
				t.Errorf("instance %q (%q), want %q (%q)", res.Instance, res.InstanceReason, tc.want, tc.reason)
			}
			if got := r.sig.Requests(fakesigstore.SigningCertPath); got != 1 {
				t.Errorf("%d certificate requests to the chosen instance, want 1", got)
			}
			if got := decoy.Requests(fakesigstore.SigningCertPath); got != 0 {
				t.Errorf("%d certificate requests to the other instance", got)
			}
			for _, s := range res.Subjects {
				r.verifyFile("multiple.intoto.jsonl", s)
			}
		})
	}
}

// TestRun_publicGoodRefusedForPrivate keeps the opt-in: public-good asked
// for by name signs a private or internal repository only with
// private-repository, and the refusal comes before any TUF or Sigstore
// request.
func TestRun_publicGoodRefusedForPrivate(t *testing.T) {
	t.Parallel()
	for _, vis := range []string{"private", "internal"} {
		t.Run(vis, func(t *testing.T) {
			t.Parallel()
			r := newRun(t, "tag_push", map[string]any{"repository_visibility": vis})
			delete(r.inputs, "trusted-root")
			rs := newRepos(t, fakesigstore.NewTestServer(t), r.sig)
			_, err := r.attest(map[string]string{"sigstore": signing.PublicGood}, rs.opt)
			if err == nil || !strings.Contains(err.Error(), "private-repository: true") || !strings.Contains(err.Error(), "is "+vis) {
				t.Fatalf("Run = %v, want a refusal naming private-repository", err)
			}
			if n := rs.publicGood.Requests() + rs.github.Requests() + r.sig.Requests(fakesigstore.SigningCertPath); n != 0 {
				t.Errorf("%d requests before the refusal", n)
			}
			res, err := r.attest(map[string]string{"sigstore": signing.PublicGood, "private-repository": "true"}, rs.opt)
			if err != nil || res.Instance != signing.PublicGood {
				t.Fatalf("Run with private-repository = %v, instance %v", err, res)
			}
		})
	}
}

// TestRun_jsonLinesTrustedRoot gives trusted-root as two roots, one a line,
// as `gh attestation trusted-root` prints them: the signing instance's
// root is used, and TUF is not asked.
func TestRun_jsonLinesTrustedRoot(t *testing.T) {
	t.Parallel()
	r := newRun(t, "tag_push", map[string]any{"repository_visibility": "private"})
	other := fakesigstore.NewTestServer(t)
	r.write("sigstore/roots.jsonl", string(rootJSON(t, other))+"\n"+string(rootJSON(t, r.sig))+"\n")
	r.inputs["sigstore"] = signing.Auto
	rs := newRepos(t, other, other)
	rs.github.SetDown(true)
	rs.publicGood.SetDown(true)
	res, err := r.attest(map[string]string{"trusted-root": "sigstore/roots.jsonl"}, rs.opt,
		attest.WithInstanceOptions(signing.WithSigningConfig(signing.GitHub, configJSON(t, r.sig))))
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if res.Instance != signing.GitHub {
		t.Errorf("instance %q", res.Instance)
	}
	if n := rs.github.Requests() + rs.publicGood.Requests(); n != 0 {
		t.Errorf("%d TUF requests with trusted-root given", n)
	}
	r.verifyFile("multiple.intoto.jsonl", res.Subjects[0])
}

// TestRun_githubTUFDownWithoutCache fails before signing, naming the
// repository and the way out.
func TestRun_githubTUFDownWithoutCache(t *testing.T) {
	t.Parallel()
	r := newRun(t, "tag_push", map[string]any{"repository_visibility": "private"})
	r.inputs["sigstore"] = signing.Auto
	delete(r.inputs, "trusted-root")
	rs := newRepos(t, r.sig, r.sig)
	rs.github.SetDown(true)
	_, err := r.attest(nil, rs.opt)
	if err == nil || !strings.Contains(err.Error(), rs.github.URL) || !strings.Contains(err.Error(), "trusted-root") {
		t.Fatalf("Run = %v, want an error naming the repository and trusted-root", err)
	}
	if got := r.sig.Requests(fakesigstore.SigningCertPath); got != 0 {
		t.Errorf("%d certificate requests without a trusted root", got)
	}
	if _, err := os.Stat(filepath.Join(r.ws, "out")); !os.IsNotExist(err) {
		t.Errorf("output directory: %v, want none", err)
	}
}
