package oci

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

const (
	wantDSSEMT   = "application/vnd.dsse.envelope.v1+json"
	wantConfigMT = "application/vnd.oci.image.config.v1+json"
)

// jsonBundle is the bundle decoded without the protobuf types, so that the
// expectations below do not reuse the code under test.
type jsonBundle struct {
	VerificationMaterial struct {
		Certificate struct {
			RawBytes string `json:"rawBytes"`
		} `json:"certificate"`
		TlogEntries []struct {
			LogIndex string `json:"logIndex"`
			LogID    struct {
				KeyID string `json:"keyId"`
			} `json:"logId"`
			IntegratedTime   string `json:"integratedTime"`
			InclusionPromise *struct {
				SignedEntryTimestamp string `json:"signedEntryTimestamp"`
			} `json:"inclusionPromise"`
			CanonicalizedBody string `json:"canonicalizedBody"`
		} `json:"tlogEntries"`
		TimestampVerificationData *struct {
			RFC3161Timestamps []struct {
				SignedTimestamp string `json:"signedTimestamp"`
			} `json:"rfc3161Timestamps"`
		} `json:"timestampVerificationData"`
	} `json:"verificationMaterial"`
	DSSEEnvelope struct {
		Payload     string `json:"payload"`
		PayloadType string `json:"payloadType"`
		Signatures  []struct {
			Sig string `json:"sig"`
		} `json:"signatures"`
	} `json:"dsseEnvelope"`
}

func decodeBundle(t *testing.T, raw []byte) jsonBundle {
	t.Helper()
	var b jsonBundle
	if err := json.Unmarshal(raw, &b); err != nil {
		t.Fatal(err)
	}
	return b
}

// wantLegacyAnnotations derives cosign's layer annotations from the bundle
// by hand. JSON-valued annotations are compared after parsing.
func wantLegacyAnnotations(t *testing.T, raw, chainPEM []byte) map[string]any {
	t.Helper()
	b := decodeBundle(t, raw)
	der, _ := base64.StdEncoding.DecodeString(b.VerificationMaterial.Certificate.RawBytes)
	want := map[string]any{
		"predicateType":                      slsaV1,
		"dev.cosignproject.cosign/signature": "",
		"dev.sigstore.cosign/certificate":    string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
	}
	if len(chainPEM) > 0 {
		want["dev.sigstore.cosign/chain"] = string(chainPEM)
	}
	for _, e := range b.VerificationMaterial.TlogEntries {
		if e.InclusionPromise == nil {
			continue
		}
		logID, _ := base64.StdEncoding.DecodeString(e.LogID.KeyID)
		it, _ := strconv.ParseFloat(e.IntegratedTime, 64)
		li, _ := strconv.ParseFloat(e.LogIndex, 64)
		want["dev.sigstore.cosign/bundle"] = map[string]any{
			"SignedEntryTimestamp": e.InclusionPromise.SignedEntryTimestamp,
			"Payload":              map[string]any{"body": e.CanonicalizedBody, "integratedTime": it, "logIndex": li, "logID": hex.EncodeToString(logID)},
		}
	}
	if tvd := b.VerificationMaterial.TimestampVerificationData; tvd != nil {
		want["dev.sigstore.cosign/rfc3161timestamp"] = map[string]any{"SignedRFC3161Timestamp": tvd.RFC3161Timestamps[0].SignedTimestamp}
	}
	return want
}

// parsedAnnotations parses the JSON-valued annotations.
func parsedAnnotations(t *testing.T, ann map[string]string) map[string]any {
	t.Helper()
	out := map[string]any{}
	for k, v := range ann {
		out[k] = v
		if k == "dev.sigstore.cosign/bundle" || k == "dev.sigstore.cosign/rfc3161timestamp" {
			var x any
			if err := json.Unmarshal([]byte(v), &x); err != nil {
				t.Fatalf("annotation %s is not JSON: %v", k, err)
			}
			out[k] = x
		}
	}
	return out
}

func wantEnvelope(t *testing.T, raw []byte) map[string]any {
	t.Helper()
	b := decodeBundle(t, raw)
	return map[string]any{
		"payloadType": b.DSSEEnvelope.PayloadType,
		"payload":     b.DSSEEnvelope.Payload,
		"signatures":  []any{map[string]any{"keyid": "", "sig": b.DSSEEnvelope.Signatures[0].Sig}},
	}
}

func TestPusher_Attach_legacyShape(t *testing.T) {
	t.Parallel()
	kinds := []bundleKind{kindRekorV1, kindRekorV2, kindTSAOnly}
	for _, m := range modes {
		for _, kind := range kinds {
			for _, withChain := range []bool{true, false} {
				t.Run(m.name+"/"+string(kind)+"/chain_"+strconv.FormatBool(withChain), func(t *testing.T) {
					t.Parallel()
					host := newRegistry(t, m.referrers)
					img := pushImage(t, host, "octo-org/app")
					bundle, chain := bundleFor(t, img, kind)
					if !withChain {
						chain = nil
					}
					st, err := newPusher(t, WithLegacyAtt(true)).Attach(t.Context(), img.String(), bundle, chain)
					if err != nil {
						t.Fatal(err)
					}
					if want := img.Context().Name() + ":sha256-" + img.DigestStr()[7:] + ".att"; st.LegacyTag != want {
						t.Errorf("LegacyTag = %q, want %q", st.LegacyTag, want)
					}
					d := getManifest(t, st.LegacyTag)
					mf, err := v1.ParseManifest(bytes.NewReader(d.Manifest))
					if err != nil {
						t.Fatal(err)
					}
					if mf.MediaType != types.OCIManifestSchema1 || mf.Config.MediaType != wantConfigMT || len(mf.Layers) != 1 {
						t.Fatalf(".att manifest = %s", d.Manifest)
					}
					layer := mf.Layers[0]
					if layer.MediaType != wantDSSEMT {
						t.Errorf("layer media type = %s, want %s", layer.MediaType, wantDSSEMT)
					}
					if diff := cmp.Diff(wantLegacyAnnotations(t, bundle, chain), parsedAnnotations(t, layer.Annotations)); diff != "" {
						t.Errorf("layer annotations mismatch (-want +got):\n%s", diff)
					}
					var env any
					if err := json.Unmarshal(fetchBlob(t, img.Context(), layer.Digest), &env); err != nil {
						t.Fatal(err)
					}
					if diff := cmp.Diff(wantEnvelope(t, bundle), env); diff != "" {
						t.Errorf("envelope layer mismatch (-want +got):\n%s", diff)
					}
				})
			}
		}
	}
}

