package faultproxy_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/provenant/provenant/internal/action"
	"github.com/provenant/provenant/internal/httpretry"
	"github.com/provenant/provenant/internal/redact"
	"github.com/provenant/provenant/internal/signing"
	"github.com/provenant/provenant/internal/sink/ghapi"
	"github.com/provenant/provenant/internal/sink/oci"
	"github.com/provenant/provenant/internal/sink/release"
	"github.com/provenant/provenant/internal/testing/fakegithub"
	"github.com/provenant/provenant/internal/testing/fakeoidc"
	"github.com/provenant/provenant/internal/testing/fakesigstore"
	"github.com/provenant/provenant/internal/testing/faketuf"
	"github.com/provenant/provenant/internal/testing/faultproxy"
)

// headerTimeout is how long clients in these tests wait for an answer; a
// Stall fault lasts longer.
const headerTimeout = 300 * time.Millisecond

// shortTransport gives up on a stalled answer after headerTimeout.
func shortTransport() http.RoundTripper {
	return &http.Transport{ResponseHeaderTimeout: headerTimeout, DisableKeepAlives: true}
}

func noSleep(context.Context, time.Duration) error { return nil }

// service is one service the proxy stands in front of. setup starts it
// behind p and returns the operation under test and a check that a failed
// operation left nothing half-done.
type service struct {
	name, method, path string
	setup              func(t *testing.T) (p *faultproxy.Proxy, op func(context.Context) error, clean func(*testing.T))
}

var services = []service{
	{name: "Fulcio", method: http.MethodPost, path: fakesigstore.SigningCertPath, setup: sigstoreSetup(true)},
	{name: "TSA", method: http.MethodPost, path: fakesigstore.TimestampPath, setup: sigstoreSetup(false)},
	{name: "GitHub OIDC token endpoint", method: http.MethodGet, path: "/token", setup: tokenSetup},
	{name: "GitHub REST API (release)", path: "/", setup: githubSetup},
	{name: "registry, referrers API", path: "/v2/", setup: registrySetup(true)},
	{name: "registry, fallback tag", path: "/v2/", setup: registrySetup(false)},
	{name: "TUF repository", method: http.MethodGet, path: "/", setup: tufSetup},
}

// requestToken is the Actions runtime's credential for the token
// endpoint; no message may show it.
const requestToken = "runtime-request-credential-6b1f0c"

// tokenSetup fetches the OIDC token through the proxy in front of the
// Actions token endpoint, as the action does. Fetching writes nothing;
// the check is that no form of the request credential is in the message.
func tokenSetup(t *testing.T) (*faultproxy.Proxy, func(context.Context) error, func(*testing.T)) {
	issuer := fakeoidc.NewTestServer(t, fakeoidc.WithRequestToken(requestToken))
	p := faultproxy.New(t, issuer.URL)
	env := map[string]string{
		"ACTIONS_ID_TOKEN_REQUEST_URL":   p.URL + strings.TrimPrefix(issuer.TokenRequestURL(), issuer.URL),
		"ACTIONS_ID_TOKEN_REQUEST_TOKEN": requestToken,
	}
	e, err := action.New(action.WithGetenv(func(k string) string { return env[k] }), action.WithWriter(io.Discard),
		action.WithHTTPClient(&http.Client{Transport: shortTransport()}), action.WithTokenRetry(httpretry.WithSleep(noSleep)))
	if err != nil {
		t.Fatal(err)
	}
	var last error
	op := func(ctx context.Context) error {
		tok, err := e.Token(ctx, "sigstore")
		if err == nil && tok == "" {
			err = errors.New("no token")
		}
		last = err
		return err
	}
	return p, op, func(t *testing.T) {
		for _, form := range redact.Forms(requestToken) {
			if strings.Contains(last.Error(), form) {
				t.Errorf("the message shows the request credential: %v", last)
			}
		}
	}
}

