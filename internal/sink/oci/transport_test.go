package oci

import (
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// flaky answers the first n matching requests with status, or delays them
// by delay, and counts the matching requests.
type flaky struct {
	match  func(*http.Request) bool
	n      int
	status int
	delay  time.Duration

	mu   sync.Mutex
	seen int
}

func (f *flaky) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.seen
}

func (f *flaky) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !f.match(r) {
			next.ServeHTTP(w, r)
			return
		}
		f.mu.Lock()
		f.seen++
		bad := f.seen <= f.n
		f.mu.Unlock()
		switch {
		case bad && f.delay > 0:
			select {
			case <-time.After(f.delay):
			case <-r.Context().Done():
				return
			}
		case bad:
			w.WriteHeader(f.status)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func isManifestPut(r *http.Request) bool {
	return r.Method == http.MethodPut && strings.Contains(r.URL.Path, "/manifests/sha256:")
}

func isSubjectHead(r *http.Request) bool {
	return r.Method == http.MethodHead && strings.Contains(r.URL.Path, "/manifests/sha256:")
}

func TestPusher_Attach_transportPolicy(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		flaky     *flaky
		timeout   time.Duration
		wantErr   string
		wantCount int
	}{
		{name: "retries_5xx", flaky: &flaky{match: isManifestPut, n: 2, status: http.StatusServiceUnavailable}, wantCount: 3},
		{name: "retries_429", flaky: &flaky{match: isManifestPut, n: 1, status: http.StatusTooManyRequests}, wantCount: 2},
		{name: "gives_up_after_3_retries", flaky: &flaky{match: isManifestPut, n: 100, status: http.StatusBadGateway}, wantCount: 4,
			wantErr: "502 Bad Gateway"},
		{name: "4xx_not_retried", flaky: &flaky{match: isManifestPut, n: 100, status: http.StatusBadRequest}, wantCount: 1,
			wantErr: "400 Bad Request"},
		{name: "slow_request_times_out_and_is_retried", flaky: &flaky{match: isSubjectHead, n: 1, delay: 5 * time.Second},
			timeout: 300 * time.Millisecond, wantCount: 2},
		{name: "always_slow", flaky: &flaky{match: isSubjectHead, n: 100, delay: 5 * time.Second},
			timeout: 100 * time.Millisecond, wantCount: 4, wantErr: "no answer within 100ms"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			host := newRegistry(t, false, tc.flaky.wrap)
			img := pushImage(t, host, "octo-org/app")
			bundle, chain := bundleFor(t, img, kindRekorV1)
			timeout := testTimeout
			if tc.timeout > 0 {
				timeout = tc.timeout
			}
			_, err := newPusher(t, withTestPolicy(timeout)).Attach(t.Context(), img.String(), bundle, chain)
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatal(err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("Attach error = %v, want %q", err, tc.wantErr)
			}
			if got := tc.flaky.count(); got != tc.wantCount {
				t.Errorf("registry saw %d matching requests, want %d", got, tc.wantCount)
			}
		})
	}
}
