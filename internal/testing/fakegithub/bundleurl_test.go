package fakegithub_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/klauspost/compress/snappy"

	"github.com/provenant/provenant/internal/testing/fakegithub"
)

// storedBundle claims sha256:<64 a> as its subject, so the list endpoint
// finds it.
func storedBundle() string {
	st := `{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"app","digest":{"sha256":"` + strings.Repeat("a", 64) + `"}}]}`
	return `{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","verificationMaterial":{},"dsseEnvelope":{"payload":"` +
		base64.StdEncoding.EncodeToString([]byte(st)) + `"}}`
}

type listed struct {
	Attestations []struct {
		Bundle    json.RawMessage `json:"bundle"`
		BundleURL string          `json:"bundle_url"`
	} `json:"attestations"`
}

func TestBundleForms(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name       string
		form       fakegithub.BundleForm
		wantInline bool
		wantURL    bool
	}{
		{"inline", fakegithub.BundleInline, true, false},
		{"both", fakegithub.BundleAndURL, true, true},
		{"url_only", fakegithub.BundleURLOnly, false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ts := newServer(t, fakegithub.Repo{}, fakegithub.WithBundleForm(tc.form))
			if _, err := ts.AddAttestation(owner, name, []byte(storedBundle())); err != nil {
				t.Fatal(err)
			}
			r := api(t, "GET", ts.APIURL+"/repos/octo-org/octo-repo/attestations/sha256:"+strings.Repeat("a", 64), nil)
			if r.status != http.StatusOK {
				t.Fatalf("list: HTTP %d %s", r.status, r.body)
			}
			got := decode[listed](t, r.body)
			if len(got.Attestations) != 1 {
				t.Fatalf("listed %d attestations, want 1", len(got.Attestations))
			}
			a := got.Attestations[0]
			if inline := string(a.Bundle) != "null" && len(a.Bundle) > 0; inline != tc.wantInline {
				t.Errorf("bundle = %s; want inline %v", a.Bundle, tc.wantInline)
			}
			if (a.BundleURL != "") != tc.wantURL {
				t.Fatalf("bundle_url = %q; want one: %v", a.BundleURL, tc.wantURL)
			}
			if !tc.wantURL {
				return
			}
			if r := api(t, "GET", a.BundleURL, nil); r.status != http.StatusBadRequest {
				t.Errorf("bundle_url read with the GitHub token: HTTP %d, want 400", r.status)
			}
			if r := send(t, "GET", strings.Replace(a.BundleURL, "sig=", "sig=0", 1), "", nil); r.status != http.StatusForbidden {
				t.Errorf("bundle_url with a wrong signature: HTTP %d, want 403", r.status)
			}
			r = send(t, "GET", a.BundleURL, "", nil)
			if r.status != http.StatusOK {
				t.Fatalf("bundle_url: HTTP %d %s", r.status, r.body)
			}
			plain, err := snappy.Decode(nil, r.body)
			if err != nil || string(plain) != storedBundle() {
				t.Errorf("bundle_url body decodes to %q, %v; want the stored bundle", plain, err)
			}
		})
	}
}
