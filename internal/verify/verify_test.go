package verify_test

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/sigstore/sigstore-go/pkg/fulcio/certificate"
	"github.com/sigstore/sigstore-go/pkg/root"

	"github.com/provenant/provenant/internal/intoto"
	"github.com/provenant/provenant/internal/testing/fakesigstore"
	"github.com/provenant/provenant/internal/verify"
)

const (
	san    = "https://github.com/octo-org/octo-repo/.github/workflows/release.yml@refs/tags/v1.2.3"
	issuer = "https://token.actions.githubusercontent.com"
)

// claims are those of the run that signs; the certificate's SAN is san.
var claims = fakesigstore.GitHubClaims(nil)

func digestOf(s string) intoto.Digest {
	sum := sha256.Sum256([]byte(s))
	return intoto.Digest{Alg: "sha256", Hex: hex.EncodeToString(sum[:])}
}

func statementFor(t *testing.T, artifacts ...string) []byte {
	t.Helper()
	st := intoto.Statement{Type: intoto.StatementV1, PredicateType: intoto.SLSAProvenanceV1, Predicate: json.RawMessage(`{}`)}
	for _, a := range artifacts {
		d := digestOf(a)
		st.Subject = append(st.Subject, intoto.Subject{Name: a, Digest: intoto.DigestSet{d.Alg: d.Hex}})
	}
	b, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// edit rewrites a bundle's JSON with f.
func edit(t *testing.T, b []byte, f func(m map[string]any)) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	f(m)
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func field(m map[string]any, path ...string) map[string]any {
	for _, p := range path {
		m = m[p].(map[string]any)
	}
	return m
}

type fixture struct {
	sigstore      *fakesigstore.Sigstore
	trusted       *root.TrustedRoot
	good, other   []byte // bundles for "app" and for "other"
	foreignCA     root.TrustedMaterial
	foreignEntire root.TrustedMaterial
}

func trustedRoot(t *testing.T, s *fakesigstore.Sigstore) *root.TrustedRoot {
	t.Helper()
	tr, err := s.TrustedRoot()
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func newFixture(t *testing.T) fixture {
	t.Helper()
	s, err := fakesigstore.New()
	if err != nil {
		t.Fatal(err)
	}
	foreign, err := fakesigstore.New()
	if err != nil {
		t.Fatal(err)
	}
	good, err := s.Attest(t.Context(), statementFor(t, "app", "lib"), claims)
	if err != nil {
		t.Fatal(err)
	}
	other, err := s.Attest(t.Context(), statementFor(t, "other"), claims)
	if err != nil {
		t.Fatal(err)
	}
	trusted, foreignRoot := trustedRoot(t, s), trustedRoot(t, foreign)
	// The instance's timestamp authority with another certificate authority.
	foreignCA, err := root.NewTrustedRoot(root.TrustedRootMediaType01, foreignRoot.FulcioCertificateAuthorities(),
		nil, trusted.TimestampingAuthorities(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return fixture{sigstore: s, trusted: trusted, good: good, other: other, foreignCA: foreignCA, foreignEntire: foreignRoot}
}

func TestVerify(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	trusted := []verify.Root{{Name: "test", Trusted: fx.trusted}}
	early, err := fx.sigstore.Attest(t.Context(), statementFor(t, "app"), claims, fakesigstore.WithTimestampAt(time.Now().Add(-30*time.Minute)))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name     string
		bundle   []byte
		roots    []verify.Root
		artifact string
		want     error // nil: verifies
	}{
		{"good", fx.good, trusted, "app", nil},
		{"second_subject", fx.good, trusted, "lib", nil},
		{"artifact_not_in_subjects", fx.good, trusted, "app!", verify.ErrArtifactNotInStatement},
		{"bundle_of_another_artifact", fx.other, trusted, "app", verify.ErrArtifactNotInStatement},
		{"tampered_payload", edit(t, fx.good, func(m map[string]any) {
			env := field(m, "dsseEnvelope")
			p, _ := base64.StdEncoding.DecodeString(env["payload"].(string))
			env["payload"] = base64.StdEncoding.EncodeToString([]byte(strings.Replace(string(p), `"app"`, `"apx"`, 1)))
		}), trusted, "app", verify.ErrSignature},
		{"tampered_signature", edit(t, fx.good, func(m map[string]any) {
			sig := field(m, "dsseEnvelope")["signatures"].([]any)[0].(map[string]any)
			b, _ := base64.StdEncoding.DecodeString(sig["sig"].(string))
			b[len(b)/2] ^= 0xff
			sig["sig"] = base64.StdEncoding.EncodeToString(b)
		}), trusted, "app", verify.ErrSignature},
		{"swapped_certificate", edit(t, fx.good, func(m map[string]any) {
			var o map[string]any
			_ = json.Unmarshal(fx.other, &o)
			field(m, "verificationMaterial")["certificate"] = field(o, "verificationMaterial")["certificate"]
		}), trusted, "app", verify.ErrSignature},
		{"timestamp_of_another_signature", edit(t, fx.good, func(m map[string]any) {
			var o map[string]any
			_ = json.Unmarshal(fx.other, &o)
			field(m, "verificationMaterial")["timestampVerificationData"] = field(o, "verificationMaterial")["timestampVerificationData"]
		}), trusted, "app", verify.ErrTimestamp},
		{"no_timestamp", edit(t, fx.good, func(m map[string]any) {
			delete(field(m, "verificationMaterial"), "timestampVerificationData")
		}), trusted, "app", verify.ErrTimestamp},
		{"timestamp_before_certificate", early, trusted, "app", verify.ErrTimestamp},
		{"certificate_from_another_ca", fx.good, []verify.Root{{Name: "foreign", Trusted: fx.foreignCA}}, "app", verify.ErrCertificateChain},
		{"foreign_root_then_trusted", fx.good, append([]verify.Root{{Name: "foreign", Trusted: fx.foreignEntire}}, trusted...), "app", nil},
		{"not_a_bundle", []byte(`{"mediaType":"nothing"}`), trusted, "app", verify.ErrMalformed},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res, err := verify.Verify(tc.bundle, tc.roots, digestOf(tc.artifact), verify.WithoutIdentityUnsafe())
			if tc.want == nil {
				if err != nil {
					t.Fatalf("Verify() = %v, want success", err)
				}
				if diff := cmp.Diff(san, res.Evidence().SAN); diff != "" || res.Root != "test" || len(res.Statement) == 0 {
					t.Errorf("Verify() result: root %q, SAN diff %s", res.Root, diff)
				}
				return
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("Verify() = %v, want %v", err, tc.want)
			}
			var ve *verify.Error
			if !errors.As(err, &ve) || !strings.HasPrefix(err.Error(), tc.want.Error()) {
				t.Errorf("Verify() = %q, want an *Error starting with %q", err, tc.want)
			}
		})
	}
}

func TestVerify_namesTheRootWhenSeveral(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	roots := []verify.Root{{Name: "a", Trusted: fx.foreignCA}, {Name: "b", Trusted: fx.foreignCA}}
	_, err := verify.Verify(fx.good, roots, digestOf("app"), verify.WithoutIdentityUnsafe())
	for _, want := range []string{"(trusted root a)", "(trusted root b)"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Verify() = %v, want it to name %s", err, want)
		}
	}
}

