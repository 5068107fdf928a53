package main

import (
	"bytes"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// setup starts a registry that wants basic auth for writes, and for reads
// unless publicRead, and pushes a random image to it with credentials.
func setup(t *testing.T, publicRead bool) string {
	t.Helper()
	reg := registry.New(registry.Logger(log.New(io.Discard, "", 0)))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		read := r.Method == http.MethodGet || r.Method == http.MethodHead
		if u, p, ok := r.BasicAuth(); (ok && u == "bot" && p == "pw") || (read && publicRead) {
			reg.ServeHTTP(w, r)
			return
		}
		w.Header().Set("WWW-Authenticate", `Basic realm="test"`)
		http.Error(w, "authentication required", http.StatusUnauthorized)
	}))
	t.Cleanup(srv.Close)
	img, err := random.Image(1024, 2)
	if err != nil {
		t.Fatal(err)
	}
	ref, err := name.ParseReference(strings.TrimPrefix(srv.URL, "http://") + "/provenant/provenant:v1.2.3")
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(ref, img, remote.WithAuth(&authn.Basic{Username: "bot", Password: "pw"})); err != nil {
		t.Fatal(err)
	}
	d, err := img.Digest()
	if err != nil {
		t.Fatal(err)
	}
	return ref.Context().Digest(d.String()).String()
}

func TestRun(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name       string
		publicRead bool
		arg        func(ref string) string
		wantErr    string
	}{
		{"public", true, func(r string) string { return r }, ""},
		{"private", false, func(r string) string { return r }, "cannot be pulled without credentials (HTTP 401)"},
		{"tag_not_digest", true, func(r string) string { return strings.Split(r, "@")[0] + ":v1.2.3" }, "not a digest reference"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ref := setup(t, tc.publicRead)
			var stdout bytes.Buffer
			err := run(t.Context(), []string{tc.arg(ref)}, &stdout)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("run() = %v", err)
				}
				if !strings.Contains(stdout.String(), ref) {
					t.Errorf("stdout = %q, want it to name %s", stdout.String(), ref)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("run() = %v, want an error containing %q", err, tc.wantErr)
			}
		})
	}
}

func TestRun_usage(t *testing.T) {
	t.Parallel()
	if err := run(t.Context(), nil, io.Discard); err == nil || !strings.Contains(err.Error(), "usage") {
		t.Errorf("run() = %v, want the usage", err)
	}
}