// tufSetup loads GitHub's instance, whose trusted root comes from a TUF
// repository, through the proxy in front of the repository. A failed
// update must not leave a cache that breaks the next load.
func tufSetup(t *testing.T) (*faultproxy.Proxy, func(context.Context) error, func(*testing.T)) {
	ss := fakesigstore.NewTestServer(t)
	tr, err := ss.TrustedRootJSON()
	if err != nil {
		t.Fatal(err)
	}
	sc, err := ss.SigningConfigJSON(ss.FulcioURL(), ss.TSAURL())
	if err != nil {
		t.Fatal(err)
	}
	repo := faketuf.NewTestServer(t, map[string][]byte{"trusted_root.json": tr})
	p := faultproxy.New(t, repo.URL)
	cache := t.TempDir()
	load := func(ctx context.Context, base string) error {
		rt, err := httpretry.New(httpretry.WithInner(shortTransport()), httpretry.WithSleep(noSleep))
		if err != nil {
			return err
		}
		inst, err := signing.LoadInstance(ctx, signing.Source{Sigstore: signing.GitHub, CacheDir: cache},
			signing.WithTUF(signing.GitHub, signing.TUFRepository{BaseURL: base, Root: repo.InitialRoot()}),
			signing.WithSigningConfig(signing.GitHub, sc), signing.WithCacheValidity(0), signing.WithTUFTransport(rt))
		if err == nil && len(inst.TrustedRoot.FulcioCertificateAuthorities()) == 0 {
			err = errors.New("the trusted root has no certificate authority")
		}
		return err
	}
	op := func(ctx context.Context) error { return load(ctx, p.URL) }
	return p, op, func(t *testing.T) {
		if err := load(t.Context(), repo.URL); err != nil {
			t.Errorf("after the failed update, loading with the same cache fails: %v", err)
		}
	}
}

// sigstoreSetup signs through the proxy in front of Fulcio or the TSA.
// Signing writes nothing, so there is nothing to clean.
func sigstoreSetup(fulcio bool) func(t *testing.T) (*faultproxy.Proxy, func(context.Context) error, func(*testing.T)) {
	return func(t *testing.T) (*faultproxy.Proxy, func(context.Context) error, func(*testing.T)) {
		ss := fakesigstore.NewTestServer(t)
		p := faultproxy.New(t, ss.URL)
		svc := signing.Services{CA: ss.FulcioURL(), TSAs: []string{p.URL + fakesigstore.TimestampPath}}
		if fulcio {
			svc = signing.Services{CA: p.URL, TSAs: []string{ss.TSAURL()}}
		}
		tok, err := fakeoidc.NewTestServer(t).Mint("sigstore", nil)
		if err != nil {
			t.Fatal(err)
		}
		rt, err := httpretry.New(httpretry.WithInner(shortTransport()), httpretry.WithSleep(noSleep))
		if err != nil {
			t.Fatal(err)
		}
		s, err := signing.New(svc, nil, tok, signing.WithTransport(rt))
		if err != nil {
			t.Fatal(err)
		}
		return p, func(ctx context.Context) error {
			_, err := s.Sign(ctx, statement(t))
			return err
		}, func(*testing.T) {}
	}
}

