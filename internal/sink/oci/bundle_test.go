package oci

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the bundle fixtures and golden files in testdata")

// fixtureDigest is the image digest the testdata bundles attest.
var fixtureDigest = func() string {
	sum := sha256.Sum256([]byte("provenant fixture image"))
	return hex.EncodeToString(sum[:])
}()

var fixtureKinds = []bundleKind{kindRekorV1, kindRekorV2, kindTSAOnly}

// TestUpdateFixtures regenerates testdata with -update: the bundles, their
// CA chains, and the golden legacy layers derived from them. Review the
// golden files by eye after regenerating.
func TestUpdateFixtures(t *testing.T) {
	if !*update {
		t.Skip("run with -update to regenerate testdata")
	}
	for _, kind := range fixtureKinds {
		bundle, chain := makeBundle(t, fixtureDigest, kind)
		var pretty any
		if err := json.Unmarshal(bundle, &pretty); err != nil {
			t.Fatal(err)
		}
		writeTestdata(t, string(kind)+".sigstore.json", pretty)
		if err := os.WriteFile(filepath.Join("testdata", string(kind)+".chain.pem"), chain, 0o644); err != nil {
			t.Fatal(err)
		}
		writeTestdata(t, string(kind)+".att-layer.golden.json", legacyGolden(t, bundle, chain))
	}
}

func writeTestdata(t *testing.T, name string, v any) {
	t.Helper()
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join("testdata", name), append(b, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
}

// legacyGolden is the .att layer built from a bundle, as plain JSON values.
func legacyGolden(t *testing.T, bundle, chain []byte) map[string]any {
	t.Helper()
	a, err := parseBundle(bundle)
	if err != nil {
		t.Fatal(err)
	}
	layer, ann := legacyLayer(a, chain)
	mt, _ := layer.MediaType()
	var env any
	if err := json.Unmarshal(a.envelope, &env); err != nil {
		t.Fatal(err)
	}
	return map[string]any{"mediaType": string(mt), "annotations": parsedAnnotations(t, ann), "envelope": env}
}

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseBundle_fixtures(t *testing.T) {
	t.Parallel()
	for _, kind := range fixtureKinds {
		t.Run(string(kind), func(t *testing.T) {
			t.Parallel()
			bundle := readTestdata(t, string(kind)+".sigstore.json")
			chain := readTestdata(t, string(kind)+".chain.pem")
			a, err := parseBundle(bundle)
			if err != nil {
				t.Fatal(err)
			}
			if a.predicateType != slsaV1 || !a.names("sha256:"+fixtureDigest) || a.names("sha256:"+fixtureDigest[1:]+"0") {
				t.Errorf("statement: predicateType %q, subjects %+v", a.predicateType, a.subjects)
			}
			var golden any
			if err := json.Unmarshal(readTestdata(t, string(kind)+".att-layer.golden.json"), &golden); err != nil {
				t.Fatal(err)
			}
			got, err := json.Marshal(legacyGolden(t, bundle, chain))
			if err != nil {
				t.Fatal(err)
			}
			var gotAny any
			if err := json.Unmarshal(got, &gotAny); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(golden, gotAny); diff != "" {
				t.Errorf(".att layer mismatch (-golden +got):\n%s", diff)
			}
			// The same expectations, derived by hand from the bundle.
			if diff := cmp.Diff(wantLegacyAnnotations(t, bundle, chain), golden.(map[string]any)["annotations"]); diff != "" {
				t.Errorf("golden annotations disagree with the bundle (-want +golden):\n%s", diff)
			}
		})
	}
}

// TestParseBundle_certificateChain reads a bundle in the older form that
// carries the whole chain instead of the leaf alone.
func TestParseBundle_certificateChain(t *testing.T) {
	t.Parallel()
	bundle := readTestdata(t, string(kindRekorV1)+".sigstore.json")
	chain := readTestdata(t, string(kindRekorV1)+".chain.pem")
	var b map[string]any
	if err := json.Unmarshal(bundle, &b); err != nil {
		t.Fatal(err)
	}
	vm := b["verificationMaterial"].(map[string]any)
	leaf := vm["certificate"].(map[string]any)
	root, _ := pem.Decode(chain)
	delete(vm, "certificate")
	vm["x509CertificateChain"] = map[string]any{"certificates": []any{leaf, map[string]any{"rawBytes": base64.StdEncoding.EncodeToString(root.Bytes)}}}
	raw, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	a, err := parseBundle(raw)
	if err != nil {
		t.Fatal(err)
	}
	leafDER, _ := base64.StdEncoding.DecodeString(leaf["rawBytes"].(string))
	if diff := cmp.Diff(string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: leafDER})), string(a.leafPEM)); diff != "" {
		t.Errorf("leaf mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(string(chain), string(a.chainPEM)); diff != "" {
		t.Errorf("chain mismatch (-want +got):\n%s", diff)
	}
}

func TestParseBundle_rejects(t *testing.T) {
	t.Parallel()
	valid := readTestdata(t, string(kindRekorV2)+".sigstore.json")
	edit := func(f func(b map[string]any)) []byte {
		var b map[string]any
		if err := json.Unmarshal(valid, &b); err != nil {
			t.Fatal(err)
		}
		f(b)
		out, _ := json.Marshal(b)
		return out
	}
	payload := func(s string) []byte {
		return edit(func(b map[string]any) {
			b["dsseEnvelope"].(map[string]any)["payload"] = base64.StdEncoding.EncodeToString([]byte(s))
		})
	}
	cases := []struct {
		name   string
		bundle []byte
	}{
		{name: "wrong_payload_type", bundle: edit(func(b map[string]any) { b["dsseEnvelope"].(map[string]any)["payloadType"] = "text/plain" })},
		{name: "payload_not_json", bundle: payload("not json")},
		{name: "not_a_statement", bundle: payload(`{"_type":"https://example.com/x","predicateType":"p"}`)},
		{name: "no_predicate_type", bundle: payload(`{"_type":"https://in-toto.io/Statement/v1","subject":[]}`)},
		{name: "no_signature", bundle: edit(func(b map[string]any) { b["dsseEnvelope"].(map[string]any)["signatures"] = []any{} })},
		{name: "no_media_type", bundle: edit(func(b map[string]any) { delete(b, "mediaType") })},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if a, err := parseBundle(tc.bundle); err == nil {
				t.Errorf("parseBundle = %+v, want an error", a)
			}
		})
	}
}
