package signing

import (
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/sigstore/sigstore-go/pkg/root"

	"github.com/provenant/provenant/internal/redact"
)

const start = `"validFor":{"start":"2020-01-01T00:00:00Z"}`

func signingConfig(t *testing.T, logs, tsas string) *root.SigningConfig {
	t.Helper()
	js := `{"mediaType":"application/vnd.dev.sigstore.signingconfig.v0.2+json",
	 "caUrls":[{"url":"http://ca.test","majorApiVersion":1,` + start + `}],
	 "oidcUrls":[],
	 "rekorTlogUrls":[` + logs + `],"rekorTlogConfig":{"selector":"ANY"},
	 "tsaUrls":[` + tsas + `],"tsaConfig":{"selector":"ANY"}}`
	sc, err := root.NewSigningConfigFromJSON([]byte(js))
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

func TestSelectServices(t *testing.T) {
	t.Parallel()
	v1 := `{"url":"http://rekor1.test","majorApiVersion":1,` + start + `}`
	v2 := `{"url":"http://rekor2.test","majorApiVersion":2,` + start + `}`
	tsa := `{"url":"http://tsa.test/api/v1/timestamp","majorApiVersion":1,` + start + `}`
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		name    string
		logs    string
		tsas    string
		version uint32
		want    Services
		wantErr string
	}{
		{name: "v1_log_only", logs: v1, want: Services{CA: "http://ca.test", Logs: []Log{{"http://rekor1.test", 1}}}},
		{name: "newest_log_by_default", logs: v1 + "," + v2, tsas: tsa,
			want: Services{CA: "http://ca.test", Logs: []Log{{"http://rekor2.test", 2}}, TSAs: []string{"http://tsa.test/api/v1/timestamp"}}},
		{name: "insist_on_v1", logs: v1 + "," + v2, tsas: tsa, version: 1,
			want: Services{CA: "http://ca.test", Logs: []Log{{"http://rekor1.test", 1}}, TSAs: []string{"http://tsa.test/api/v1/timestamp"}}},
		{name: "tsa_only", tsas: tsa, want: Services{CA: "http://ca.test", TSAs: []string{"http://tsa.test/api/v1/timestamp"}}},
		{name: "no_time_source", wantErr: "neither a transparency log nor a timestamp authority"},
		{name: "rekor_v2_without_tsa", logs: v2, wantErr: "gives no signing time"},
		{name: "version_not_offered", logs: v1, version: 2, wantErr: "API versions [2]"},
		{name: "version_without_logs", tsas: tsa, version: 1, wantErr: "lists no transparency log"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := SelectServices(signingConfig(t, tc.logs, tc.tsas), now, tc.version)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("SelectServices() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLoadInstance_errors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	sc := filepath.Join(dir, "signing_config.json")
	if err := os.WriteFile(sc, []byte(`{"mediaType":"application/vnd.dev.sigstore.signingconfig.v0.2+json","caUrls":[]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	badRoot := filepath.Join(dir, "root.json")
	if err := os.WriteFile(badRoot, []byte(`{`), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name    string
		src     Source
		wantErr string
	}{
		{"custom_without_root", Source{Sigstore: sc}, "trusted-root must name"},
		{"custom_missing_config", Source{Sigstore: filepath.Join(dir, "nope.json"), TrustedRoot: badRoot}, "nope.json"},
		{"custom_bad_root", Source{Sigstore: sc, TrustedRoot: badRoot}, "root.json"},
		{"github_without_cache", Source{Sigstore: GitHub}, "no TUF cache directory"},
		{"public_good_without_cache", Source{Sigstore: PublicGood}, "no TUF cache directory"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := LoadInstance(t.Context(), tc.src)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("LoadInstance() error = %v, want %q", err, tc.wantErr)
			}
		})
	}
}

func TestIsPublic(t *testing.T) {
	t.Parallel()
	for name, want := range map[string]bool{"": true, PublicGood: true, GitHub: false, "/etc/sc.json": false} {
		if got := IsPublic(name); got != want {
			t.Errorf("IsPublic(%q) = %v", name, got)
		}
	}
}

func TestNew_needsToken(t *testing.T) {
	t.Parallel()
	if _, err := New(Services{CA: "http://ca.test"}, nil, ""); err == nil {
		t.Error("New without a token succeeded")
	}
}

// TestSign_errorHidesToken has Fulcio refuse the token and echo it back in
// every encoding; the error must carry none of them.
func TestSign_errorHidesToken(t *testing.T) {
	t.Parallel()
	payload := base64.RawURLEncoding.EncodeToString([]byte(`{"iss":"https://issuer.test","sub":"repo:o/r"}`))
	token := "eyJhbGciOiJub25lIn0." + payload + ".c2lnbmF0dXJl"
	fulcio := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "bad token "+strings.Join(redact.Forms(token), " and "), http.StatusBadRequest)
	}))
	t.Cleanup(fulcio.Close)
	s, err := New(Services{CA: fulcio.URL}, nil, token, WithTransport(http.DefaultTransport))
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Sign(t.Context(), []byte(`{}`))
	if err == nil {
		t.Fatal("Sign succeeded with a refused token")
	}
	if !strings.Contains(err.Error(), "bad token REDACTED") {
		t.Errorf("error = %q, want Fulcio's answer, redacted", err)
	}
	for _, f := range redact.Forms(token) {
		if strings.Contains(err.Error(), f) {
			t.Errorf("error contains the token as %q: %v", f, err)
		}
	}
}
