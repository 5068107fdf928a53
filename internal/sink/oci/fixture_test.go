package oci

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net/url"
	"testing"
	"time"

	protobundle "github.com/sigstore/protobuf-specs/gen/pb-go/bundle/v1"
	protocommon "github.com/sigstore/protobuf-specs/gen/pb-go/common/v1"
	protodsse "github.com/sigstore/protobuf-specs/gen/pb-go/dsse"
	protorekor "github.com/sigstore/protobuf-specs/gen/pb-go/rekor/v1"
	"google.golang.org/protobuf/encoding/protojson"
)

// Bundle fixtures. They have the shape of what internal/signing produces
// against Rekor v1, Rekor v2 with a TSA, and a TSA alone: a DSSE envelope
// over an in-toto statement, really signed with an ephemeral P-256 key, a
// leaf certificate issued by a throwaway root, and log entries. The log
// signatures, proofs and RFC 3161 tokens are stand-ins with the right
// encodings: this package stores them and never verifies them.

type bundleKind string

const (
	kindRekorV1  bundleKind = "rekor-v1"
	kindRekorV2  bundleKind = "rekor-v2-tsa"
	kindTSAOnly  bundleKind = "tsa-only"
	slsaV1                  = "https://slsa.dev/provenance/v1"
	workflowSAN             = "https://github.com/octo-org/octo-repo/.github/workflows/release.yml@refs/tags/v1.2.3"
	fixtureImage            = "ghcr.io/octo-org/app"
)

// testCA is a root and a leaf issued by it, like Fulcio's chain.
type testCA struct {
	leafKey  *ecdsa.PrivateKey
	leafDER  []byte
	chainPEM []byte
}

func newTestCA(t testing.TB) *testCA {
	t.Helper()
	return newTestCAWith(t, func(*x509.Certificate) {})
}

// newTestCAWith is newTestCA with the leaf template changed by edit.
func newTestCAWith(t testing.TB, edit func(leaf *x509.Certificate)) *testCA {
	t.Helper()
	rootKey := mustKey(t)
	now := time.Now()
	rootTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{Organization: []string{"provenant-test"}, CommonName: "test-root"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	rootDER, err := x509.CreateCertificate(rand.Reader, rootTmpl, rootTmpl, &rootKey.PublicKey, rootKey)
	if err != nil {
		t.Fatal(err)
	}
	root, err := x509.ParseCertificate(rootDER)
	if err != nil {
		t.Fatal(err)
	}
	san, _ := url.Parse(workflowSAN)
	leafKey := mustKey(t)
	leafTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), NotBefore: now.Add(-time.Minute), NotAfter: now.Add(10 * time.Minute),
		URIs: []*url.URL{san}, KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageCodeSigning},
	}
	edit(leafTmpl)
	leafDER, err := x509.CreateCertificate(rand.Reader, leafTmpl, root, &leafKey.PublicKey, rootKey)
	if err != nil {
		t.Fatal(err)
	}
	return &testCA{leafKey: leafKey, leafDER: leafDER, chainPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: rootDER})}
}

