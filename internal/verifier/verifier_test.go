package verifier_test

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/provenant/provenant/internal/policy"
	"github.com/provenant/provenant/internal/provenance"
	"github.com/provenant/provenant/internal/testing/fakesigstore"
	"github.com/provenant/provenant/internal/verifier"
	"github.com/provenant/provenant/internal/verify"
)

// build is the run that signs, as its certificate and provenance name it.
var build = struct{ Repository, Ref, Commit, BuilderID string }{
	Repository: "https://github.com/octo-org/octo-repo", Ref: "refs/tags/v1.2.3",
	Commit:    "c27d339ee6075c1f744c5d4b200f7901aad2c369",
	BuilderID: "https://github.com/octo-org/octo-repo/.github/workflows/release.yml@refs/tags/v1.2.3",
}

// world is an instance, two artifacts on disk and their attestation.
type world struct {
	roots            []verify.Root
	app, lib, stray  string // artifact paths; stray is not attested
	bundle, tampered string // attestation paths
}

// newSigstore is a fresh in-process instance and its trusted root.
func newSigstore(t *testing.T) (*fakesigstore.Sigstore, []verify.Root) {
	t.Helper()
	s, err := fakesigstore.New()
	if err != nil {
		t.Fatal(err)
	}
	trusted, err := s.TrustedRoot()
	if err != nil {
		t.Fatal(err)
	}
	return s, []verify.Root{{Name: "test root", Trusted: trusted}}
}

func newWorld(t *testing.T) world {
	t.Helper()
	s, roots := newSigstore(t)
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	claims := fakesigstore.GitHubClaims(nil)
	st, err := fakesigstore.Provenance(claims, provenance.V1, map[string][]byte{"app": []byte("app\n"), "lib": []byte("lib\n")})
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.Attest(t.Context(), st, claims)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	env := m["dsseEnvelope"].(map[string]any)
	env["payload"] = base64.StdEncoding.EncodeToString([]byte(strings.Replace(string(st), "octo-org/octo-repo", "octo-org/octo-repx", 1)))
	tampered, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return world{
		roots: roots,
		app:   write("app", []byte("app\n")), lib: write("lib", []byte("lib\n")), stray: write("stray", []byte("stray\n")),
		bundle: write("app.sigstore.json", b), tampered: write("tampered.sigstore.json", tampered),
	}
}

func TestRun(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	pol := policy.Policy{SourceURI: "github.com/octo-org/octo-repo", SourceRef: build.Ref, BuilderID: build.BuilderID}
	cases := []struct {
		name    string
		cfg     verifier.Config
		want    []bool   // verified, per artifact
		reasons []string // in the refusals, when refused
	}{
		{"both_artifacts", verifier.Config{Targets: []string{w.app, w.lib}, Attestations: []string{w.bundle}}, []bool{true, true}, nil},
		{"by_digest", verifier.Config{Digests: []string{"SHA256:" + strings.Repeat("0", 64)}, Attestations: []string{w.bundle}}, []bool{false}, []string{"artifact not in the statement's subjects"}},
		{"artifact_not_attested", verifier.Config{Targets: []string{w.stray}, Attestations: []string{w.bundle}}, []bool{false}, []string{"artifact not in the statement's subjects"}},
		{"tampered_payload", verifier.Config{Targets: []string{w.app}, Attestations: []string{w.tampered}}, []bool{false}, []string{"signature: "}},
		{"wrong_repository", verifier.Config{Targets: []string{w.app}, Attestations: []string{w.bundle},
			Policy: policy.Policy{SourceURI: "github.com/evil-org/octo-repo"}}, []bool{false}, []string{"source repository"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg := tc.cfg
			cfg.Roots = w.roots
			if cfg.Policy.SourceURI == "" {
				cfg.Policy = pol
			}
			rep, err := verifier.Run(t.Context(), cfg)
			if err != nil {
				t.Fatalf("Run() = %v", err)
			}
			var got []bool
			var reasons strings.Builder
			for _, v := range rep.Artifacts {
				got = append(got, v.Verified)
				for _, r := range v.Refusals {
					reasons.WriteString(r.Reason + "\n")
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Fatalf("verified mismatch (-want +got):\n%s\nrefusals:\n%s", diff, reasons.String())
			}
			for _, r := range tc.reasons {
				if !strings.Contains(reasons.String(), r) {
					t.Errorf("refusals do not name %q:\n%s", r, reasons.String())
				}
			}
			if rep.Verified != !slices.Contains(got, false) {
				t.Errorf("Report.Verified = %t for %v", rep.Verified, got)
			}
		})
	}
}

func TestRun_verifiedProvenance(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	rep, err := verifier.Run(t.Context(), verifier.Config{Targets: []string{w.app}, Attestations: []string{w.bundle}, Roots: w.roots,
		Policy: policy.Policy{SourceURI: "github.com/octo-org/octo-repo"}})
	if err != nil || len(rep.Artifacts) != 1 {
		t.Fatalf("Run() = %+v, %v", rep, err)
	}
	v := rep.Artifacts[0]
	want := policy.Provenance{PredicateType: policy.SLSAv1, BuildType: policy.BuildTypeActions, BuilderID: build.BuilderID, Repository: build.Repository, Ref: build.Ref, Commit: build.Commit}
	if v.Provenance == nil || v.Root != "test root" || v.Attestation != w.bundle || len(v.Statement) == 0 {
		t.Fatalf("verdict %+v", v)
	}
	got := *v.Provenance
	got.Subjects = nil
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Provenance mismatch (-want +got):\n%s", diff)
	}
}

func TestRun_badInput(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	_, err := verifier.Run(t.Context(), verifier.Config{Roots: w.roots, Attestations: []string{w.bundle}})
	if !errors.Is(err, verifier.ErrNothingToVerify) {
		t.Errorf("no artifacts: %v", err)
	}
	_, err = verifier.Run(t.Context(), verifier.Config{Roots: w.roots, Targets: []string{w.app}})
	var none *verifier.NoAttestationError
	if !errors.As(err, &none) || none.Artifact != w.app {
		t.Errorf("no attestation: %v", err)
	}
}
