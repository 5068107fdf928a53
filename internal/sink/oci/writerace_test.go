package oci

import (
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// raceRegistry answers the first `fail` PUTs of each kind of manifest
// (referrer by digest, fallback index tag, .att tag) with the errors
// distribution gives while another writer rewrites a blob's link file,
// and counts the PUTs of each kind.
type raceRegistry struct {
	mu    sync.Mutex
	fail  int
	codes []string
	puts  map[string]int
}

func (r *raceRegistry) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		_, ref, ok := strings.Cut(req.URL.Path, "/manifests/")
		var kind string
		switch {
		case strings.HasPrefix(ref, "sha256-") && strings.HasSuffix(ref, ".att"):
			kind = "att"
		case strings.HasPrefix(ref, "sha256-"):
			kind = "index"
		case strings.HasPrefix(ref, "sha256:"):
			kind = "referrer"
		}
		if req.Method != http.MethodPut || !ok || kind == "" {
			next.ServeHTTP(w, req) // the image the test pushes by tag
			return
		}
		r.mu.Lock()
		r.puts[kind]++
		n := r.puts[kind]
		r.mu.Unlock()
		if n > r.fail {
			next.ServeHTTP(w, req)
			return
		}
		var errs []string
		for _, c := range r.codes {
			errs = append(errs, `{"code":"`+c+`","message":"blob unknown to registry"}`)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		w.Write([]byte(`{"errors":[` + strings.Join(errs, ",") + `]}`))
	})
}

// TestPusher_Attach_writeRace: a manifest PUT that the registry refuses
// because another writer was storing the same blob at that moment is made
// again, in every layout; one that keeps being refused fails, saying so.
func TestPusher_Attach_writeRace(t *testing.T) {
	t.Parallel()
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			reg := &raceRegistry{fail: 2, codes: []string{"MANIFEST_BLOB_UNKNOWN", "DIGEST_INVALID"}, puts: map[string]int{}}
			host := newRegistry(t, m.referrers, reg.middleware)
			img := pushImage(t, host, "octo-org/app")
			bundle, chain := bundleFor(t, img, kindRekorV1)
			st, err := newPusher(t, WithLegacyAtt(true)).Attach(t.Context(), img.String(), bundle, chain)
			if err != nil {
				t.Fatalf("Attach: %v", err)
			}
			getManifest(t, st.Referrer)
			if n := len(attLayers(t, legacyTagOf(img))); n != 1 {
				t.Errorf(".att has %d layers, want 1", n)
			}
			kinds := []string{"referrer", "att"}
			if !m.referrers {
				kinds = append(kinds, "index")
				if idx := getIndex(t, st.FallbackTag); len(idx.Manifests) != 1 {
					t.Errorf("fallback index lists %d referrers, want 1", len(idx.Manifests))
				}
			}
			for _, k := range kinds {
				if reg.puts[k] <= reg.fail {
					t.Errorf("%d PUTs of the %s, want more than the %d refused", reg.puts[k], k, reg.fail)
				}
			}
		})
	}
	t.Run("persistent", func(t *testing.T) {
		t.Parallel()
		reg := &raceRegistry{fail: 1 << 20, codes: []string{"MANIFEST_BLOB_UNKNOWN"}, puts: map[string]int{}}
		host := newRegistry(t, true, reg.middleware)
		img := pushImage(t, host, "octo-org/app")
		bundle, chain := bundleFor(t, img, kindRekorV1)
		_, err := newPusher(t).Attach(t.Context(), img.String(), bundle, chain)
		if err == nil || !strings.Contains(err.Error(), "MANIFEST_BLOB_UNKNOWN") || !strings.Contains(err.Error(), "answered so 5 times") {
			t.Fatalf("Attach = %v, want the registry's error and how often it came", err)
		}
		if reg.puts["referrer"] != raceAttempts {
			t.Errorf("%d PUTs of the referrer, want %d", reg.puts["referrer"], raceAttempts)
		}
	})
}

func TestIsWriteRace(t *testing.T) {
	t.Parallel()
	diag := func(codes ...transport.ErrorCode) error {
		e := &transport.Error{StatusCode: http.StatusBadRequest}
		for _, c := range codes {
			e.Errors = append(e.Errors, transport.Diagnostic{Code: c})
		}
		return e
	}
	cases := []struct {
		err  error
		want bool
	}{
		{diag(transport.ManifestBlobUnknownErrorCode), true},
		{diag(transport.DigestInvalidErrorCode, transport.ManifestBlobUnknownErrorCode), true},
		{diag(transport.ManifestUnknownErrorCode), true},
		{diag(transport.ManifestBlobUnknownErrorCode, transport.DeniedErrorCode), false},
		{diag(transport.ManifestInvalidErrorCode), false},
		{diag(), false},
		{http.ErrHandlerTimeout, false},
	}
	for _, tc := range cases {
		if got := isWriteRace(tc.err); got != tc.want {
			t.Errorf("isWriteRace(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}
