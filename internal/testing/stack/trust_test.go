package stack

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/sigstore/sigstore-go/pkg/root"
)

// TestBuildTrustedRoot checks that what the stack writes is a trusted root
// and a signing config sigstore-go accepts, describing exactly the services
// that run, with the log ids verifiers compute.
func TestBuildTrustedRoot(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ctSPKI, err := writeECKey(filepath.Join(dir, "ct.key"))
	must(t, err)
	v2SPKI, v2Raw, err := writeEd25519Key(filepath.Join(dir, "rekor.key"))
	must(t, err)
	v1SPKI, _ := writeECKey(filepath.Join(dir, "v1.key"))
	in := trustInputs{rekorV1SPKI: v1SPKI, rekorV2SPKI: v2SPKI, rekorV2Raw: v2Raw, ctSPKI: ctSPKI,
		fulcioRoot: selfSigned(t, "fulcio"), tsaChain: [][]byte{selfSigned(t, "tsa")}, validFrom: time.Now().Add(-time.Hour)}
	cfg := Config{Rekor: "both", CT: true, TSA: true}
	must(t, writeTrust(dir, buildTrustedRoot(in), buildSigningConfig(cfg)))

	tr, err := root.NewTrustedRootFromPath(filepath.Join(dir, "trusted_root.json"))
	if err != nil {
		t.Fatalf("sigstore-go refuses trusted_root.json: %v", err)
	}
	v1ID := sha256.Sum256(v1SPKI)
	v2ID := sha256.Sum256(append([]byte("127.0.0.1\n\x01"), v2Raw...))
	var gotLogs []string
	for id, l := range tr.RekorLogs() {
		gotLogs = append(gotLogs, l.BaseURL+" "+id)
	}
	wantLogs := []string{rekorV1URL + " " + hex.EncodeToString(v1ID[:]), rekorV2URL + " " + hex.EncodeToString(v2ID[:])}
	if diff := cmp.Diff(wantLogs, gotLogs, cmpSorted); diff != "" {
		t.Errorf("tlogs mismatch (-want +got):\n%s", diff)
	}
	if n := len(tr.CTLogs()); n != 1 {
		t.Errorf("%d CT logs, want 1", n)
	}
	if n := len(tr.FulcioCertificateAuthorities()); n != 1 {
		t.Errorf("%d CAs, want 1", n)
	}
	if n := len(tr.TimestampingAuthorities()); n != 1 {
		t.Errorf("%d TSAs, want 1", n)
	}

	jsonl := read(t, filepath.Join(dir, "trusted_root.jsonl"))
	if strings.Count(jsonl, "\n") != 1 || !strings.HasSuffix(jsonl, "\n") {
		t.Errorf("trusted_root.jsonl is not one line ending in a newline: %q", jsonl)
	}
	noTlog, err := root.NewTrustedRootFromJSON([]byte(read(t, filepath.Join(dir, "trusted_root_notlog.jsonl"))))
	must(t, err)
	if n := len(noTlog.RekorLogs()); n != 0 {
		t.Errorf("trusted_root_notlog.jsonl lists %d tlogs", n)
	}

	sc, err := root.NewSigningConfigFromPath(filepath.Join(dir, "signing_config.json"))
	if err != nil {
		t.Fatalf("sigstore-go refuses signing_config.json: %v", err)
	}
	var tlogURLs []string
	for _, s := range sc.RekorLogURLs() {
		tlogURLs = append(tlogURLs, s.URL)
	}
	if diff := cmp.Diff([]string{rekorV2URL, rekorV1URL}, tlogURLs); diff != "" {
		t.Errorf("rekor URLs mismatch (-want +got):\n%s", diff)
	}
	if got := sc.FulcioCertificateAuthorityURLs(); len(got) != 1 || got[0].URL != fulcioURL {
		t.Errorf("CA URLs = %+v", got)
	}
	if got := sc.TimestampAuthorityURLs(); len(got) != 1 || got[0].URL != tsaURL {
		t.Errorf("TSA URLs = %+v", got)
	}
}

// TestBuildTrustedRoot_tsaOnly checks the TSA-only mode: no logs at all,
// written as empty lists.
func TestBuildTrustedRoot_tsaOnly(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	in := trustInputs{fulcioRoot: selfSigned(t, "fulcio"), tsaChain: [][]byte{selfSigned(t, "tsa")}, validFrom: time.Now()}
	must(t, writeTrust(dir, buildTrustedRoot(in), buildSigningConfig(Config{Rekor: "none", TSA: true})))
	text := read(t, filepath.Join(dir, "trusted_root.jsonl"))
	for _, want := range []string{`"tlogs":[]`, `"ctlogs":[]`} {
		if !strings.Contains(text, want) {
			t.Errorf("trusted root lacks %s: %s", want, text)
		}
	}
	if sc := read(t, filepath.Join(dir, "signing_config.json")); !strings.Contains(sc, `"rekorTlogUrls": []`) {
		t.Errorf("signing config should list no tlogs:\n%s", sc)
	}
}

var cmpSorted = cmpopts.SortSlices(func(a, b string) bool { return a < b })

// selfSigned returns the DER of a self-signed CA certificate.
func selfSigned(t *testing.T, cn string) []byte {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	must(t, err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true,
		BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	must(t, err)
	return der
}

func read(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	must(t, err)
	return string(b)
}
