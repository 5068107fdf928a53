package oci

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"
	protobundle "github.com/sigstore/protobuf-specs/gen/pb-go/bundle/v1"
	protocommon "github.com/sigstore/protobuf-specs/gen/pb-go/common/v1"
	protorekor "github.com/sigstore/protobuf-specs/gen/pb-go/rekor/v1"
	"github.com/sigstore/sigstore-go/pkg/bundle"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/testing/protocmp"
)

const (
	wantBundleV01MT = "application/vnd.dev.sigstore.bundle+json;version=0.1"
	spdxMT          = "application/spdx+json"
)

// fetchAll runs Fetch without credentials and fails the test on error.
func fetchAll(t *testing.T, ref string, opts ...Option) []Found {
	t.Helper()
	base := []Option{WithKeychain(anonymous), withTestPolicy(testTimeout)}
	found, err := Fetch(t.Context(), ref, append(base, opts...)...)
	if err != nil {
		t.Fatalf("Fetch(%s): %v", ref, err)
	}
	if found == nil {
		t.Fatalf("Fetch(%s) = nil, want a non-nil slice", ref)
	}
	return found
}

// byWhere indexes found bundles by place; the referrers API lists in no
// particular order.
func byWhere(found []Found) map[string]string {
	out := map[string]string{}
	for _, f := range found {
		out[f.Where] = string(f.Bundle)
	}
	return out
}

// via is the source Fetch names for referrers in a registry mode.
func via(referrers bool, img name.Digest) string {
	if referrers {
		return "referrers API"
	}
	return "fallback tag sha256-" + img.DigestStr()[7:]
}

// putReferrer pushes a referrer of subject as another tool would: the
// empty config and one layer, with artifactType set.
func putReferrer(t *testing.T, repo name.Repository, subject v1.Descriptor, artifactType, layerMT string, content []byte) v1.Hash {
	t.Helper()
	config := static.NewLayer([]byte("{}"), emptyMediaType)
	layer := static.NewLayer(content, types.MediaType(layerMT))
	var descs []v1.Descriptor
	for _, l := range []v1.Layer{config, layer} {
		if err := remote.WriteLayer(repo, l, remote.WithContext(t.Context())); err != nil {
			t.Fatal(err)
		}
		d, err := partialDescriptor(l)
		if err != nil {
			t.Fatal(err)
		}
		descs = append(descs, d)
	}
	raw, err := json.Marshal(v1.Manifest{
		SchemaVersion: 2, MediaType: types.OCIManifestSchema1, ArtifactType: artifactType,
		Config: descs[0], Layers: descs[1:], Subject: &subject,
	})
	if err != nil {
		t.Fatal(err)
	}
	h, _, err := v1.SHA256(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Put(repo.Digest(h.String()), rawManifest{raw: raw, mt: types.OCIManifestSchema1}, remote.WithContext(t.Context())); err != nil {
		t.Fatal(err)
	}
	return h
}

func TestFetch(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		kinds   []bundleKind
		attRepo string // under the registry host; "" is the image's repository
		// others pushes referrers by hand and returns those Fetch must find.
		others func(t *testing.T, repo name.Repository, img name.Digest) map[string]string
	}{
		{name: "nothing_attached"},
		{name: "one_referrer", kinds: []bundleKind{kindRekorV1}},
		{name: "two_referrers", kinds: []bundleKind{kindRekorV1, kindTSAOnly}},
		{name: "attestation_repository", kinds: []bundleKind{kindRekorV2, kindRekorV1}, attRepo: "octo-org/attestations"},
		{name: "other_tools_referrers", kinds: []bundleKind{kindRekorV1}, others: func(t *testing.T, repo name.Repository, img name.Digest) map[string]string {
			subject := headDescriptor(t, img)
			putReferrer(t, repo, subject, spdxMT, spdxMT, []byte(`{"spdxVersion":"SPDX-2.3"}`))
			old, _ := bundleFor(t, img, kindRekorV2)
			oldMT := "application/vnd.dev.sigstore.bundle+json;version=0.3"
			h := putReferrer(t, repo, subject, oldMT, oldMT, old)
			return map[string]string{"referrer " + h.String(): string(old)}
		}},
	}
	for _, m := range modes {
		for _, tc := range cases {
			t.Run(m.name+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				host := newRegistry(t, m.referrers)
				img := pushImage(t, host, "octo-org/app")
				repo := img.Context()
				var opts []Option
				if tc.attRepo != "" {
					opts = append(opts, WithAttestationRepository(host+"/"+tc.attRepo))
					repo = mustRef(host + "/" + tc.attRepo + ":x").Context()
				}
				want := map[string]string{}
				for i, kind := range tc.kinds {
					b, chain := bundleFor(t, img, kind)
					st, err := newPusher(t, append(opts, WithClock(fixedClockPlus(i)))...).Attach(t.Context(), img.String(), b, chain)
					if err != nil {
						t.Fatal(err)
					}
					want["referrer "+mustRef(st.Referrer).Identifier()+" ("+via(m.referrers, img)+")"] = string(b)
				}
				if tc.others != nil {
					for where, b := range tc.others(t, repo, img) {
						want[where+" ("+via(m.referrers, img)+")"] = b
					}
				}
				got := fetchAll(t, img.String(), opts...)
				if diff := cmp.Diff(want, byWhere(got)); diff != "" {
					t.Errorf("Fetch mismatch (-want +got):\n%s", diff)
				}
				if tc.attRepo != "" {
					if found := fetchAll(t, img.String()); len(found) != 0 {
						t.Errorf("Fetch without the attestation repository found %d attestations next to the image, want 0", len(found))
					}
				}
			})
		}
	}
}

