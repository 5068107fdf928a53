package verifier_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sigstore/sigstore-go/pkg/root"

	"github.com/provenant/provenant/internal/policy"
	"github.com/provenant/provenant/internal/testing/fakerekor"
	"github.com/provenant/provenant/internal/testing/fakesigstore"
	"github.com/provenant/provenant/internal/verifier"
	"github.com/provenant/provenant/internal/verify"
)

// legacyWorld is an instance with a Rekor v1 log, and slsa-github-generator
// v1 lines for "app" (logged) and "other" (not logged).
type legacyWorld struct {
	log                      *fakerekor.TestServer
	trusted                  *root.TrustedRoot // Fulcio, TSA, and the log without a base URL
	app                      string            // the artifact
	line, tampered, unlogged string            // line files
	lineJSON, otherJSON      []byte
}

func newLegacyWorld(t *testing.T) legacyWorld {
	t.Helper()
	s, err := fakesigstore.New()
	if err != nil {
		t.Fatal(err)
	}
	base, err := s.TrustedRoot()
	if err != nil {
		t.Fatal(err)
	}
	claims := fakesigstore.GitHubClaims(nil)
	sign := func(artifact string) []byte {
		b, err := s.AttestFiles(t.Context(), claims, map[string][]byte{artifact: []byte(artifact + "\n")})
		if err != nil {
			t.Fatal(err)
		}
		line, err := fakerekor.EnvelopeFromBundle(b)
		if err != nil {
			t.Fatal(err)
		}
		return line
	}
	w := legacyWorld{log: fakerekor.NewTestServer(t), lineJSON: sign("app"), otherJSON: sign("other")}
	if _, err := w.log.AddIntoto(w.lineJSON); err != nil {
		t.Fatal(err)
	}
	if w.trusted, err = fakerekor.WithLogs(base, w.log.TransparencyLog("")); err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(w.lineJSON, &m); err != nil {
		t.Fatal(err)
	}
	p, _ := base64.StdEncoding.DecodeString(m["payload"].(string))
	m["payload"] = base64.StdEncoding.EncodeToString([]byte(strings.Replace(string(p), "octo-org/octo-repo", "octo-org/octo-repx", 1)))
	tampered, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	w.app = write("app", []byte("app"))
	w.line, w.tampered, w.unlogged = write("app.intoto.jsonl", w.lineJSON), write("tampered.intoto.jsonl", tampered), write("other.intoto.jsonl", w.otherJSON)
	return w
}

// withBaseURL is the world's trusted root with the log's base URL.
func (w legacyWorld) withBaseURL(t *testing.T, u string) []verify.Root {
	t.Helper()
	tr, err := fakerekor.WithLogs(w.trusted, w.log.TransparencyLog(u))
	if err != nil {
		t.Fatal(err)
	}
	return []verify.Root{{Name: "with log", Trusted: tr}}
}

func TestRun_slsaGitHubGeneratorV1(t *testing.T) {
	t.Parallel()
	w := newLegacyWorld(t)
	closed := httptest.NewServer(nil)
	closed.Close()
	// A log whose index files another envelope's entry under this one's keys.
	liar := fakerekor.NewTestServer(t)
	otherBody, _, err := fakerekor.IntotoBody(w.otherJSON)
	if err != nil {
		t.Fatal(err)
	}
	_, keys, err := fakerekor.IntotoBody(w.lineJSON)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := liar.AddBody(otherBody, keys...); err != nil {
		t.Fatal(err)
	}
	noURL := []verify.Root{{Name: "no log URL", Trusted: w.trusted}}
	cases := []struct {
		name     string
		line     string
		roots    []verify.Root
		rekorURL string
		offline  bool
		want     string // in the refusals; "" verifies
	}{
		{"log_of_the_trusted_root", w.line, w.withBaseURL(t, w.log.URL), "", false, ""},
		{"rekor_url", w.line, noURL, w.log.URL, false, ""},
		{"tampered_envelope", w.tampered, w.withBaseURL(t, w.log.URL), "", false, "signature: the DSSE signature does not verify"},
		{"not_logged", w.unlogged, w.withBaseURL(t, w.log.URL), "", false, "needs its Rekor entry: " + w.log.URL + " holds no entry for it"},
		{"entry_for_another_envelope", w.line, noURL, liar.URL, false, "the entries found are for other envelopes"},
		{"log_not_trusted", w.line, []verify.Root{{Name: "without the log", Trusted: mustRoot(t, w.log.URL)}}, "", false, "transparency log entry"},
		{"log_unreachable", w.line, noURL, closed.URL, false, "needs its Rekor entry: searching " + closed.URL + ": the log is unreachable"},
		{"offline", w.line, w.withBaseURL(t, w.log.URL), "", true, "slsa-github-generator v1 DSSE envelope: needs its Rekor entry: not looked up, as lookups are off (offline)"},
		{"no_log_url", w.line, noURL, "", false, "slsa-github-generator v1 DSSE envelope: needs its Rekor entry: the trusted root names no transparency log URL"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rep, err := verifier.Run(t.Context(), verifier.Config{Targets: []string{w.app}, Attestations: []string{tc.line}, Roots: tc.roots,
				RekorURL: tc.rekorURL, Offline: tc.offline, Policy: policy.Policy{SourceURI: "github.com/octo-org/octo-repo"}})
			if err != nil || len(rep.Artifacts) != 1 {
				t.Fatalf("Run() = %+v, %v", rep, err)
			}
			v := rep.Artifacts[0]
			if tc.want == "" {
				if !v.Verified || !strings.Contains(v.Attestation, "with Rekor entry 0 at "+w.log.URL) {
					t.Fatalf("verdict %+v", v)
				}
				return
			}
			if v.Verified || len(v.Refusals) != 1 || !strings.Contains(v.Refusals[0].Reason, tc.want) {
				t.Errorf("verdict %+v, want a refusal holding %q", v, tc.want)
			}
		})
	}
}

// mustRoot is a trusted root whose only log is another one, at u.
func mustRoot(t *testing.T, u string) root.TrustedMaterial {
	t.Helper()
	s, err := fakesigstore.New()
	if err != nil {
		t.Fatal(err)
	}
	base, err := s.TrustedRoot()
	if err != nil {
		t.Fatal(err)
	}
	other, err := fakerekor.New()
	if err != nil {
		t.Fatal(err)
	}
	tr, err := fakerekor.WithLogs(base, other.TransparencyLog(u))
	if err != nil {
		t.Fatal(err)
	}
	return tr
}
