package oci

import (
	"bytes"
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
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// modes are the two ways a registry keeps referrers; every referrer test
// runs in both.
var modes = []struct {
	name      string
	referrers bool
}{
	{name: "referrers_api", referrers: true},
	{name: "fallback_tag", referrers: false},
}

// testTimeout bounds each request in tests.
const testTimeout = 10 * time.Second

var fixedTime = time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)

func fixedClock() time.Time { return fixedTime }

// anonymous is an empty keychain, so tests never read a Docker config.
var anonymous = authn.NewMultiKeychain()

// newRegistry serves ggcr's in-process registry, wrapped by middleware,
// and returns its host:port.
func newRegistry(t *testing.T, referrers bool, middleware ...func(http.Handler) http.Handler) string {
	t.Helper()
	h := registry.New(registry.WithReferrersSupport(referrers), registry.Logger(log.New(io.Discard, "", 0)))
	for _, m := range middleware {
		h = m(h)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

// withTestPolicy shortens the per-request timeout and the retry backoff.
func withTestPolicy(timeout time.Duration) Option {
	return func(o *options) error {
		o.timeout = timeout
		o.backoff = time.Millisecond
		return nil
	}
}

func newPusher(t *testing.T, opts ...Option) *Pusher {
	t.Helper()
	base := []Option{WithKeychain(anonymous), WithClock(fixedClock), withTestPolicy(testTimeout)}
	p, err := New(append(base, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// mustRef parses a reference built by a test.
func mustRef(s string) name.Reference {
	r, err := name.ParseReference(s)
	if err != nil {
		panic(err)
	}
	return r
}

// pushImage pushes a random image to host/repo and returns its digest reference.
func pushImage(t *testing.T, host, repo string, opts ...remote.Option) name.Digest {
	t.Helper()
	img, err := random.Image(256, 1)
	if err != nil {
		t.Fatal(err)
	}
	return push(t, host, repo, img, opts...)
}

// pushIndex pushes a random index of n images.
func pushIndex(t *testing.T, host, repo string, n int64) name.Digest {
	t.Helper()
	idx, err := random.Index(256, 1, n)
	if err != nil {
		t.Fatal(err)
	}
	return push(t, host, repo, idx)
}

func push(t *testing.T, host, repo string, x interface {
	remote.Taggable
	Digest() (v1.Hash, error)
}, opts ...remote.Option) name.Digest {
	t.Helper()
	tag := mustRef(host + "/" + repo + ":latest")
	opts = append(opts, remote.WithContext(t.Context()))
	var err error
	switch v := x.(type) {
	case v1.Image:
		err = remote.Write(tag, v, opts...)
	case v1.ImageIndex:
		err = remote.WriteIndex(tag, v, opts...)
	}
	if err != nil {
		t.Fatal(err)
	}
	h, err := x.Digest()
	if err != nil {
		t.Fatal(err)
	}
	return tag.Context().Digest(h.String())
}

// bundleFor makes a bundle about the image d.
func bundleFor(t *testing.T, d name.Digest, kind bundleKind) (bundleJSON, chainPEM []byte) {
	t.Helper()
	return makeBundle(t, strings.TrimPrefix(d.DigestStr(), "sha256:"), kind)
}

// getManifest fetches the raw manifest at ref.
func getManifest(t *testing.T, ref string) *remote.Descriptor {
	t.Helper()
	d, err := remote.Get(mustRef(ref), remote.WithContext(t.Context()))
	if err != nil {
		t.Fatalf("getting %s: %v", ref, err)
	}
	return d
}

func getIndex(t *testing.T, ref string) *v1.IndexManifest {
	t.Helper()
	im, err := v1.ParseIndexManifest(bytes.NewReader(getManifest(t, ref).Manifest))
	if err != nil {
		t.Fatal(err)
	}
	return im
}

// headDescriptor is the image's descriptor as a registry reports it.
func headDescriptor(t *testing.T, d name.Digest) v1.Descriptor {
	t.Helper()
	desc, err := remote.Head(d, remote.WithContext(t.Context()))
	if err != nil {
		t.Fatal(err)
	}
	return v1.Descriptor{MediaType: desc.MediaType, Digest: desc.Digest, Size: desc.Size}
}

// fetchBlob reads a blob of repo.
func fetchBlob(t *testing.T, repo name.Repository, h v1.Hash) []byte {
	t.Helper()
	l, err := remote.Layer(repo.Digest(h.String()), remote.WithContext(t.Context()))
	if err != nil {
		t.Fatal(err)
	}
	rc, err := l.Compressed()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// referrerSession pushes an image to host, builds the referrer of a
// bundle for it (not pushed) and opens a session without credentials.
func referrerSession(t *testing.T, host string) (name.Digest, *referrer, *session) {
	t.Helper()
	img := pushImage(t, host, "octo-org/app")
	bundle, _ := bundleFor(t, img, kindRekorV1)
	r, err := buildReferrer(headDescriptor(t, img), bundle, slsaV1, fixedTime)
	if err != nil {
		t.Fatal(err)
	}
	s, err := newSession(anonymous, http.DefaultTransport)
	if err != nil {
		t.Fatal(err)
	}
	return img, r, s
}
