package oci

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// ranIn describes the run whose Fulcio certificate signs a fixture: the
// facts of the certificate, and what the statement says.
type ranIn struct {
	issuer, signer, repo string
	runID, attempt       string
	issued               time.Time
	predicateType        string
	extraSubject         string // a second subject digest (hex), or ""
	noInvocation         bool   // leave out the Run Invocation URI
	otherKey             bool   // sign with a key other than the certificate's
}

func run789(attempt string, issued time.Time) ranIn {
	return ranIn{issuer: "https://token.actions.githubusercontent.com", signer: workflowSAN,
		repo: "https://github.com/octo-org/octo-repo", runID: "789", attempt: attempt, issued: issued, predicateType: slsaV1}
}

// fulcioExt is a Fulcio extension 1.3.6.1.4.1.57264.1.n holding a DER UTF8String.
func fulcioExt(t *testing.T, n int, value string) pkix.Extension {
	t.Helper()
	der, err := asn1.MarshalWithParams(value, "utf8")
	if err != nil {
		t.Fatal(err)
	}
	return pkix.Extension{Id: asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 57264, 1, n}, Value: der}
}

// runBundle is a bundle about img signed in run r.
func runBundle(t *testing.T, img name.Digest, r ranIn) (bundleJSON, chainPEM []byte) {
	t.Helper()
	ca := newTestCAWith(t, func(leaf *x509.Certificate) {
		san, _ := url.Parse(r.signer)
		leaf.URIs = []*url.URL{san}
		leaf.NotBefore = r.issued
		leaf.NotAfter = r.issued.Add(10 * time.Minute)
		leaf.ExtraExtensions = []pkix.Extension{fulcioExt(t, 8, r.issuer), fulcioExt(t, 12, r.repo)}
		if !r.noInvocation {
			leaf.ExtraExtensions = append(leaf.ExtraExtensions, fulcioExt(t, 21, r.repo+"/actions/runs/"+r.runID+"/attempts/"+r.attempt))
		}
	})
	if r.otherKey {
		ca.leafKey = mustKey(t)
	}
	subjects := []any{map[string]any{"name": fixtureImage, "digest": map[string]string{"sha256": strings.TrimPrefix(img.DigestStr(), "sha256:")}}}
	if r.extraSubject != "" {
		subjects = append(subjects, map[string]any{"name": "app.tar", "digest": map[string]string{"sha256": r.extraSubject}})
	}
	payload, err := json.Marshal(map[string]any{"_type": "https://in-toto.io/Statement/v1", "subject": subjects,
		"predicateType": r.predicateType, "predicate": map[string]any{}})
	if err != nil {
		t.Fatal(err)
	}
	return signBundle(t, ca, payload, kindRekorV1)
}

// attachIn attaches a bundle of run r to img with the legacy layout on.
func attachIn(t *testing.T, img name.Digest, r ranIn, opts ...Option) *Stored {
	t.Helper()
	bundle, chain := runBundle(t, img, r)
	opts = append([]Option{WithLegacyAtt(true), WithClock(func() time.Time { return r.issued })}, opts...)
	st, err := newPusher(t, opts...).Attach(t.Context(), img.String(), bundle, chain)
	if err != nil {
		t.Fatalf("Attach (run %s attempt %s): %v", r.runID, r.attempt, err)
	}
	return st
}