func fixedClockPlus(minutes int) func() time.Time {
	return func() time.Time { return fixedTime.Add(time.Duration(minutes) * time.Minute) }
}

// TestFetch_legacy attaches with the legacy layout too: Fetch finds the
// referrer and the .att layer, rebuilt into a bundle sigstore-go accepts.
func TestFetch_legacy(t *testing.T) {
	t.Parallel()
	for _, m := range modes {
		for _, kind := range fixtureKinds {
			t.Run(m.name+"/"+string(kind), func(t *testing.T) {
				t.Parallel()
				host := newRegistry(t, m.referrers)
				img := pushImage(t, host, "octo-org/app")
				orig, chain := bundleFor(t, img, kind)
				orig = withValidDSSEBody(t, orig)
				st, err := newPusher(t, WithLegacyAtt(true)).Attach(t.Context(), img.String(), orig, chain)
				if err != nil {
					t.Fatal(err)
				}
				got := byWhere(fetchAll(t, img.String()))
				referrer := "referrer " + mustRef(st.Referrer).Identifier() + " (" + via(m.referrers, img) + ")"
				legacy := "legacy tag sha256-" + img.DigestStr()[7:] + ".att layer 1"
				if diff := cmp.Diff([]string{legacy, referrer}, slices.Sorted(maps.Keys(got))); diff != "" {
					t.Fatalf("Fetch places mismatch (-want +got):\n%s", diff)
				}
				if got[referrer] != string(orig) {
					t.Errorf("referrer bundle differs from the attached one")
				}
				checkLegacyBundle(t, []byte(got[legacy]), orig, chain)
				checkSigstoreGo(t, []byte(got[legacy]), orig)
			})
		}
	}
}

// checkLegacyBundle compares a bundle rebuilt from a .att layer with the
// bundle the layer was made from.
func checkLegacyBundle(t *testing.T, rebuilt, orig, chainPEM []byte) {
	t.Helper()
	var got, o protobundle.Bundle
	if err := protojson.Unmarshal(rebuilt, &got); err != nil {
		t.Fatalf("rebuilt bundle: %v", err)
	}
	if err := protojson.Unmarshal(orig, &o); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(legacyWant(t, &o, chainPEM), &got, protocmp.Transform()); diff != "" {
		t.Errorf("rebuilt bundle mismatch (-want +got):\n%s", diff)
	}
}

