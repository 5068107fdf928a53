package oci

import (
	"bytes"
	"net/http"
	"strings"
	"sync"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
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
	// index is the order of requests for the fallback index tag: "GET",
	// "PUT refused", "PUT".
	index []string
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
			if kind == "index" && req.Method == http.MethodGet {
				r.mu.Lock()
				r.index = append(r.index, "GET")
				r.mu.Unlock()
			}
			next.ServeHTTP(w, req) // also the image the test pushes by tag
			return
		}
		r.mu.Lock()
		r.puts[kind]++
		n := r.puts[kind]
		if kind == "index" {
			r.index = append(r.index, map[bool]string{true: "PUT", false: "PUT refused"}[n > r.fail])
		}
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
		if err == nil || !strings.Contains(err.Error(), "MANIFEST_BLOB_UNKNOWN") || !strings.Contains(err.Error(), "refused 5 times") {
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

// TestEnsureFallback_rereadsAfterRace: when the registry refuses the
// fallback index write as racing, the index is read again and the write
// rebuilt from that read, never resent from the old one, which would drop
// entries other writers added in between.
func TestEnsureFallback_rereadsAfterRace(t *testing.T) {
	t.Parallel()
	reg := &raceRegistry{codes: []string{"MANIFEST_UNKNOWN"}, puts: map[string]int{}}
	host := newRegistry(t, false, reg.middleware)
	img, r, s := referrerSession(t, host)
	// The referrer manifest, by digest, without the index update ggcr's
	// Put would make.
	for _, b := range r.blobs {
		if err := s.pusher.Upload(t.Context(), img.Context(), b); err != nil {
			t.Fatal(err)
		}
	}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPut,
		"http://"+host+"/v2/octo-org/app/manifests/"+r.desc.Digest.String(), bytes.NewReader(r.manifest.raw))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", string(r.manifest.mt))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("putting the referrer manifest: %s", resp.Status)
	}
	reg.mu.Lock()
	reg.fail = 2 // from here on: the first two index writes are refused
	reg.mu.Unlock()
	tag := fallbackTag(img.Context(), r.subject)
	if _, _, err := s.ensureFallback(t.Context(), tag, r.desc, &earlier{decided: map[v1.Hash]verdict{}}); err != nil {
		t.Fatalf("ensureFallback: %v", err)
	}
	refused := 0
	for i, e := range reg.index {
		if e != "PUT refused" {
			continue
		}
		refused++
		if i+1 >= len(reg.index) || reg.index[i+1] != "GET" {
			t.Fatalf("fallback index requests %v: a refused PUT is not followed by a fresh read", reg.index)
		}
	}
	if refused != reg.fail {
		t.Fatalf("fallback index requests %v: want %d refused PUTs", reg.index, reg.fail)
	}
	if idx := getIndex(t, tag.Name()); len(idx.Manifests) != 1 || idx.Manifests[0].Digest != r.desc.Digest {
		t.Errorf("fallback index lists %+v; want the referrer", idx.Manifests)
	}
}