func statement(t *testing.T) []byte {
	t.Helper()
	sum := sha256.Sum256([]byte("artifact"))
	b, err := json.Marshal(map[string]any{"_type": "https://in-toto.io/Statement/v1", "predicateType": "https://slsa.dev/provenance/v1",
		"subject": []any{map[string]any{"name": "a", "digest": map[string]string{"sha256": hex.EncodeToString(sum[:])}}}, "predicate": map[string]any{}})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// githubSetup uploads two release assets through the proxy in front of
// the GitHub REST API; a failure must leave no half-uploaded asset.
func githubSetup(t *testing.T) (*faultproxy.Proxy, func(context.Context) error, func(*testing.T)) {
	gh := fakegithub.NewTestServer(t, fakegithub.WithAutoCreateRepos())
	p := faultproxy.New(t, gh.URL)
	c, err := ghapi.NewClient(p.URL+gh.APIPrefix(), fakegithub.DefaultToken, shortTransport())
	if err != nil {
		t.Fatal(err)
	}
	up, err := release.New(c, "octo-org", "octo-repo", release.WithSleep(noSleep))
	if err != nil {
		t.Fatal(err)
	}
	assets := []release.Asset{{Name: "a.intoto.jsonl", Data: []byte("{}\n")}, {Name: "a.sigstore.json", Data: []byte("{}")}}
	op := func(ctx context.Context) error {
		_, err := up.Upload(ctx, release.Options{Tag: "v1", Create: true}, assets)
		return err
	}
	return p, op, func(t *testing.T) {
		direct, err := ghapi.NewClient(gh.APIURL, fakegithub.DefaultToken, nil)
		if err != nil {
			t.Fatal(err)
		}
		rel, _, err := direct.Repositories.GetReleaseByTag(t.Context(), "octo-org", "octo-repo", "v1")
		if err != nil {
			return // no release: nothing half-done
		}
		for _, a := range rel.Assets {
			if a.GetState() != "uploaded" {
				t.Errorf("asset %s left in state %q", a.GetName(), a.GetState())
			}
		}
	}
}

// registrySetup attaches an attestation through the proxy in front of
// ggcr's registry; a failure must leave no fallback index that lists a
// missing referrer.
func registrySetup(referrers bool) func(t *testing.T) (*faultproxy.Proxy, func(context.Context) error, func(*testing.T)) {
	return func(t *testing.T) (*faultproxy.Proxy, func(context.Context) error, func(*testing.T)) {
		srv := httptest.NewServer(registry.New(registry.WithReferrersSupport(referrers), registry.Logger(log.New(io.Discard, "", 0))))
		t.Cleanup(srv.Close)
		p := faultproxy.New(t, srv.URL)
		img, err := random.Image(64, 1)
		if err != nil {
			t.Fatal(err)
		}
		h, _ := img.Digest()
		direct, err := name.ParseReference(strings.TrimPrefix(srv.URL, "http://") + "/octo-org/app:latest")
		if err != nil {
			t.Fatal(err)
		}
		if err := remote.Write(direct, img); err != nil {
			t.Fatal(err)
		}
		ref := strings.TrimPrefix(p.URL, "http://") + "/octo-org/app@" + h.String()
		pusher, err := oci.New(oci.WithKeychain(authn.NewMultiKeychain()), oci.WithTransport(shortTransport()))
		if err != nil {
			t.Fatal(err)
		}
		bundle := bundleJSON(t, h.Hex)
		op := func(ctx context.Context) error {
			_, err := pusher.Attach(ctx, ref, bundle, nil)
			return err
		}
		return p, op, func(t *testing.T) {
			checkFallback(t, direct.Context().Tag("sha256-"+h.Hex))
		}
	}
}

// checkFallback fails when the fallback index at tag lists a manifest the
// registry does not have.
func checkFallback(t *testing.T, tag name.Tag) {
	t.Helper()
	idx, err := remote.Index(tag)
	if err != nil {
		return // no index: nothing half-done
	}
	im, err := idx.IndexManifest()
	if err != nil {
		t.Fatalf("fallback index unreadable: %v", err)
	}
	for _, d := range im.Manifests {
		if _, err := remote.Head(tag.Context().Digest(d.Digest.String())); err != nil {
			t.Errorf("fallback index lists %s, which is missing: %v", d.Digest, err)
		}
	}
}

// bundleJSON is a bundle, signed by an in-process fake Sigstore, whose
// statement names the image digest.
func bundleJSON(t *testing.T, hexDigest string) []byte {
	t.Helper()
	st, err := json.Marshal(map[string]any{"_type": "https://in-toto.io/Statement/v1", "predicateType": "https://slsa.dev/provenance/v1",
		"subject": []any{map[string]any{"name": "octo-org/app", "digest": map[string]string{"sha256": hexDigest}}}, "predicate": map[string]any{}})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := fakeoidc.NewTestServer(t).Mint("sigstore", nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := fakesigstore.NewTestServer(t).Signer(tok).Sign(t.Context(), st)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