// checkSigstoreGo loads a rebuilt bundle with sigstore-go, as the verifier
// will, and checks the envelope and certificate it sees.
func checkSigstoreGo(t *testing.T, rebuilt, orig []byte) {
	t.Helper()
	var got bundle.Bundle
	if err := got.UnmarshalJSON(rebuilt); err != nil {
		t.Fatalf("sigstore-go rejects the rebuilt bundle: %v\n%s", err, rebuilt)
	}
	var o protobundle.Bundle
	if err := protojson.Unmarshal(orig, &o); err != nil {
		t.Fatal(err)
	}
	env, err := got.Envelope()
	if err != nil {
		t.Fatal(err)
	}
	if payload, err := env.DecodeB64Payload(); err != nil || !bytes.Equal(payload, o.GetDsseEnvelope().GetPayload()) {
		t.Errorf("DSSE payload = %q (%v), want the original's", payload, err)
	}
	vc, err := got.VerificationContent()
	if err != nil {
		t.Fatal(err)
	}
	if leaf := vc.Certificate(); leaf == nil || !bytes.Equal(leaf.Raw, o.GetVerificationMaterial().GetCertificate().GetRawBytes()) {
		t.Error("certificate differs from the original leaf")
	}
	entries := o.GetVerificationMaterial().GetTlogEntries()
	if promise := len(entries) > 0 && entries[0].GetInclusionPromise() != nil; got.HasInclusionPromise() != promise {
		t.Errorf("HasInclusionPromise = %t, want %t", got.HasInclusionPromise(), promise)
	}
}

