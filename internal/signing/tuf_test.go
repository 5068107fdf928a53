package signing_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/provenant/provenant/internal/signing"
	"github.com/provenant/provenant/internal/testing/fakesigstore"
	"github.com/provenant/provenant/internal/testing/faketuf"
)

// instance is a fake Sigstore instance and a TUF repository on loopback
// that publishes its trusted root, playing GitHub's instance.
type instance struct {
	t     *testing.T
	sig   *fakesigstore.TestServer
	tuf   *faketuf.TestServer
	cache string
}

func newInstance(t *testing.T, extra map[string][]byte) *instance {
	t.Helper()
	in := &instance{t: t, sig: fakesigstore.NewTestServer(t), cache: t.TempDir()}
	targets := map[string][]byte{"trusted_root.json": in.rootJSON(in.sig)}
	for k, v := range extra {
		targets[k] = v
	}
	in.tuf = faketuf.NewTestServer(t, targets)
	return in
}

func (in *instance) rootJSON(s *fakesigstore.TestServer) []byte {
	in.t.Helper()
	b, err := s.TrustedRootJSON()
	if err != nil {
		in.t.Fatal(err)
	}
	return b
}

func (in *instance) signingConfig() []byte {
	in.t.Helper()
	b, err := in.sig.SigningConfigJSON(in.sig.FulcioURL(), in.sig.TSAURL())
	if err != nil {
		in.t.Fatal(err)
	}
	return b
}

// load loads GitHub's instance through the fake repository.
func (in *instance) load(opts ...signing.InstanceOption) (*signing.Instance, error) {
	in.t.Helper()
	opts = append([]signing.InstanceOption{
		signing.WithTUF(signing.GitHub, signing.TUFRepository{BaseURL: in.tuf.URL, Root: in.tuf.InitialRoot()}),
		signing.WithSigningConfig(signing.GitHub, in.signingConfig()),
	}, opts...)
	return signing.LoadInstance(in.t.Context(), signing.Source{Sigstore: signing.GitHub, CacheDir: in.cache}, opts...)
}

// mustTrust checks that inst trusts s's Fulcio root.
func mustTrust(t *testing.T, inst *signing.Instance, s *fakesigstore.TestServer) {
	t.Helper()
	want, err := s.TrustedRoot()
	if err != nil {
		t.Fatal(err)
	}
	got, err := inst.TrustedRoot.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	w, err := want.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, w) {
		t.Errorf("the instance trusts another root:\n got %s\nwant %s", got, w)
	}
}

func TestLoadInstance_githubThroughTUF(t *testing.T) {
	t.Parallel()
	in := newInstance(t, nil)
	inst, err := in.load()
	if err != nil {
		t.Fatalf("LoadInstance: %v", err)
	}
	mustTrust(t, inst, in.sig)
	if inst.Name != signing.GitHub {
		t.Errorf("name %q", inst.Name)
	}
	if got := inst.SigningConfig.FulcioCertificateAuthorityURLs()[0].URL; got != in.sig.FulcioURL() {
		t.Errorf("signs at %s, want the injected %s", got, in.sig.FulcioURL())
	}
}

func TestLoadInstance_cacheWhileDown(t *testing.T) {
	t.Parallel()
	in := newInstance(t, nil)
	if _, err := in.load(); err != nil {
		t.Fatalf("first load: %v", err)
	}
	in.tuf.SetDown(true)
	inst, err := in.load()
	if err != nil {
		t.Fatalf("load from the cache while the repository is down: %v", err)
	}
	mustTrust(t, inst, in.sig)
	in.cache = t.TempDir()
	if _, err := in.load(); err == nil || !strings.Contains(err.Error(), "503") {
		t.Errorf("load without a cache while down = %v, want the 503", err)
	}
}

func TestLoadInstance_expiredTimestampRefused(t *testing.T) {
	t.Parallel()
	in := newInstance(t, nil)
	if _, err := in.load(signing.WithCacheValidity(0)); err != nil {
		t.Fatalf("first load: %v", err)
	}
	if err := in.tuf.ExpireTimestamp(); err != nil {
		t.Fatal(err)
	}
	if _, err := in.load(signing.WithCacheValidity(0)); err == nil || !strings.Contains(err.Error(), "expired") {
		t.Errorf("load with expired timestamp metadata = %v, want a refusal", err)
	}
	in.cache = t.TempDir()
	if _, err := in.load(); err == nil || !strings.Contains(err.Error(), "expired") {
		t.Errorf("fresh load with expired timestamp metadata = %v, want a refusal", err)
	}
}

func TestLoadInstance_rootRotationFollowed(t *testing.T) {
	t.Parallel()
	in := newInstance(t, nil)
	initial := in.tuf.InitialRoot()
	if _, err := in.load(signing.WithCacheValidity(0)); err != nil {
		t.Fatalf("first load: %v", err)
	}
	next := fakesigstore.NewTestServer(t)
	if err := in.tuf.RotateRoot(); err != nil {
		t.Fatal(err)
	}
	if err := in.tuf.Publish(map[string][]byte{"trusted_root.json": in.rootJSON(next)}); err != nil {
		t.Fatal(err)
	}
	repo := signing.WithTUF(signing.GitHub, signing.TUFRepository{BaseURL: in.tuf.URL, Root: initial})
	for _, cache := range []string{in.cache, t.TempDir()} {
		in.cache = cache
		inst, err := in.load(signing.WithCacheValidity(0), repo)
		if err != nil {
			t.Fatalf("load after the rotation: %v", err)
		}
		mustTrust(t, inst, next)
	}
}

func TestLoadInstance_snapshotRollbackRefused(t *testing.T) {
	t.Parallel()
	in := newInstance(t, nil)
	if err := in.tuf.Publish(map[string][]byte{"other.json": []byte("{}")}); err != nil {
		t.Fatal(err)
	}
	if _, err := in.load(signing.WithCacheValidity(0)); err != nil {
		t.Fatalf("first load: %v", err)
	}
	if err := in.tuf.RollbackSnapshot(); err != nil {
		t.Fatal(err)
	}
	if _, err := in.load(signing.WithCacheValidity(0)); err == nil || !strings.Contains(err.Error(), "snapshot version") {
		t.Errorf("load after a snapshot rollback = %v, want a refusal", err)
	}
}

func TestLoadInstance_publicGoodThroughTUF(t *testing.T) {
	t.Parallel()
	in := newInstance(t, nil)
	in.tuf = faketuf.NewTestServer(t, map[string][]byte{
		"trusted_root.json":        in.rootJSON(in.sig),
		"signing_config.v0.2.json": in.signingConfig(),
	})
	inst, err := signing.LoadInstance(t.Context(), signing.Source{Sigstore: signing.PublicGood, CacheDir: in.cache},
		signing.WithTUF(signing.PublicGood, signing.TUFRepository{BaseURL: in.tuf.URL, Root: in.tuf.InitialRoot()}))
	if err != nil {
		t.Fatalf("LoadInstance: %v", err)
	}
	mustTrust(t, inst, in.sig)
	if got := inst.SigningConfig.TimestampAuthorityURLs()[0].URL; got != in.sig.TSAURL() {
		t.Errorf("timestamps at %s, want %s from the repository", got, in.sig.TSAURL())
	}
}