// listed returns the referrer manifests a verifier finds for img: from the
// referrers API, or the fallback index without one.
func listed(t *testing.T, img name.Digest) []string {
	t.Helper()
	idx, err := remote.Referrers(img, remote.WithContext(t.Context()))
	if err != nil {
		t.Fatal(err)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, d := range im.Manifests {
		out = append(out, img.Context().Digest(d.Digest.String()).Name())
	}
	slices.Sort(out)
	return out
}

func exists(t *testing.T, ref string) bool {
	t.Helper()
	_, err := remote.Head(mustRef(ref), remote.WithContext(t.Context()))
	var terr *transport.Error
	if errors.As(err, &terr) && terr.StatusCode == http.StatusNotFound {
		return false
	}
	if err != nil {
		t.Fatal(err)
	}
	return true
}

// TestPusher_Attach_rerunReplaces attaches an attestation, then another
// from attempt 2 of the same run: only the second stays, in the referrers
// (API or fallback index) and in the .att image, and the first's manifest
// is deleted.
func TestPusher_Attach_rerunReplaces(t *testing.T) {
	t.Parallel()
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			img := pushImage(t, newRegistry(t, m.referrers), "octo-org/app")
			first := attachIn(t, img, run789("1", fixedTime))
			second := attachIn(t, img, run789("2", fixedTime)) // certificates of the same second: the attempt decides
			if diff := cmp.Diff([]string{first.Referrer}, second.Replaced); diff != "" {
				t.Errorf("Stored.Replaced mismatch (-want +got):\n%s", diff)
			}
			if len(second.NotRemoved) != 0 {
				t.Errorf("Stored.NotRemoved = %q, want none", second.NotRemoved)
			}
			if diff := cmp.Diff([]string{second.Referrer}, listed(t, img)); diff != "" {
				t.Errorf("referrers mismatch (-want +got):\n%s", diff)
			}
			if exists(t, first.Referrer) {
				t.Errorf("the first attempt's referrer %s was not deleted", first.Referrer)
			}
			layers := attLayers(t, second.LegacyTag)
			if len(layers) != 1 || len(second.ReplacedLayers) != 1 || layers[0].Digest.String() == second.ReplacedLayers[0] {
				t.Errorf(".att has %d layers and %q replaced; want the new layer only", len(layers), second.ReplacedLayers)
			}
			// A third try in the same attempt (a retried step) replaces the second.
			third := attachIn(t, img, run789("2", fixedTime.Add(2*time.Minute)))
			if diff := cmp.Diff([]string{third.Referrer}, listed(t, img)); diff != "" {
				t.Errorf("after a retried step, referrers mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestPusher_Attach_rerunKeeps attaches two attestations that are not
// copies of one another by the certificates' facts or the statements:
// both stay.
func TestPusher_Attach_rerunKeeps(t *testing.T) {
	t.Parallel()
	later := fixedTime.Add(time.Minute)
	cases := []struct {
		name        string
		first, next ranIn
	}{
		{"other_run", run789("1", fixedTime), func() ranIn { r := run789("1", later); r.runID = "790"; return r }()},
		{"other_repository", func() ranIn { r := run789("1", fixedTime); r.repo = "https://github.com/octo-org/fork"; return r }(), run789("2", later)},
		{"other_signer", func() ranIn {
			r := run789("1", fixedTime)
			r.signer = "https://github.com/octo-org/octo-repo/.github/workflows/other.yml@refs/tags/v1.2.3"
			return r
		}(), run789("2", later)},
		{"other_issuer", func() ranIn { r := run789("1", fixedTime); r.issuer = "https://issuer.example"; return r }(), run789("2", later)},
		{"other_predicate_type", func() ranIn {
			r := run789("1", fixedTime)
			r.predicateType = "https://slsa.dev/provenance/v0.2"
			return r
		}(), run789("2", later)},
		{"other_subjects", run789("1", fixedTime), func() ranIn { r := run789("2", later); r.extraSubject = strings.Repeat("ab", 32); return r }()},
		{"no_run_invocation", func() ranIn { r := run789("1", fixedTime); r.noInvocation = true; return r }(), run789("2", later)},
		{"statement_not_signed_by_its_certificate", func() ranIn { r := run789("1", fixedTime); r.otherKey = true; return r }(), run789("2", later)},
	}
	for _, m := range modes {
		for _, tc := range cases {
			t.Run(m.name+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				img := pushImage(t, newRegistry(t, m.referrers), "octo-org/app")
				first := attachIn(t, img, tc.first)
				next := attachIn(t, img, tc.next)
				if len(next.Replaced) != 0 || len(next.ReplacedLayers) != 0 {
					t.Errorf("replaced %q and layers %q; want nothing replaced", next.Replaced, next.ReplacedLayers)
				}
				want := []string{first.Referrer, next.Referrer}
				slices.Sort(want)
				if diff := cmp.Diff(want, listed(t, img)); diff != "" {
					t.Errorf("referrers mismatch (-want +got):\n%s", diff)
				}
				if n := len(attLayers(t, next.LegacyTag)); n != 2 {
					t.Errorf(".att has %d layers, want 2", n)
				}
			})
		}
	}
}

// TestPusher_Attach_rerunSuperseded attaches a copy signed before the one
// already stored, from the same run, as happens when two tries of a step
// overlap: the later-signed copy stays, alone, and the earlier says so.
func TestPusher_Attach_rerunSuperseded(t *testing.T) {
	t.Parallel()
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			img := pushImage(t, newRegistry(t, m.referrers), "octo-org/app")
			newest := attachIn(t, img, run789("1", fixedTime.Add(time.Minute)))
			late := attachIn(t, img, run789("1", fixedTime))
			if !late.Superseded || len(late.Replaced) != 0 {
				t.Errorf("Superseded = %v, Replaced = %q; want superseded, nothing replaced", late.Superseded, late.Replaced)
			}
			if diff := cmp.Diff([]string{newest.Referrer}, listed(t, img)); diff != "" {
				t.Errorf("referrers mismatch (-want +got):\n%s", diff)
			}
			if n := len(attLayers(t, newest.LegacyTag)); n != 1 {
				t.Errorf(".att has %d layers, want 1", n)
			}
			if n := stored(late)[0].Notice; !strings.Contains(n, "signed later in this same workflow run") {
				t.Errorf("notice %q does not say the copy was superseded", n)
			}
		})
	}
}