// withValidDSSEBody gives a Rekor v1 dsse entry of a fixture bundle the
// envelopeHash that sigstore-go's entry parser requires; the fixtures'
// stand-in bodies lack it. Other bundles are returned unchanged.
func withValidDSSEBody(t *testing.T, raw []byte) []byte {
	t.Helper()
	var b protobundle.Bundle
	if err := protojson.Unmarshal(raw, &b); err != nil {
		t.Fatal(err)
	}
	for _, e := range b.GetVerificationMaterial().GetTlogEntries() {
		if e.GetKindVersion().GetKind() != "dsse" {
			continue
		}
		var body map[string]any
		if err := json.Unmarshal(e.GetCanonicalizedBody(), &body); err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(e.GetCanonicalizedBody())
		body["spec"].(map[string]any)["envelopeHash"] = map[string]string{"algorithm": "sha256", "value": hex.EncodeToString(sum[:])}
		var err error
		if e.CanonicalizedBody, err = json.Marshal(body); err != nil {
			t.Fatal(err)
		}
	}
	out, err := protojson.Marshal(&b)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// legacyWant derives by hand what a legacy layer made from orig rebuilds
// to: the Rekor v1 entry without its proof in a v0.1 bundle with the
// chain, or a v0.3 bundle with the leaf when there is no promise; the
// timestamps and the envelope as they were.
func legacyWant(t *testing.T, orig *protobundle.Bundle, chainPEM []byte) *protobundle.Bundle {
	t.Helper()
	leaf := orig.GetVerificationMaterial().GetCertificate()
	want := &protobundle.Bundle{
		MediaType: wantBundleMT,
		VerificationMaterial: &protobundle.VerificationMaterial{
			Content:                   &protobundle.VerificationMaterial_Certificate{Certificate: leaf},
			TimestampVerificationData: orig.GetVerificationMaterial().GetTimestampVerificationData(),
		},
		Content: orig.GetContent(),
	}
	for _, e := range orig.GetVerificationMaterial().GetTlogEntries() {
		if e.GetInclusionPromise() == nil {
			continue
		}
		entry := proto.Clone(e).(*protorekor.TransparencyLogEntry)
		entry.InclusionProof = nil
		certs := []*protocommon.X509Certificate{leaf}
		for rest := chainPEM; ; {
			var block *pem.Block
			if block, rest = pem.Decode(rest); block == nil {
				break
			}
			certs = append(certs, &protocommon.X509Certificate{RawBytes: block.Bytes})
		}
		want.MediaType = wantBundleV01MT
		want.VerificationMaterial.Content = &protobundle.VerificationMaterial_X509CertificateChain{X509CertificateChain: &protocommon.X509CertificateChain{Certificates: certs}}
		want.VerificationMaterial.TlogEntries = []*protorekor.TransparencyLogEntry{entry}
	}
	return want
}

// goldenLayer reads a testdata .att layer golden file back into the
// envelope bytes and the string annotations cosign stores.
func goldenLayer(t *testing.T, kind bundleKind) (envelope []byte, ann map[string]string) {
	t.Helper()
	var g struct {
		Annotations map[string]any `json:"annotations"`
		Envelope    any            `json:"envelope"`
	}
	if err := json.Unmarshal(readTestdata(t, string(kind)+".att-layer.golden.json"), &g); err != nil {
		t.Fatal(err)
	}
	ann = map[string]string{}
	for k, v := range g.Annotations {
		if s, ok := v.(string); ok {
			ann[k] = s
			continue
		}
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		ann[k] = string(b)
	}
	envelope, err := json.Marshal(g.Envelope)
	if err != nil {
		t.Fatal(err)
	}
	return envelope, ann
}

// TestBundleFromLegacy_fixtures converts the golden .att layers of
// testdata and compares the result with the bundles they were made from.
// sigstore-go is not asked: the rekor-v1 fixture's stand-in log body lacks
// the envelopeHash its parser requires (TestFetch_legacy repairs it).
func TestBundleFromLegacy_fixtures(t *testing.T) {
	t.Parallel()
	for _, kind := range fixtureKinds {
		t.Run(string(kind), func(t *testing.T) {
			t.Parallel()
			env, ann := goldenLayer(t, kind)
			got, err := bundleFromLegacy(env, ann)
			if err != nil {
				t.Fatal(err)
			}
			checkLegacyBundle(t, got, readTestdata(t, string(kind)+".sigstore.json"), readTestdata(t, string(kind)+".chain.pem"))
		})
	}
}

func TestBundleFromLegacy_unusable(t *testing.T) {
	t.Parallel()
	goodEnv, goodAnn := goldenLayer(t, kindRekorV1)
	_, tsAnn := goldenLayer(t, kindTSAOnly)
	cases := []struct {
		name    string
		env     string            // replaces the envelope when set
		ann     map[string]string // overrides annotations; "" deletes one
		wantMsg string
	}{
		{name: "envelope_not_json", env: "not json", wantMsg: "DSSE envelope: not JSON"},
		{name: "no_signature", env: `{"payloadType":"application/vnd.in-toto+json","payload":"e30=","signatures":[]}`, wantMsg: "no signature"},
		{name: "payload_not_base64", env: `{"payloadType":"application/vnd.in-toto+json","payload":"%%%","signatures":[{"keyid":"","sig":"MEUCIQ=="}]}`, wantMsg: "payload"},
		{name: "empty_signature", env: `{"payloadType":"application/vnd.in-toto+json","payload":"e30=","signatures":[{"keyid":"","sig":""}]}`, wantMsg: "signature is empty"},
		{name: "key_signed", ann: map[string]string{annotationCertificate: ""}, wantMsg: "signed with a key"},
		{name: "two_leaves", ann: map[string]string{annotationCertificate: goodAnn[annotationCertificate] + goodAnn[annotationCertificate]}, wantMsg: "holds 2 PEM certificates"},
		{name: "set_not_json", ann: map[string]string{annotationRekorBundle: "{"}, wantMsg: "dev.sigstore.cosign/bundle annotation: not a Rekor SET"},
		{name: "set_without_timestamp", ann: map[string]string{annotationRekorBundle: `{"Payload":{"body":"e30=","logID":"00"}}`}, wantMsg: "SignedEntryTimestamp"},
		{name: "set_log_id_not_hex", ann: map[string]string{annotationRekorBundle: `{"SignedEntryTimestamp":"AA==","Payload":{"body":"e30=","logID":"xyz"}}`}, wantMsg: "logID"},
		{name: "set_body_without_kind", ann: map[string]string{annotationRekorBundle: `{"SignedEntryTimestamp":"AA==","Payload":{"body":"e30=","logID":"00"}}`}, wantMsg: "kind and apiVersion"},
		{name: "timestamp_not_base64", ann: map[string]string{annotationTimestamp: `{"SignedRFC3161Timestamp":"%%"}`}, wantMsg: "rfc3161timestamp annotation"},
		{name: "timestamp_not_json", ann: map[string]string{annotationTimestamp: tsAnn[annotationTimestamp][1:]}, wantMsg: "rfc3161timestamp annotation: not JSON"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env, ann := goodEnv, maps.Clone(goodAnn)
			if tc.env != "" {
				env = []byte(tc.env)
			}
			for k, v := range tc.ann {
				if ann[k] = v; v == "" {
					delete(ann, k)
				}
			}
			b, err := bundleFromLegacy(env, ann)
			var u *unusableError
			if !errors.As(err, &u) {
				t.Fatalf("bundleFromLegacy = %s, %v; want an *unusableError", b, err)
			}
			if !strings.Contains(err.Error(), tc.wantMsg) {
				t.Errorf("error %q does not mention %q", err, tc.wantMsg)
			}
		})
	}
}

