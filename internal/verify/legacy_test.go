package verify_test

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/provenant/provenant/internal/testing/fakerekor"
	"github.com/provenant/provenant/internal/verify"
)

// legacyLine signs a statement for artifacts the way slsa-github-generator
// v1 did: a DSSE envelope with the certificate in the signature.
func legacyLine(t *testing.T, fx fixture, artifacts ...string) []byte {
	t.Helper()
	b, err := fx.sigstore.Attest(t.Context(), statementFor(t, artifacts...), claims)
	if err != nil {
		t.Fatal(err)
	}
	line, err := fakerekor.EnvelopeFromBundle(b)
	if err != nil {
		t.Fatal(err)
	}
	return line
}

func entry(t *testing.T, ts *fakerekor.TestServer, uuid string) verify.LogEntry {
	t.Helper()
	resp, err := http.Get(ts.URL + fakerekor.EntriesPath + uuid)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]verify.LogEntry
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
		t.Fatal(err)
	}
	return m[uuid]
}

func TestLegacy(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	ts := fakerekor.NewTestServer(t)
	foreignLog := fakerekor.NewTestServer(t)
	withLog, err := fakerekor.WithLogs(fx.trusted, ts.TransparencyLog(ts.URL))
	if err != nil {
		t.Fatal(err)
	}
	trusted := []verify.Root{{Name: "test", Trusted: withLog}}
	line, other := legacyLine(t, fx, "app"), legacyLine(t, fx, "other")
	add := func(ts *fakerekor.TestServer, line []byte) verify.LogEntry {
		id, err := ts.AddIntoto(line)
		if err != nil {
			t.Fatal(err)
		}
		return entry(t, ts, id)
	}
	good, otherEntry, foreign := add(ts, line), add(ts, other), add(foreignLog, line)
	lateSET := good
	lateSET.IntegratedTime++
	noProof := good
	noProof.Verification.InclusionProof = nil
	cases := []struct {
		name    string
		line    []byte
		entry   verify.LogEntry
		roots   []verify.Root
		wantErr error // nil: verifies; errBundle: Bundle refuses
	}{
		{"verified", line, good, trusted, nil},
		{"set_only", line, noProof, trusted, nil},
		{"entry_of_another_envelope", line, otherEntry, trusted, errBundle},
		{"entry_in_a_log_not_trusted", line, foreign, trusted, verify.ErrTransparencyLog},
		{"integrated_time_changed", line, lateSET, trusted, verify.ErrTransparencyLog},
		{"root_without_the_log", line, good, []verify.Root{{Name: "test", Trusted: fx.trusted}}, verify.ErrTimestamp},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			l, err := verify.ParseLegacy(tc.line)
			if err != nil {
				t.Fatal(err)
			}
			b, err := l.Bundle(tc.entry)
			if tc.wantErr == errBundle {
				if err == nil {
					t.Fatal("Bundle() accepted the entry of another envelope")
				}
				return
			}
			if err != nil {
				t.Fatalf("Bundle() = %v", err)
			}
			res, err := verify.Verify(b, tc.roots, digestOf("app"), verify.WithoutIdentityUnsafe())
			if tc.wantErr == nil {
				if err != nil || res.SAN != san {
					t.Fatalf("Verify() = %v, %v", res, err)
				}
				return
			}
			if !errors.Is(err, tc.wantErr) {
				t.Errorf("Verify() = %v, want %v", err, tc.wantErr)
			}
		})
	}
}

var errBundle = errors.New("bundle refused")

func TestParseLegacy_tampered(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	line := legacyLine(t, fx, "app")
	tampered := edit(t, line, func(m map[string]any) {
		p, _ := base64.StdEncoding.DecodeString(m["payload"].(string))
		m["payload"] = base64.StdEncoding.EncodeToString([]byte(strings.Replace(string(p), `"app"`, `"apx"`, 1)))
	})
	if _, err := verify.ParseLegacy(tampered); !errors.Is(err, verify.ErrSignature) {
		t.Errorf("ParseLegacy(tampered) = %v, want ErrSignature", err)
	}
	if !verify.IsLegacy(line) || verify.IsLegacy(fx.good) {
		t.Error("IsLegacy does not tell the line from the bundle")
	}
	if _, err := verify.Verify(line, []verify.Root{{Trusted: fx.trusted}}, digestOf("app"), verify.WithoutIdentityUnsafe()); !errors.Is(err, verify.ErrLegacyEnvelope) {
		t.Errorf("Verify(line) = %v, want ErrLegacyEnvelope", err)
	}
}