// TestSignedBefore: the attempt orders copies of one run before the
// certificates' issue times, which only count to the second, and the
// signature breaks a tie.
func TestSignedBefore(t *testing.T) {
	t.Parallel()
	at := func(attempt int, sec int) run {
		return run{attempt: attempt, issued: fixedTime.Add(time.Duration(sec) * time.Second)}
	}
	cases := []struct {
		name       string
		a, b       run
		sigA, sigB string
		want       bool
	}{
		{"earlier_attempt", at(1, 5), at(2, 0), "b", "a", true},
		{"later_attempt", at(2, 0), at(1, 5), "a", "b", false},
		{"same_attempt_earlier_certificate", at(1, 0), at(1, 1), "b", "a", true},
		{"same_attempt_later_certificate", at(1, 1), at(1, 0), "a", "b", false},
		{"tie_smaller_signature", at(1, 0), at(1, 0), "a", "b", true},
		{"tie_greater_signature", at(1, 0), at(1, 0), "b", "a", false},
		{"tie_same_signature", at(1, 0), at(1, 0), "a", "a", false},
	}
	for _, tc := range cases {
		if got := signedBefore(tc.a, tc.b, []byte(tc.sigA), []byte(tc.sigB)); got != tc.want {
			t.Errorf("%s: signedBefore = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// refuseDelete answers 405 to manifest deletes, as distribution does with
// deletion off.
func refuseDelete(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodDelete {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusMethodNotAllowed)
			w.Write([]byte(`{"errors":[{"code":"UNSUPPORTED","message":"The operation is unsupported."}]}`))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// TestPusher_Attach_rerunDeleteRefused: a registry that refuses DELETE
// keeps the new referrer, says which earlier one stays, and still drops
// the earlier one from the fallback index.
func TestPusher_Attach_rerunDeleteRefused(t *testing.T) {
	t.Parallel()
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			img := pushImage(t, newRegistry(t, m.referrers, refuseDelete), "octo-org/app")
			first := attachIn(t, img, run789("1", fixedTime))
			second := attachIn(t, img, run789("2", fixedTime.Add(time.Minute)))
			if len(second.NotRemoved) != 1 || !strings.Contains(second.NotRemoved[0], first.Referrer) || !strings.Contains(second.NotRemoved[0], "405") {
				t.Errorf("Stored.NotRemoved = %q, want %s refused with HTTP 405", second.NotRemoved, first.Referrer)
			}
			want := []string{first.Referrer, second.Referrer}
			if !m.referrers {
				want = []string{second.Referrer} // unlisted, though its manifest stays
			}
			slices.Sort(want)
			if diff := cmp.Diff(want, listed(t, img)); diff != "" {
				t.Errorf("referrers mismatch (-want +got):\n%s", diff)
			}
			if !exists(t, first.Referrer) || !exists(t, second.Referrer) {
				t.Error("a referrer manifest is missing although deletes were refused")
			}
			notice := stored(second)[0].Notice
			for _, s := range []string{first.Referrer, "could not be deleted", "405"} {
				if !strings.Contains(notice, s) {
					t.Errorf("notice %q does not mention %q", notice, s)
				}
			}
		})
	}
}

// TestPusher_Attach_rerunAtOnce attaches two attestations of the same run
// at the same time, through separate Pushers: exactly one stays, never
// none.
func TestPusher_Attach_rerunAtOnce(t *testing.T) {
	t.Parallel()
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			img := pushImage(t, newRegistry(t, m.referrers), "octo-org/app")
			var wg sync.WaitGroup
			for i := range 2 {
				r := run789("1", fixedTime) // same issue time: the signatures decide
				bundle, chain := runBundle(t, img, r)
				p := newPusher(t, WithLegacyAtt(true), WithClock(func() time.Time { return fixedTime.Add(time.Duration(i) * time.Second) }))
				wg.Go(func() {
					if _, err := p.Attach(t.Context(), img.String(), bundle, chain); err != nil {
						t.Error(err)
					}
				})
			}
			wg.Wait()
			if got := listed(t, img); len(got) != 1 {
				t.Errorf("%d referrers stay, want 1: %q", len(got), got)
			}
			if n := len(attLayers(t, legacyTagOf(img))); n != 1 {
				t.Errorf(".att has %d layers, want 1", n)
			}
		})
	}
}

// TestSink_Deliver_rerunNotice: the registry copy that replaced an
// earlier attempt's says so in its notice.
func TestSink_Deliver_rerunNotice(t *testing.T) {
	t.Parallel()
	st := &Stored{Referrer: "r/app@sha256:2", ReferrersAPI: true, Replaced: []string{"r/app@sha256:1"}, LegacyTag: "r/app:sha256-0.att", ReplacedLayers: []string{"sha256:9"}}
	out := stored(st)
	for i, want := range []string{"registry copy r/app@sha256:2: " + NoteRerun + " (deleted r/app@sha256:1)", "registry copy r/app:sha256-0.att: " + NoteRerun + " (dropped layer sha256:9)"} {
		if out[i].Notice != want {
			t.Errorf("notice %d = %q, want %q", i, out[i].Notice, want)
		}
	}
	if n := stored(&Stored{Referrer: "r/app@sha256:2"})[0].Notice; n != "" {
		t.Errorf("notice without a replaced copy = %q, want none", n)
	}
}
