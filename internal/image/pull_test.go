package image

import (
	"debug/elf"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

const (
	testUser     = "release-bot"
	testPassword = "s3cret-token"
)

// newAuthRegistry starts ggcr's registry behind HTTP basic auth, as ghcr.io
// stands in front of a package: writes always need the credentials, reads
// need them too unless publicRead (a public package).
func newAuthRegistry(t *testing.T, publicRead bool) string {
	t.Helper()
	reg := registry.New(registry.Logger(log.New(io.Discard, "", 0)))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		read := r.Method == http.MethodGet || r.Method == http.MethodHead
		if u, p, ok := r.BasicAuth(); (ok && u == testUser && p == testPassword) || (read && publicRead) {
			reg.ServeHTTP(w, r)
			return
		}
		w.Header().Set("WWW-Authenticate", `Basic realm="test"`)
		http.Error(w, `{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}`, http.StatusUnauthorized)
	}))
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

var releaseAuth = remote.WithAuth(&authn.Basic{Username: testUser, Password: testPassword})

// pushRelease builds a two-platform index and pushes it with credentials.
func pushRelease(t *testing.T, reg string) name.Digest {
	t.Helper()
	amd, arm := testConfig(t), testConfig(t)
	arm.Platform = v1.Platform{OS: "linux", Architecture: "arm64"}
	arm.Binary = fakeELF(t, elf.EM_AARCH64, false, 2048)
	var imgs []v1.Image
	for _, c := range []Config{amd, arm} {
		img, err := Build(c)
		if err != nil {
			t.Fatal(err)
		}
		imgs = append(imgs, img)
	}
	idx, err := Index(imgs...)
	if err != nil {
		t.Fatal(err)
	}
	ref, err := name.ParseReference(reg + "/provenant/provenant:v1.2.3")
	if err != nil {
		t.Fatal(err)
	}
	d, err := Push(t.Context(), ref, idx, releaseAuth)
	if err != nil {
		t.Fatalf("Push with credentials: %v", err)
	}
	return d
}

func TestPush_needsCredentials(t *testing.T) {
	t.Parallel()
	reg := newAuthRegistry(t, true)
	img, err := Build(testConfig(t))
	if err != nil {
		t.Fatal(err)
	}
	ref, _ := name.ParseReference(reg + "/provenant/provenant:anon")
	_, err = Push(t.Context(), ref, img)
	var te *transport.Error
	if !errors.As(err, &te) || te.StatusCode != http.StatusUnauthorized {
		t.Errorf("anonymous Push() error = %v, want HTTP 401", err)
	}
}

func TestPullAnonymously(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name       string
		publicRead bool
		wantStatus int // 0: the pull succeeds
	}{
		{"public_package", true, 0},
		{"private_package", false, http.StatusUnauthorized},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			reg := newAuthRegistry(t, tc.publicRead)
			d := pushRelease(t, reg)
			err := PullAnonymously(t.Context(), d)
			if tc.wantStatus == 0 {
				if err != nil {
					t.Errorf("PullAnonymously() = %v, want success", err)
				}
				return
			}
			var pe *PrivateError
			if !errors.As(err, &pe) || pe.StatusCode != tc.wantStatus {
				t.Fatalf("PullAnonymously() = %v, want a *PrivateError with HTTP %d", err, tc.wantStatus)
			}
			for _, want := range []string{d.String(), "without credentials", "RELEASING.md"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not mention %q", err, want)
				}
			}
			if strings.Contains(err.Error(), testPassword) {
				t.Errorf("error %q holds the password", err)
			}
		})
	}
}

func TestPullAnonymously_singleImage(t *testing.T) {
	t.Parallel()
	reg := newAuthRegistry(t, true)
	img, err := Build(testConfig(t))
	if err != nil {
		t.Fatal(err)
	}
	ref, _ := name.ParseReference(reg + "/provenant/provenant:one")
	d, err := Push(t.Context(), ref, img, releaseAuth)
	if err != nil {
		t.Fatal(err)
	}
	if err := PullAnonymously(t.Context(), d); err != nil {
		t.Errorf("PullAnonymously() = %v", err)
	}
	missing := d.Context().Digest("sha256:" + strings.Repeat("0", 64))
	var pe *PrivateError
	if err := PullAnonymously(t.Context(), missing); err == nil || errors.As(err, &pe) {
		t.Errorf("PullAnonymously(missing) = %v, want a plain error", err)
	}
}