// TestFetch_unusable checks that attestations Fetch cannot use are
// reported with their reason, next to the ones it can.
func TestFetch_unusable(t *testing.T) {
	t.Parallel()
	for _, m := range modes {
		t.Run(m.name+"/foreign_att_layer", func(t *testing.T) {
			t.Parallel()
			host := newRegistry(t, m.referrers)
			img := pushImage(t, host, "octo-org/app")
			foreignAtt(t, legacyTagOf(img))
			b, chain := bundleFor(t, img, kindRekorV1)
			st, err := newPusher(t, WithLegacyAtt(true)).Attach(t.Context(), img.String(), b, chain)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]bool{}
			for _, f := range fetchAll(t, img.String()) {
				got[f.Where] = f.Bundle != nil
			}
			where := "legacy tag sha256-" + img.DigestStr()[7:] + ".att layer "
			want := map[string]bool{
				"referrer " + mustRef(st.Referrer).Identifier() + " (" + via(m.referrers, img) + ")":                                                                         true,
				where + "1: no dev.sigstore.cosign/certificate annotation: the attestation was signed with a key, and only keyless (certificate) attestations are converted": false,
				where + "2": true,
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("Fetch places (with a bundle or not) mismatch (-want +got):\n%s", diff)
			}
		})
	}
	t.Run("stale_fallback_entry", func(t *testing.T) {
		t.Parallel()
		host := newRegistry(t, false)
		img := pushImage(t, host, "octo-org/app")
		b, chain := bundleFor(t, img, kindTSAOnly)
		st, err := newPusher(t).Attach(t.Context(), img.String(), b, chain)
		if err != nil {
			t.Fatal(err)
		}
		if err := remote.Delete(mustRef(st.Referrer), remote.WithContext(t.Context())); err != nil {
			t.Fatal(err)
		}
		want := []Found{{Where: "referrer " + mustRef(st.Referrer).Identifier() + " (" + via(false, img) + "): the manifest is not in " + img.Context().Name() + " (the listing is stale)"}}
		if diff := cmp.Diff(want, fetchAll(t, img.String())); diff != "" {
			t.Errorf("Fetch mismatch (-want +got):\n%s", diff)
		}
	})
}

func TestFetch_errors(t *testing.T) {
	t.Parallel()
	host := newRegistry(t, true)
	img := pushImage(t, host, "octo-org/app")
	cases := []struct {
		name    string
		ref     string
		opts    []Option
		wantMsg []string
	}{
		{name: "tag_reference", ref: img.Context().Name() + ":latest", wantMsg: []string{img.Context().Name() + ":latest", "has no digest", "crane digest"}},
		{name: "short_digest", ref: img.Context().Name() + "@sha256:abc", wantMsg: []string{"is not registry/repository@sha256:<hex>"}},
		{name: "bad_options", ref: img.String(), opts: []Option{WithKeychain(nil), WithAttestationRepository("Not A Repo")}, wantMsg: []string{"keychain is nil", "attestation repository"}},
		{name: "registry_down", ref: "127.0.0.1:1/octo-org/app@" + img.DigestStr(), wantMsg: []string{"fetching attestations of 127.0.0.1:1/octo-org/app@" + img.DigestStr()}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			found, err := Fetch(t.Context(), tc.ref, append([]Option{withTestPolicy(testTimeout), func(o *options) error { o.retries = 0; return nil }}, tc.opts...)...)
			if err == nil {
				t.Fatalf("Fetch = %+v, want an error", found)
			}
			t.Log(err)
			for _, want := range tc.wantMsg {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not mention %q", err, want)
				}
			}
		})
	}
}

