package signing_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/provenant/provenant/internal/signing"
	"github.com/provenant/provenant/internal/testing/fakesigstore"
)

// TestLoadInstance_jsonLines picks, from JSON Lines of several roots (as
// `gh attestation trusted-root` prints them), the root of the instance
// that signs: the one naming its certificate authority, else its
// timestamp authority.
func TestLoadInstance_jsonLines(t *testing.T) {
	t.Parallel()
	a, b := fakesigstore.NewTestServer(t), fakesigstore.NewTestServer(t)
	dir := t.TempDir()
	lines := write(t, dir, "trusted_root.jsonl", string(rootOf(t, a))+"\n"+string(rootOf(t, b))+"\n")
	load := func(ca, tsa string) (*signing.Instance, error) {
		sc := write(t, dir, "signing_config.json", string(configOf(t, a, ca, tsa)))
		return signing.LoadInstance(t.Context(), signing.Source{Sigstore: sc, TrustedRoot: lines})
	}
	for _, s := range []*fakesigstore.TestServer{a, b} {
		inst, err := load(s.FulcioURL(), s.TSAURL())
		if err != nil {
			t.Fatalf("LoadInstance: %v", err)
		}
		mustTrust(t, inst, s)
	}
	inst, err := load("http://fulcio.invalid", b.TSAURL())
	if err != nil {
		t.Fatalf("LoadInstance matching the timestamp authority: %v", err)
	}
	mustTrust(t, inst, b)
	if _, err := load("http://fulcio.invalid", "http://tsa.invalid/api/v1/timestamp"); err == nil || !strings.Contains(err.Error(), "holds 2 roots") {
		t.Errorf("no matching root: error %v", err)
	}
	// GitHub's instance takes the file instead of TUF.
	inst, err = signing.LoadInstance(t.Context(), signing.Source{Sigstore: signing.GitHub, TrustedRoot: lines},
		signing.WithSigningConfig(signing.GitHub, configOf(t, b, b.FulcioURL(), b.TSAURL())))
	if err != nil {
		t.Fatalf("LoadInstance github: %v", err)
	}
	mustTrust(t, inst, b)
}

// TestLoadInstance_singleRootAsGiven keeps a lone root whatever it names:
// verifying every bundle against it decides.
func TestLoadInstance_singleRootAsGiven(t *testing.T) {
	t.Parallel()
	a := fakesigstore.NewTestServer(t)
	dir := t.TempDir()
	one := write(t, dir, "trusted_root.json", string(rootOf(t, a)))
	sc := write(t, dir, "signing_config.json", string(configOf(t, a, "http://fulcio.invalid", "http://tsa.invalid")))
	inst, err := signing.LoadInstance(t.Context(), signing.Source{Sigstore: sc, TrustedRoot: one})
	if err != nil {
		t.Fatalf("LoadInstance: %v", err)
	}
	mustTrust(t, inst, a)
}

func write(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func rootOf(t *testing.T, s *fakesigstore.TestServer) []byte {
	t.Helper()
	b, err := s.TrustedRootJSON()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func configOf(t *testing.T, s *fakesigstore.TestServer, ca, tsa string) []byte {
	t.Helper()
	b, err := s.SigningConfigJSON(ca, tsa)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