func mustKey(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// statementFor is a SLSA v1 statement naming the image digest.
func statementFor(digestHex string) []byte {
	st := map[string]any{
		"_type":         "https://in-toto.io/Statement/v1",
		"subject":       []any{map[string]any{"name": fixtureImage, "digest": map[string]string{"sha256": digestHex}}},
		"predicateType": slsaV1,
		"predicate": map[string]any{
			"buildDefinition": map[string]any{
				"buildType":          "https://actions.github.io/buildtypes/workflow/v1",
				"externalParameters": map[string]any{"workflow": map[string]string{"ref": "refs/tags/v1.2.3", "repository": "https://github.com/octo-org/octo-repo", "path": ".github/workflows/release.yml"}},
			},
			"runDetails": map[string]any{"builder": map[string]string{"id": "https://github.com/actions/runner/github-hosted"}},
		},
	}
	b, _ := json.Marshal(st)
	return b
}

// makeBundle returns the bundle JSON for a statement about digestHex, and
// the CA chain PEM.
func makeBundle(t testing.TB, digestHex string, kind bundleKind) (bundleJSON, chainPEM []byte) {
	t.Helper()
	return signBundle(t, newTestCA(t), statementFor(digestHex), kind)
}

// signBundle signs payload, an in-toto statement, with ca's leaf.
func signBundle(t testing.TB, ca *testCA, payload []byte, kind bundleKind) (bundleJSON, chainPEM []byte) {
	t.Helper()
	sum := sha256.Sum256(pae(inTotoPayloadType, payload))
	sig, err := ecdsa.SignASN1(rand.Reader, ca.leafKey, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	b := &protobundle.Bundle{
		MediaType: BundleMediaType,
		VerificationMaterial: &protobundle.VerificationMaterial{
			Content: &protobundle.VerificationMaterial_Certificate{Certificate: &protocommon.X509Certificate{RawBytes: ca.leafDER}},
		},
		Content: &protobundle.Bundle_DsseEnvelope{DsseEnvelope: &protodsse.Envelope{
			Payload: payload, PayloadType: inTotoPayloadType, Signatures: []*protodsse.Signature{{Sig: sig}},
		}},
	}
	vm := b.VerificationMaterial
	switch kind {
	case kindRekorV1:
		vm.TlogEntries = []*protorekor.TransparencyLogEntry{rekorV1Entry(t, ca, payload, sig)}
	case kindRekorV2:
		vm.TlogEntries = []*protorekor.TransparencyLogEntry{rekorV2Entry(t, payload)}
		vm.TimestampVerificationData = timestampData(t, sig)
	case kindTSAOnly:
		vm.TimestampVerificationData = timestampData(t, sig)
	default:
		t.Fatalf("unknown bundle kind %q", kind)
	}
	out, err := protojson.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	return out, ca.chainPEM
}

func rekorV1Entry(t testing.TB, ca *testCA, payload, sig []byte) *protorekor.TransparencyLogEntry {
	leafPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.leafDER})
	payloadHash := sha256.Sum256(payload)
	body, _ := json.Marshal(map[string]any{
		"apiVersion": "0.0.1", "kind": "dsse",
		"spec": map[string]any{
			"payloadHash": map[string]string{"algorithm": "sha256", "value": hex.EncodeToString(payloadHash[:])},
			"signatures":  []any{map[string]string{"signature": base64.StdEncoding.EncodeToString(sig), "verifier": base64.StdEncoding.EncodeToString(leafPEM)}},
		},
	})
	logKey := sha256.Sum256([]byte("rekor v1 log key"))
	return &protorekor.TransparencyLogEntry{
		LogIndex:          4242,
		LogId:             &protocommon.LogId{KeyId: logKey[:]},
		KindVersion:       &protorekor.KindVersion{Kind: "dsse", Version: "0.0.1"},
		IntegratedTime:    1767268800,
		InclusionPromise:  &protorekor.InclusionPromise{SignedEntryTimestamp: randomBytes(t, 71)},
		InclusionProof:    inclusionProof(t, "127.0.0.1:13000 - 1193050959916656506"),
		CanonicalizedBody: body,
	}
}

func rekorV2Entry(t testing.TB, payload []byte) *protorekor.TransparencyLogEntry {
	digest := sha256.Sum256(pae(inTotoPayloadType, payload))
	body, _ := json.Marshal(map[string]any{
		"apiVersion": "0.0.2", "kind": "hashedrekord",
		"spec": map[string]any{"hashedRekordV002": map[string]any{"data": map[string]string{"algorithm": "SHA2_256", "digest": base64.StdEncoding.EncodeToString(digest[:])}}},
	})
	logKey := sha256.Sum256([]byte("rekor v2 log key"))
	return &protorekor.TransparencyLogEntry{
		LogIndex:          7,
		LogId:             &protocommon.LogId{KeyId: logKey[:]},
		KindVersion:       &protorekor.KindVersion{Kind: "hashedrekord", Version: "0.0.2"},
		InclusionProof:    inclusionProof(t, "127.0.0.1"),
		CanonicalizedBody: body,
	}
}

func inclusionProof(t testing.TB, origin string) *protorekor.InclusionProof {
	root := randomBytes(t, 32)
	return &protorekor.InclusionProof{
		LogIndex: 7, TreeSize: 8, RootHash: root, Hashes: [][]byte{randomBytes(t, 32), randomBytes(t, 32), randomBytes(t, 32)},
		Checkpoint: &protorekor.Checkpoint{Envelope: fmt.Sprintf("%s\n8\n%s\n\n— %s %s\n", origin, base64.StdEncoding.EncodeToString(root), origin, base64.StdEncoding.EncodeToString(randomBytes(t, 68)))},
	}
}

// timestampData holds a stand-in RFC 3161 token: DER, opaque here.
func timestampData(t testing.TB, sig []byte) *protobundle.TimestampVerificationData {
	sum := sha256.Sum256(sig)
	token, err := asn1.Marshal(struct {
		Status  int
		Digest  []byte
		Garnish []byte
	}{0, sum[:], randomBytes(t, 96)})
	if err != nil {
		t.Fatal(err)
	}
	return &protobundle.TimestampVerificationData{Rfc3161Timestamps: []*protocommon.RFC3161SignedTimestamp{{SignedTimestamp: token}}}
}

func randomBytes(t testing.TB, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}