// foreignAtt writes a .att image holding another producer's attestation.
func foreignAtt(t *testing.T, tag string) v1.Descriptor {
	t.Helper()
	base := mutate.ConfigMediaType(mutate.MediaType(empty.Image, types.OCIManifestSchema1), types.OCIConfigJSON)
	layer := static.NewLayer([]byte(`{"payloadType":"application/vnd.in-toto+json","payload":"e30=","signatures":[{"keyid":"","sig":"MEUCIQ=="}]}`), wantDSSEMT)
	ann := map[string]string{"predicateType": "https://spdx.dev/Document", "dev.cosignproject.cosign/signature": ""}
	img, err := mutate.Append(base, mutate.Addendum{Layer: layer, Annotations: ann})
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(mustRef(tag), img, remote.WithContext(t.Context())); err != nil {
		t.Fatal(err)
	}
	mf, err := img.Manifest()
	if err != nil {
		t.Fatal(err)
	}
	return mf.Layers[0]
}

func TestPusher_Attach_legacyAppend(t *testing.T) {
	t.Parallel()
	for _, m := range modes {
		t.Run(m.name+"/keeps_foreign_layer", func(t *testing.T) {
			t.Parallel()
			host := newRegistry(t, m.referrers)
			img := pushImage(t, host, "octo-org/app")
			tag := legacyTagOf(img)
			foreign := foreignAtt(t, tag)
			bundle, chain := bundleFor(t, img, kindRekorV1)
			if _, err := newPusher(t, WithLegacyAtt(true)).Attach(t.Context(), img.String(), bundle, chain); err != nil {
				t.Fatal(err)
			}
			layers := attLayers(t, tag)
			if len(layers) != 2 {
				t.Fatalf(".att has %d layers, want the foreign one and ours", len(layers))
			}
			if diff := cmp.Diff(foreign, layers[0]); diff != "" {
				t.Errorf("foreign layer changed (-want +got):\n%s", diff)
			}
			if layers[1].Annotations["predicateType"] != slsaV1 {
				t.Errorf("second layer is not ours: %+v", layers[1])
			}
		})
		t.Run(m.name+"/identical_layer_once", func(t *testing.T) {
			t.Parallel()
			host := newRegistry(t, m.referrers)
			img := pushImage(t, host, "octo-org/app")
			tag := legacyTagOf(img)
			bundle, chain := bundleFor(t, img, kindRekorV2)
			second := otherBundle(t, img)
			attachAll(t, img, [][]byte{bundle, bundle}, chain)
			before := getManifest(t, tag).Digest
			attachAll(t, img, [][]byte{bundle}, chain)
			if after := getManifest(t, tag).Digest; after != before {
				t.Errorf(".att rewritten by an identical attestation: %s -> %s", before, after)
			}
			attachAll(t, img, [][]byte{second}, chain)
			if n := len(attLayers(t, tag)); n != 2 {
				t.Errorf(".att has %d layers after two distinct attestations, one repeated; want 2", n)
			}
		})
	}
}

// otherBundle is a second, different attestation about img.
func otherBundle(t *testing.T, img name.Digest) []byte {
	t.Helper()
	b, _ := bundleFor(t, img, kindTSAOnly)
	return b
}

// attachAll attaches each bundle with a fresh clock value, so the
// referrers differ while the envelopes may not.
func attachAll(t *testing.T, img name.Digest, bundles [][]byte, chain []byte) {
	t.Helper()
	for i, b := range bundles {
		st := attachAtWith(t, img, b, chain, i)
		if st.LegacyTag == "" {
			t.Fatal("no legacy tag written")
		}
	}
}

func attachAtWith(t *testing.T, img name.Digest, bundle, chain []byte, minutes int) *Stored {
	t.Helper()
	p := newPusher(t, WithLegacyAtt(true), WithClock(func() time.Time { return fixedTime.Add(time.Duration(minutes) * time.Minute) }))
	st, err := p.Attach(t.Context(), img.String(), bundle, chain)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func legacyTagOf(img name.Digest) string {
	return img.Context().Name() + ":sha256-" + img.DigestStr()[7:] + ".att"
}

func attLayers(t *testing.T, tag string) []v1.Descriptor {
	t.Helper()
	mf, err := v1.ParseManifest(bytes.NewReader(getManifest(t, tag).Manifest))
	if err != nil {
		t.Fatal(err)
	}
	return mf.Layers
}