func TestFetch_auth(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name       string
		keychain   func(host string) authn.Keychain
		wantStatus int // 0: success
	}{
		{name: "read_only_credentials", keychain: func(h string) authn.Keychain { return Keychain(readerUser, testPassword, []string{h}, "", "") }},
		{name: "wrong_password", keychain: func(h string) authn.Keychain { return Keychain(readerUser, "wrong-"+testPassword, []string{h}, "", "") }, wantStatus: 401},
		{name: "no_credentials", keychain: func(string) authn.Keychain { return anonymous }, wantStatus: 401},
	}
	for _, m := range modes {
		for _, tc := range cases {
			t.Run(m.name+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				host := newRegistry(t, m.referrers, requireBasicAuth)
				img := pushImage(t, host, "octo-org/app", remote.WithAuth(&authn.Basic{Username: testUser, Password: testPassword}))
				b, chain := bundleFor(t, img, kindRekorV1)
				writer := Keychain(testUser, testPassword, []string{host}, "", "")
				if _, err := newPusher(t, WithKeychain(writer), WithLegacyAtt(true)).Attach(t.Context(), img.String(), b, chain); err != nil {
					t.Fatal(err)
				}
				found, err := Fetch(t.Context(), img.String(), WithKeychain(tc.keychain(host)), withTestPolicy(testTimeout))
				if tc.wantStatus == 0 {
					if err != nil {
						t.Fatal(err)
					}
					if len(found) != 2 || found[0].Bundle == nil || found[1].Bundle == nil {
						t.Errorf("Fetch = %+v, want the referrer and the legacy layer", found)
					}
					return
				}
				var ae *AuthError
				if !errors.As(err, &ae) || ae.StatusCode != tc.wantStatus || ae.Registry != host {
					t.Fatalf("Fetch error = %v, want an *AuthError with HTTP %d for %s", err, tc.wantStatus, host)
				}
				if !ae.Read || !strings.Contains(err.Error(), "denied read access") || strings.Contains(err.Error(), "push") {
					t.Errorf("error %q does not speak of read access", err)
				}
				if !strings.Contains(err.Error(), img.String()) {
					t.Errorf("error %q does not name %s", err, img)
				}
				assertNoSecret(t, err.Error(), testPassword)
			})
		}
	}
}

func TestNextLink(t *testing.T) {
	t.Parallel()
	base, err := url.Parse("https://r.example/v2/a/referrers/sha256:00")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, header, want string
	}{
		{name: "none"},
		{name: "relative", header: `</v2/a/referrers/sha256:00?n=2&last=x>; rel="next"`, want: "https://r.example/v2/a/referrers/sha256:00?n=2&last=x"},
		{name: "absolute_among_others", header: `<https://r.example/first>; rel="first", <https://r.example/next>; rel="next"`, want: "https://r.example/next"},
		{name: "no_rel", header: `<https://r.example/next>`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := ""
			if u := nextLink(base, tc.header); u != nil {
				got = u.String()
			}
			if got != tc.want {
				t.Errorf("nextLink(%q) = %q, want %q", tc.header, got, tc.want)
			}
		})
	}
}

// paginateReferrers serves the referrers API one descriptor per page,
// linking the pages with relative Link headers.
func paginateReferrers(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.Contains(r.URL.Path, "/referrers/") {
			next.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		var im v1.IndexManifest
		if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &im) != nil {
			w.WriteHeader(rec.Code)
			w.Write(rec.Body.Bytes())
			return
		}
		slices.SortFunc(im.Manifests, func(a, b v1.Descriptor) int { return strings.Compare(a.Digest.String(), b.Digest.String()) })
		page, _ := strconv.Atoi(r.URL.Query().Get("page"))
		all := im.Manifests
		im.Manifests = all[min(page, len(all)):min(page+1, len(all))]
		if page+1 < len(all) {
			w.Header().Set("Link", fmt.Sprintf(`<%s?page=%d>; rel="next"`, r.URL.Path, page+1))
		}
		w.Header().Set("Content-Type", string(types.OCIImageIndex))
		json.NewEncoder(w).Encode(im)
	})
}

func TestFetch_paginated(t *testing.T) {
	t.Parallel()
	host := newRegistry(t, true, paginateReferrers)
	img := pushImage(t, host, "octo-org/app")
	want := map[string]string{}
	for i, kind := range fixtureKinds {
		b, chain := bundleFor(t, img, kind)
		st, err := newPusher(t, WithClock(fixedClockPlus(i))).Attach(t.Context(), img.String(), b, chain)
		if err != nil {
			t.Fatal(err)
		}
		want["referrer "+mustRef(st.Referrer).Identifier()+" (referrers API)"] = string(b)
	}
	if diff := cmp.Diff(want, byWhere(fetchAll(t, img.String()))); diff != "" {
		t.Errorf("Fetch mismatch (-want +got):\n%s", diff)
	}
}