func TestVerify_needsAnIdentityDecision(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	if _, err := verify.Verify(fx.good, []verify.Root{{Trusted: fx.trusted}}, digestOf("app")); err == nil {
		t.Fatal("Verify() without an identity option succeeded")
	}
}

func TestBundle(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	req := verify.Requirements{SignedTimestamps: true}
	id := verify.Identity{SAN: san, Issuer: issuer, Extensions: certificate.Extensions{SourceRepositoryRef: "refs/tags/v1.2.3"}}
	app := digestOf("app")
	res, err := verify.Bundle(fx.good, fx.trusted, app.Alg, app.Hex, id, req)
	if err != nil {
		t.Fatalf("Bundle() = %v", err)
	}
	if diff := cmp.Diff("https://github.com/octo-org/octo-repo", res.Extensions.SourceRepositoryURI); diff != "" {
		t.Errorf("Extensions mismatch (-want +got):\n%s", diff)
	}
	wrong := []verify.Identity{
		{SAN: san + "x", Issuer: issuer},
		{SAN: san, Issuer: "https://issuer.test"},
		{SAN: san, Issuer: issuer, Extensions: certificate.Extensions{SourceRepositoryRef: "refs/heads/main"}},
	}
	for _, w := range wrong {
		if _, err := verify.Bundle(fx.good, fx.trusted, app.Alg, app.Hex, w, req); !errors.Is(err, verify.ErrIdentity) {
			t.Errorf("Bundle(%+v) = %v, want ErrIdentity", w, err)
		}
	}
	if _, err := verify.Bundle(fx.good, fx.trusted, app.Alg, app.Hex, id, verify.Requirements{TransparencyLog: true, IntegratedTime: true}); !errors.Is(err, verify.ErrTransparencyLog) {
		t.Errorf("Bundle() without the required log entry = %v, want ErrTransparencyLog", err)
	}
}
