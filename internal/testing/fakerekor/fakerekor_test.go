package fakerekor_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"testing"

	protocommon "github.com/sigstore/protobuf-specs/gen/pb-go/common/v1"
	rekorpb "github.com/sigstore/protobuf-specs/gen/pb-go/rekor/v1"
	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/tlog"
	"github.com/sigstore/sigstore/pkg/signature"

	"github.com/provenant/provenant/internal/testing/fakerekor"
)

type anon struct {
	Body           string
	IntegratedTime int64
	LogID          string
	LogIndex       int64
	Verification   struct {
		InclusionProof struct {
			Checkpoint string
			Hashes     []string
			LogIndex   int64
			RootHash   string
			TreeSize   int64
		}
		SignedEntryTimestamp []byte
	}
}

func get(t *testing.T, url string) anon {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]anon
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil || len(m) != 1 {
		t.Fatalf("GET %s: %v, %d entries", url, err, len(m))
	}
	for _, e := range m {
		return e
	}
	return anon{}
}

// tle is the entry as a bundle carries it, for sigstore-go's checks.
func tle(t *testing.T, e anon) *tlog.Entry {
	t.Helper()
	body, _ := base64.StdEncoding.DecodeString(e.Body)
	id, _ := hex.DecodeString(e.LogID)
	root, _ := hex.DecodeString(e.Verification.InclusionProof.RootHash)
	var hashes [][]byte
	for _, h := range e.Verification.InclusionProof.Hashes {
		b, _ := hex.DecodeString(h)
		hashes = append(hashes, b)
	}
	p := e.Verification.InclusionProof
	entry, err := tlog.ParseTransparencyLogEntry(&rekorpb.TransparencyLogEntry{
		LogIndex: e.LogIndex, LogId: &protocommon.LogId{KeyId: id},
		KindVersion: &rekorpb.KindVersion{Kind: "hashedrekord", Version: "0.0.1"}, IntegratedTime: e.IntegratedTime,
		InclusionPromise:  &rekorpb.InclusionPromise{SignedEntryTimestamp: e.Verification.SignedEntryTimestamp},
		InclusionProof:    &rekorpb.InclusionProof{LogIndex: p.LogIndex, RootHash: root, TreeSize: p.TreeSize, Hashes: hashes, Checkpoint: &rekorpb.Checkpoint{Envelope: p.Checkpoint}},
		CanonicalizedBody: body,
	})
	if err != nil {
		t.Fatal(err)
	}
	return entry
}

// hashedrekord is a well-formed hashedrekord body for digest n.
func hashedrekord(t *testing.T, n int) []byte {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKIXPublicKey(k.Public())
	if err != nil {
		t.Fatal(err)
	}
	pub := base64.StdEncoding.EncodeToString(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
	digest := sha256.Sum256(fmt.Append(nil, n))
	sig, err := ecdsa.SignASN1(rand.Reader, k, digest[:])
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Appendf(nil, `{"apiVersion":"0.0.1","kind":"hashedrekord","spec":{"data":{"hash":{"algorithm":"sha256","value":"%x"}},"signature":{"content":%q,"publicKey":{"content":%q}}}}`,
		digest, base64.StdEncoding.EncodeToString(sig), pub)
}

// TestLog checks every entry of logs of several sizes with sigstore-go's
// Rekor v1 checks: the inclusion proof against the signed checkpoint, and
// the SET against the log's key.
func TestLog(t *testing.T) {
	t.Parallel()
	ts := fakerekor.NewTestServer(t)
	tl := ts.TransparencyLog(ts.URL)
	logs := map[string]*root.TransparencyLog{hex.EncodeToString(tl.ID): tl}
	v, err := signature.LoadVerifier(ts.PublicKey(), tl.SignatureHashFunc)
	if err != nil {
		t.Fatal(err)
	}
	var uuids []string
	for n := 1; n <= 7; n++ {
		body := hashedrekord(t, n)
		id, err := ts.AddBody(body, fmt.Sprintf("sha256:%064x", n))
		if err != nil {
			t.Fatal(err)
		}
		uuids = append(uuids, id)
		for i, id := range uuids {
			e := get(t, ts.URL+fakerekor.EntriesPath+id)
			if e.LogIndex != int64(i) || e.Verification.InclusionProof.TreeSize != int64(n) {
				t.Fatalf("entry %d of %d: index %d, tree size %d", i, n, e.LogIndex, e.Verification.InclusionProof.TreeSize)
			}
			entry := tle(t, e)
			if err := tlog.VerifyInclusion(entry, v); err != nil {
				t.Errorf("entry %d of %d: inclusion: %v", i, n, err)
			}
			if err := tlog.VerifySET(entry, logs); err != nil {
				t.Errorf("entry %d of %d: SET: %v", i, n, err)
			}
		}
	}
	resp, err := http.Post(ts.URL+fakerekor.RetrievePath, "application/json", bytes.NewReader(fmt.Appendf(nil, `{"hash":"sha256:%064x"}`, 3)))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got []string
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil || len(got) != 1 || got[0] != uuids[2] {
		t.Errorf("index/retrieve = %v, %v; want [%s]", got, err, uuids[2])
	}
}

func TestLog_tamperedSETRefused(t *testing.T) {
	t.Parallel()
	ts := fakerekor.NewTestServer(t)
	tl := ts.TransparencyLog(ts.URL)
	id, err := ts.AddBody(hashedrekord(t, 0))
	if err != nil {
		t.Fatal(err)
	}
	e := get(t, ts.URL+fakerekor.EntriesPath+id)
	e.IntegratedTime++
	if err := tlog.VerifySET(tle(t, e), map[string]*root.TransparencyLog{hex.EncodeToString(tl.ID): tl}); err == nil {
		t.Error("VerifySET accepted a changed integrated time")
	}
}
