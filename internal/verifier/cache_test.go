package verifier

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/provenant/provenant/internal/intoto"
	"github.com/provenant/provenant/internal/policy"
	"github.com/provenant/provenant/internal/provenance"
	"github.com/provenant/provenant/internal/testing/fakesigstore"
	"github.com/provenant/provenant/internal/verify"
)

// signedFiles signs one statement naming n artifacts and returns the
// bundle, the trusted root, the policy it satisfies and the artifacts'
// digests.
func signedFiles(tb testing.TB, n int) ([]byte, []verify.Root, policy.Policy, []intoto.Digest) {
	tb.Helper()
	s, err := fakesigstore.New()
	if err != nil {
		tb.Fatal(err)
	}
	trusted, err := s.TrustedRoot()
	if err != nil {
		tb.Fatal(err)
	}
	files := make(map[string][]byte, n)
	digests := make([]intoto.Digest, 0, n)
	for i := range n {
		content := fmt.Appendf(nil, "artifact %d\n", i)
		files[fmt.Sprintf("dist/artifact-%06d", i)] = content
		sum := sha256.Sum256(content)
		digests = append(digests, intoto.Digest{Alg: intoto.SHA256, Hex: hex.EncodeToString(sum[:])})
	}
	claims := fakesigstore.GitHubClaims(nil)
	st, err := fakesigstore.Provenance(claims, provenance.V1, files)
	if err != nil {
		tb.Fatal(err)
	}
	b, err := s.Attest(tb.Context(), st, claims)
	if err != nil {
		tb.Fatal(err)
	}
	pol := policy.Policy{SourceURI: "github.com/octo-org/octo-repo"}
	return b, []verify.Root{{Name: "test root", Trusted: trusted}}, pol, digests
}

// TestCheck_verifiesEachBundleOnce checks that a bundle is verified
// cryptographically once however many artifacts it is a candidate for,
// each artifact holding its own copy of the bundle's bytes, and that an
// artifact the statement does not name is still refused.
func TestCheck_verifiesEachBundleOnce(t *testing.T) {
	t.Parallel()
	b, roots, pol, digests := signedFiles(t, 50)
	vc := newVerdictCache(roots, pol)
	calls := 0
	inner := vc.verify
	vc.verify = func(bundleJSON []byte, roots []verify.Root, opts ...verify.Option) (*verify.Verified, error) {
		calls++
		return inner(bundleJSON, roots, opts...)
	}
	for _, d := range digests {
		a := artifact{name: d.String(), digest: d, candidates: []verify.Candidate{{JSON: append([]byte(nil), b...), Where: "app.intoto.jsonl:1"}}}
		v := check(t.Context(), a, vc, nil)
		if !v.Verified {
			t.Fatalf("artifact %s refused: %+v", d, v.Refusals)
		}
		// The verdict lists the subject that names the artifact, not all
		// 50: with every subject in every verdict, the report of n
		// artifacts of one statement grew with n².
		if subs := v.Provenance.Subjects; len(subs) != 1 || !subs[0].Digest.Matches(d.Alg, d.Hex) {
			t.Fatalf("artifact %s: verdict lists subjects %+v; want the one naming it", d, subs)
		}
	}
	stray := intoto.Digest{Alg: intoto.SHA256, Hex: strings.Repeat("0", 64)}
	v := check(t.Context(), artifact{name: "stray", digest: stray, candidates: []verify.Candidate{{JSON: b, Where: "app.intoto.jsonl:1"}}}, vc, nil)
	if v.Verified || len(v.Refusals) != 1 || !strings.Contains(v.Refusals[0].Reason, "artifact not in the statement's subjects") {
		t.Errorf("stray artifact: verified %v, refusals %+v; want one refusal naming the missing subject", v.Verified, v.Refusals)
	}
	if calls != 1 {
		t.Errorf("the bundle was verified %d times for %d artifacts; want once", calls, len(digests)+1)
	}
}

// TestCheck_cachesRefusals checks that a bundle that fails verification is
// not verified again for the next artifact, and that every artifact gets
// its refusal.
func TestCheck_cachesRefusals(t *testing.T) {
	t.Parallel()
	b, roots, pol, digests := signedFiles(t, 3)
	vc := newVerdictCache(roots, pol)
	calls := 0
	vc.verify = func([]byte, []verify.Root, ...verify.Option) (*verify.Verified, error) {
		calls++
		return nil, errors.New("refused for the test")
	}
	for _, d := range digests {
		v := check(t.Context(), artifact{name: d.String(), digest: d, candidates: []verify.Candidate{{JSON: b, Where: "x"}}}, vc, nil)
		if v.Verified || len(v.Refusals) != 1 || v.Refusals[0].Reason != "refused for the test" {
			t.Errorf("artifact %s: verified %v, refusals %+v; want the cached refusal", d, v.Verified, v.Refusals)
		}
	}
	if calls != 1 {
		t.Errorf("verified %d times; want once", calls)
	}
}

// BenchmarkRun_oneBundleManyArtifacts verifies n artifacts, given by
// digest, against one bundle whose statement names them all. The time per
// artifact should stay flat as n grows: the bundle is verified once.
func BenchmarkRun_oneBundleManyArtifacts(b *testing.B) {
	for _, n := range []int{100, 1000, 10000} {
		b.Run(fmt.Sprintf("artifacts=%d", n), func(b *testing.B) {
			bundle, roots, pol, digests := signedFiles(b, n)
			path := filepath.Join(b.TempDir(), "multiple.intoto.jsonl")
			if err := os.WriteFile(path, append(bundle, '\n'), 0o644); err != nil {
				b.Fatal(err)
			}
			cfg := Config{Attestations: []string{path}, Roots: roots, Policy: pol}
			for _, d := range digests {
				cfg.Digests = append(cfg.Digests, d.String())
			}
			b.ReportAllocs()
			for b.Loop() {
				rep, err := Run(b.Context(), cfg)
				if err != nil || !rep.Verified {
					b.Fatalf("Run() = %v, %v", rep, err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/artifact")
		})
	}
}
