package e2e

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sigstore/sigstore-go/pkg/sign"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/provenant/provenant/internal/policy"
	"github.com/provenant/provenant/internal/testing/fakerekor"
	"github.com/provenant/provenant/internal/verifier"
	"github.com/provenant/provenant/internal/verify"
)

// TestVerify_slsaGitHubGeneratorV1 makes a line as slsa-github-generator
// v1 did (a DSSE envelope signed with a Fulcio certificate, the
// certificate in the signature, an intoto v0.0.2 entry uploaded to Rekor
// v1) against the real services, and verifies it through the log.
func TestVerify_slsaGitHubGeneratorV1(t *testing.T) {
	env := map[string]string{}
	for _, k := range []string{"REKOR_V1_URL", "FULCIO_URL", "SIGSTORE_TRUSTED_ROOT", "ACTIONS_ID_TOKEN_REQUEST_URL", "ACTIONS_ID_TOKEN_REQUEST_TOKEN"} {
		if env[k] = os.Getenv(k); env[k] == "" {
			t.Skipf("needs %s: the Rekor v1 stack of `make e2e`", k)
		}
	}
	artifact := []byte("v1 artifact\n")
	sum := sha256.Sum256(artifact)
	st := fmt.Appendf(nil, `{"_type":"https://in-toto.io/Statement/v0.1","predicateType":"https://slsa.dev/provenance/v0.2","subject":[{"name":"app","digest":{"sha256":%q}}],"predicate":{}}`,
		hex.EncodeToString(sum[:]))
	line := signV1(t, env, st)
	uploadIntoto(t, env["REKOR_V1_URL"], line)

	roots, err := verify.ReadTrustedRoots(env["SIGSTORE_TRUSTED_ROOT"])
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	lineFile, tampered := filepath.Join(dir, "app.intoto.jsonl"), filepath.Join(dir, "tampered.intoto.jsonl")
	if err := os.WriteFile(lineFile, line, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(tampered, bytes.Replace(line, []byte(`"payload":"`), []byte(`"payload":"ey`), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		file string
		ok   bool
	}{{lineFile, true}, {tampered, false}} {
		rep, err := verifier.Run(t.Context(), verifier.Config{Digests: []string{"sha256:" + hex.EncodeToString(sum[:])}, Attestations: []string{tc.file},
			Roots: roots, RekorURL: env["REKOR_V1_URL"], Policy: policy.Policy{AnySource: true, Issuer: os.Getenv("OIDC_ISSUER"), PredicateTypes: []string{policy.SLSAv02}}})
		if err != nil {
			t.Fatal(err)
		}
		if v := rep.Artifacts[0]; v.Verified != tc.ok {
			t.Errorf("%s: verified %t, want %t: %+v", tc.file, v.Verified, tc.ok, v.Refusals)
		}
	}
}

// signV1 signs statement with a Fulcio certificate for the runner's token
// and returns the slsa-github-generator v1 line.
func signV1(t *testing.T, env map[string]string, statement []byte) []byte {
	t.Helper()
	u, err := url.Parse(env["ACTIONS_ID_TOKEN_REQUEST_URL"])
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("audience", "sigstore")
	u.RawQuery = q.Encode()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, u.String(), nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+env["ACTIONS_ID_TOKEN_REQUEST_TOKEN"])
	client := &http.Client{Timeout: 30 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tok struct{ Value string }
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || tok.Value == "" {
		t.Fatalf("fetching the OIDC token: %v", err)
	}
	kp, err := sign.NewEphemeralKeypair(nil)
	if err != nil {
		t.Fatal(err)
	}
	pb, err := sign.Bundle(&sign.DSSEData{Data: statement, PayloadType: "application/vnd.in-toto+json"}, kp, sign.BundleOptions{
		CertificateProvider:        sign.NewFulcio(&sign.FulcioOptions{BaseURL: env["FULCIO_URL"], Timeout: 30 * time.Second}),
		CertificateProviderOptions: &sign.CertificateProviderOptions{IDToken: tok.Value},
		Context:                    t.Context(),
	})
	if err != nil {
		t.Fatal(err)
	}
	b, err := protojson.Marshal(pb)
	if err != nil {
		t.Fatal(err)
	}
	line, err := fakerekor.EnvelopeFromBundle(b)
	if err != nil {
		t.Fatal(err)
	}
	return line
}

// uploadIntoto proposes an intoto v0.0.2 entry for line, as cosign and
// slsa-github-generator v1 uploaded it: payload and signatures base64 of
// the envelope's own base64 strings, the certificate in PEM as the key,
// and the sha256 of the envelope as uploaded.
func uploadIntoto(t *testing.T, rekorURL string, line []byte) {
	t.Helper()
	var e fakerekor.Envelope
	if err := json.Unmarshal(line, &e); err != nil {
		t.Fatal(err)
	}
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	h := sha256.Sum256(line)
	entry := map[string]any{"apiVersion": "0.0.2", "kind": "intoto", "spec": map[string]any{"content": map[string]any{
		"envelope": map[string]any{"payloadType": e.PayloadType, "payload": b64(e.Payload),
			"signatures": []map[string]string{{"keyid": e.Signatures[0].KeyID, "sig": b64(e.Signatures[0].Sig), "publicKey": b64(e.Signatures[0].Cert)}}},
		"hash": map[string]string{"algorithm": "sha256", "value": hex.EncodeToString(h[:])},
	}}}
	body, err := json.Marshal(entry)
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, strings.TrimRight(rekorURL, "/")+"/api/v1/log/entries", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		var msg bytes.Buffer
		_, _ = msg.ReadFrom(resp.Body)
		t.Fatalf("uploading the intoto entry: HTTP %d: %s", resp.StatusCode, msg.String())
	}
}
