package verifier_test

import (
	"testing"

	"github.com/provenant/provenant/internal/signing"
	"github.com/provenant/provenant/internal/testing/fakesigstore"
	"github.com/provenant/provenant/internal/testing/faketuf"
	"github.com/provenant/provenant/internal/verifier"
)

// TestRoots_githubThroughTUF fetches GitHub's trusted root through its TUF
// repository, here served on loopback, for --sigstore github.
func TestRoots_githubThroughTUF(t *testing.T) {
	t.Parallel()
	sig := fakesigstore.NewTestServer(t)
	want, err := sig.TrustedRootJSON()
	if err != nil {
		t.Fatal(err)
	}
	repo := faketuf.NewTestServer(t, map[string][]byte{"trusted_root.json": want})
	roots, err := verifier.Roots(t.Context(), verifier.RootSource{
		Sigstore: signing.GitHub, CacheDir: t.TempDir(),
		Instance: []signing.InstanceOption{signing.WithTUF(signing.GitHub, signing.TUFRepository{BaseURL: repo.URL, Root: repo.InitialRoot()})},
	})
	if err != nil {
		t.Fatalf("Roots: %v", err)
	}
	if len(roots) != 1 || roots[0].Name != signing.GitHub {
		t.Fatalf("roots %+v, want github's", roots)
	}
	tr, ok := roots[0].Trusted.(interface{ MarshalJSON() ([]byte, error) })
	if !ok {
		t.Fatalf("root of type %T", roots[0].Trusted)
	}
	if got, err := tr.MarshalJSON(); err != nil || string(got) != string(want) {
		t.Errorf("trusted root %s, %v; want the one the repository publishes", got, err)
	}
}
