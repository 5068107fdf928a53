package e2e

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"math/big"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	protobundle "github.com/sigstore/protobuf-specs/gen/pb-go/bundle/v1"
	protocommon "github.com/sigstore/protobuf-specs/gen/pb-go/common/v1"
	protodsse "github.com/sigstore/protobuf-specs/gen/pb-go/dsse"
	"github.com/sigstore/sigstore-go/pkg/sign"
	"google.golang.org/protobuf/encoding/protojson"
)

// signed is a signing run of the tag_push job and its artifacts.
type signed struct {
	s       *step
	bundle  string // path of the .sigstore.json
	jsonl   string // path of the .intoto.jsonl
	app     string // artifact covered by the bundle
	raw     []byte // the bundle
	version version
}

func signFiles(t *testing.T, st stack, v version, files ...string) signed {
	t.Helper()
	s := newStep(t, st, "tag_push")
	for _, f := range files {
		s.file("dist/"+f, f+" build for "+v.input+"\n")
	}
	s.run(map[string]string{"SUBJECT-PATH": "dist/*", "PREDICATE-VERSION": v.input})
	b := s.expectSigned(1, len(files))
	out := s.outputs()
	return signed{s: s, bundle: filepath.Join(s.ws, out["bundle-path"]), jsonl: filepath.Join(s.ws, out["provenance-name"]),
		app: filepath.Join(s.ws, "dist", files[0]), raw: b[0], version: v}
}

// rewrite rewrites a bundle's JSON with f and writes it to a new file.
func rewrite(t *testing.T, b []byte, f func(m map[string]any)) string {
	t.Helper()
	var m map[string]any
	must(t, json.Unmarshal(b, &m))
	f(m)
	out, err := json.Marshal(m)
	must(t, err)
	return writeBundle(t, out)
}

func obj(m map[string]any, path ...string) map[string]any {
	for _, p := range path {
		m = m[p].(map[string]any)
	}
	return m
}

// TestVerify_refusals is the negative suite of `provenant verify`: each case
// must exit 1 and name the check that failed. Cases that need a
// transparency log or a timestamp authority run in the modes that have one.
func TestVerify_refusals(t *testing.T) {
	st := needStack(t)
	v1, v02 := versions[0], versions[1]
	good := signFiles(t, st, v1, "app", "lib")
	other := signFiles(t, st, v1, "other")
	old := signFiles(t, st, v02, "app")
	tampered := filepath.Join(t.TempDir(), "app")
	must(t, os.WriteFile(tampered, append(read(t, good.app), '!'), 0o644))
	random := make([]byte, 32)
	_, _ = rand.Read(random)

	type tc struct {
		name string
		args []string
		want string
		when bool
	}
	args := func(bundle, artifact string, extra ...string) []string {
		return verifyArgs(st, v1, bundle, artifact, "", extra...)
	}
	hasLog := st.rekor != "none"
	cases := []tc{
		{"tampered artifact", args(good.bundle, tampered), "artifact not in the statement's subjects", true},
		{"digest not in subjects", verifyArgs(st, v1, good.bundle, "", hex.EncodeToString(random)), "artifact not in the statement's subjects", true},
		{"tampered payload", args(rewrite(t, good.raw, func(m map[string]any) {
			env := obj(m, "dsseEnvelope")
			p, _ := base64.StdEncoding.DecodeString(env["payload"].(string))
			p = bytes.Replace(p, []byte("octo-org/octo-repo"), []byte("octo-org/octo-repx"), 1)
			env["payload"] = base64.StdEncoding.EncodeToString(p)
		}), good.app), "signature", true},
		{"tampered signature", args(rewrite(t, good.raw, func(m map[string]any) {
			sig := obj(m, "dsseEnvelope")["signatures"].([]any)[0].(map[string]any)
			b, _ := base64.StdEncoding.DecodeString(sig["sig"].(string))
			b[len(b)/2] ^= 0xff
			sig["sig"] = base64.StdEncoding.EncodeToString(b)
		}), good.app), "signature", true},
		{"swapped certificate", args(rewrite(t, good.raw, func(m map[string]any) {
			var o map[string]any
			must(t, json.Unmarshal(other.raw, &o))
			obj(m, "verificationMaterial")["certificate"] = obj(o, "verificationMaterial")["certificate"]
		}), good.app), "signature", true},
		{"wrong repository", args(good.bundle, good.app, "--source-uri", "github.com/evil-org/octo-repo"), "source repository", true},
		{"wrong ref", args(good.bundle, good.app, "--source-ref", "refs/tags/v9.9.9"), "source ref", true},
		{"wrong tag", args(good.bundle, good.app, "--source-tag", "v1.2.4"), "source ref", true},
		{"wrong branch", args(good.bundle, good.app, "--source-branch", "main"), "source ref", true},
		{"wrong builder", args(good.bundle, good.app, "--builder-id", "https://github.com/octo-org/octo-repo/.github/workflows/other.yml@refs/tags/v1.2.3"), "builder", true},
		{"wrong builder name", args(good.bundle, good.app, "--builder-id", "https://github.com/octo-org/octo-repo/.github/workflows/other.yml"), "builder", true},
		{"wrong signer workflow", args(good.bundle, good.app, "--signer-workflow", "octo-org/octo-repo/.github/workflows/other.yml"), "signer workflow", true},
		{"wrong issuer", args(good.bundle, good.app, "--cert-oidc-issuer", "https://token.actions.githubusercontent.com"), "certificate issuer", true},
		{"certificate not from the trusted root", withRoot(args(good.bundle, good.app), foreignCARoot(t, st)), "certificate does not chain", true},
		{"bundle of another artifact", args(other.bundle, good.app), "artifact not in the statement's subjects", true},
		{"v0.2 bundle where v1 is wanted", verifyArgs(st, v1, writeBundle(t, old.raw), old.app, ""), "predicate type", true},
		{"v0.2 wrong repository", verifyArgs(st, v02, writeBundle(t, old.raw), old.app, "", "--source-uri", "github.com/octo-org/other"), "source repository", true},
		{"v0.2 wrong builder", verifyArgs(st, v02, writeBundle(t, old.raw), old.app, "", "--builder-id", "https://github.com/octo-org/octo-repo/.github/workflows/other.yml@refs/tags/v1.2.3"), "builder", true},
		{"wrong signer workflow with host", args(good.bundle, good.app, "--signer-workflow", "github.com/octo-org/octo-repo/.github/workflows/other.yml"), "signer workflow", true},
		{"log entry missing", args(rewrite(t, good.raw, func(m map[string]any) {
			delete(obj(m, "verificationMaterial"), "tlogEntries")
		}), good.app), "transparency log", hasLog},
		{"log entry for another body", args(rewrite(t, good.raw, func(m map[string]any) {
			var o map[string]any
			must(t, json.Unmarshal(other.raw, &o))
			obj(m, "verificationMaterial")["tlogEntries"] = obj(o, "verificationMaterial")["tlogEntries"]
		}), good.app), "transparency log", hasLog},
		{"timestamp for another signature", args(rewrite(t, good.raw, func(m map[string]any) {
			var o map[string]any
			must(t, json.Unmarshal(other.raw, &o))
			obj(m, "verificationMaterial")["timestampVerificationData"] = obj(o, "verificationMaterial")["timestampVerificationData"]
		}), good.app), "", st.tsa},
		{"predicate type not wanted", verifyArgs(st, v02, good.bundle, good.app, ""), "predicate type", true},
		{"workflow input not recorded", args(good.bundle, good.app, "--build-workflow-input", "version=1.3.0"), "workflow input version", true},
		{"v0.2 wrong ref", verifyArgs(st, v02, writeBundle(t, old.raw), old.app, "", "--source-branch", "main"), "source ref", true},
		{"v0.2 artifact not in subjects", verifyArgs(st, v02, writeBundle(t, old.raw), tampered, ""), "artifact not in the statement's subjects", true},
		{"not a Sigstore bundle", args(writeBundle(t, []byte(`{"mediaType":"nothing"}`)), good.app), "not a valid Sigstore bundle", true},
		{"empty attestation file", args(writeBundle(t, nil), good.app), "is empty", true},
	}
	// Malformed JSON lines: a good line then garbage.
	bad := filepath.Join(t.TempDir(), "bad.intoto.jsonl")
	must(t, os.WriteFile(bad, append(append(append([]byte{}, good.raw...), '\n'), []byte("{not json\n")...), 0o644))
	cases = append(cases, tc{"malformed JSON line", provenanceArgs(st, v1, bad, good.app), "line 2: not a JSON object", true})
	// A truncated line, as a cut-off download leaves it.
	cut := filepath.Join(t.TempDir(), "cut.intoto.jsonl")
	must(t, os.WriteFile(cut, good.raw[:len(good.raw)/2], 0o644))
	cases = append(cases, tc{"truncated JSON line", provenanceArgs(st, v1, cut, good.app), "line 1: not a JSON object", true})
	// Oversized input.
	big := filepath.Join(t.TempDir(), "big.intoto.jsonl")
	fh, err := os.Create(big)
	must(t, err)
	must(t, fh.Truncate(65<<20))
	must(t, fh.Close())
	cases = append(cases, tc{"oversized attestation file", provenanceArgs(st, v1, big, good.app), "larger than 64 MiB", true})

	ran := 0
	for _, c := range cases {
		if !c.when {
			continue
		}
		ran++
		t.Run(c.name, func(t *testing.T) {
			code, out := provenantVerify(t, c.args...)
			if code != 1 {
				t.Fatalf("exit %d, want 1 (refused):\n%s", code, out)
			}
			if !strings.Contains(out, c.want) {
				t.Errorf("output does not name %q:\n%s", c.want, out)
			}
		})
	}
	t.Logf("%d refusal cases ran in this mode (rekor %s, tsa %t)", ran, st.rekor, st.tsa)
	if ran < 25 {
		t.Errorf("only %d refusal cases ran; want at least 25", ran)
	}

	// The same policy with the good bundle is accepted: the refusals above
	// are the mutations, not the setup.
	if code, out := provenantVerify(t, args(good.bundle, good.app, "--source-tag", "v1.2.3", "--builder-id", builder)...); code != 0 {
		t.Fatalf("the unmodified bundle was refused:\n%s", out)
	}
	// Both artifacts from the .intoto.jsonl at once, as JSON, with the
	// verified statement written out, once.
	stmtPath := filepath.Join(t.TempDir(), "statements.jsonl")
	lib := filepath.Join(filepath.Dir(good.app), "lib")
	code, out := provenantVerify(t, append(provenanceArgs(st, v1, good.jsonl, good.app), lib, "--format", "json", "--source-tag", "v1.2.3", "--print-provenance", stmtPath)...)
	var verdict struct {
		Verified  bool
		Artifacts []struct {
			Name       string
			Verified   bool
			Provenance struct{ BuilderID, Commit string }
		}
	}
	if code != 0 || json.Unmarshal([]byte(out), &verdict) != nil || !verdict.Verified || len(verdict.Artifacts) != 2 ||
		verdict.Artifacts[1].Provenance.BuilderID != builder || verdict.Artifacts[1].Provenance.Commit != sha {
		t.Errorf("--format json: exit %d, verdict %+v:\n%s", code, verdict, out)
	}
	// One statement names both artifacts: it is written once.
	if lines := strings.Split(strings.TrimSpace(string(read(t, stmtPath))), "\n"); len(lines) != 1 || !strings.Contains(lines[0], `"predicateType":"https://slsa.dev/provenance/v1"`) {
		t.Errorf("--print-provenance wrote:\n%s", read(t, stmtPath))
	}
	// Missing policy is a usage error.
	if code, out := provenantVerify(t, "verify", "--bundle", good.bundle, "--trusted-root", st.trustedRoot, good.app); code != 2 || !strings.Contains(out, "--source-uri is required") {
		t.Errorf("without --source-uri: exit %d:\n%s", code, out)
	}
}

// withRoot replaces the trusted root in verify arguments.
func withRoot(args []string, root string) []string {
	for i := range args {
		if args[i] == "--trusted-root" {
			args[i+1] = root
		}
	}
	return args
}

func provenanceArgs(st stack, v version, jsonl, artifact string) []string {
	a := verifyArgs(st, v, "", artifact, "")
	// verifyArgs starts with verify --bundle BUNDLE: swap in --provenance-path.
	a[1], a[2] = "--provenance-path", jsonl
	return a
}

// foreignCARoot writes the stack's trusted root with its Fulcio CA replaced
// by a freshly generated one.
func foreignCARoot(t *testing.T, st stack) string {
	t.Helper()
	var root map[string]any
	must(t, json.Unmarshal(read(t, st.trustedRoot), &root))
	if st.rekor == "none" {
		must(t, json.Unmarshal(read(t, st.trustedRootNoTlogJSONL), &root))
	}
	der := generatedCADER(t)
	cas := root["certificateAuthorities"].([]any)
	for _, ca := range cas {
		ca.(map[string]any)["certChain"] = map[string]any{"certificates": []any{map[string]any{"rawBytes": base64.StdEncoding.EncodeToString(der)}}}
	}
	b, err := json.Marshal(root)
	must(t, err)
	p := filepath.Join(t.TempDir(), "foreign_root.json")
	must(t, os.WriteFile(p, b, 0o644))
	return p
}

// idToken fetches a job token from the fake issuer, as the runner would.
func idToken(t *testing.T, st stack) string {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, st.tokenURL+"&audience=sigstore", nil)
	must(t, err)
	req.Header.Set("Authorization", "bearer "+st.requestToken)
	resp, err := http.DefaultClient.Do(req)
	must(t, err)
	defer resp.Body.Close()
	var v struct{ Value string }
	must(t, json.NewDecoder(resp.Body).Decode(&v))
	if v.Value == "" {
		t.Fatal("the token endpoint gave no token")
	}
	return v.Value
}

// TestVerify_acceptsCosignAttestations: an attestation made by cosign
// attest-blob with the job's identity and a SLSA v1 predicate like ours is
// accepted; the same with a predicate whose builder disagrees with the
// certificate, or with a predicate type provenant does not know, is
// refused, although cosign itself accepts both (it does not read the
// predicate).
func TestVerify_acceptsCosignAttestations(t *testing.T) {
	st := needStack(t)
	v1 := versions[0]
	// Our own statement for the artifact, from a dry run: its predicate is
	// what cosign signs.
	s := newStep(t, st, "tag_push")
	s.file("dist/app", "cosign-signed app\n")
	s.run(map[string]string{"SUBJECT-PATH": "dist/app", "DRY-RUN": "true"})
	if s.code != 0 {
		t.Fatalf("dry run: %s", s.stderr)
	}
	var stmt map[string]any
	must(t, json.Unmarshal([]byte(s.stdout[strings.Index(s.stdout, "{"):]), &stmt))
	pred := stmt["predicate"].(map[string]any)
	artifact := filepath.Join(s.ws, "dist/app")
	token := idToken(t, st)

	attest := func(name, typ string, p map[string]any) string {
		t.Helper()
		pp := filepath.Join(t.TempDir(), name+".predicate.json")
		b, err := json.Marshal(p)
		must(t, err)
		must(t, os.WriteFile(pp, b, 0o644))
		bundle := filepath.Join(t.TempDir(), name+".sigstore.json")
		code, out := tool(t, "cosign", "attest-blob", "--signing-config", st.signingConfig, "--trusted-root", st.trustedRoot,
			"--identity-token", token, "--predicate", pp, "--type", typ, "--bundle", bundle, "--yes", artifact)
		if code != 0 {
			t.Fatalf("cosign attest-blob: %s", out)
		}
		if code, out := tool(t, "cosign", cosignArgs(st, version{v1.input, typ, typ}, bundle, artifact, "", nil)...); code != 0 {
			t.Fatalf("cosign does not verify its own %s attestation: %s", name, out)
		}
		return bundle
	}

	okBundle := attest("good", v1.cosignType, pred)
	if code, out := provenantVerify(t, verifyArgs(st, v1, okBundle, artifact, "", "--signer-workflow", signer, "--source-tag", "v1.2.3")...); code != 0 {
		t.Errorf("provenant verify refused cosign's attestation:\n%s", out)
	}

	var lying map[string]any
	b, _ := json.Marshal(pred)
	must(t, json.Unmarshal(b, &lying))
	lying["runDetails"].(map[string]any)["builder"] = map[string]any{"id": "https://github.com/octo-org/octo-repo/.github/workflows/trusted.yml@refs/tags/v1.2.3"}
	lyingBundle := attest("lying", v1.cosignType, lying)
	if code, out := provenantVerify(t, verifyArgs(st, v1, lyingBundle, artifact, "")...); code != 1 || !strings.Contains(out, "predicate agrees: builder.id") {
		t.Errorf("a predicate disagreeing with the certificate: exit %d:\n%s", code, out)
	}

	customBundle := attest("custom", "https://example.com/custom-predicate/v1", pred)
	code, out := provenantVerify(t, "verify", "--bundle", customBundle, "--trusted-root", verifyArgs(st, v1, "", "", "")[4],
		"--source-uri", "github.com/"+repo, "--cert-oidc-issuer", st.issuer, artifact)
	if code != 1 || !strings.Contains(out, "predicate type") {
		t.Errorf("an unknown predicate type: exit %d:\n%s", code, out)
	}
}

// TestVerify_timestampBeforeCertificate signs the DSSE envelope and has it
// timestamped before asking Fulcio for the key's certificate: the timestamp
// then lies outside the certificate's validity, and verification must
// fail. The same pieces in the right order verify, so the assembly is not
// what fails.
func TestVerify_timestampBeforeCertificate(t *testing.T) {
	st := needStack(t)
	if !st.tsa || st.rekor != "none" {
		t.Skip("needs a timestamp authority and no transparency log (the TSA-only mode)")
	}
	tsaURL, fulcioURL := st.tsaURL, st.fulcioURL
	if tsaURL == "" || fulcioURL == "" {
		t.Skip("the stack runs no TSA or no Fulcio")
	}
	ctx := context.Background()
	s := newStep(t, st, "tag_push")
	s.file("dist/app", "timestamp test\n")
	s.run(map[string]string{"SUBJECT-PATH": "dist/app", "DRY-RUN": "true"})
	if s.code != 0 {
		t.Fatalf("dry run: %s", s.stderr)
	}
	payload := []byte(s.stdout[strings.Index(s.stdout, "{"):])
	payload = compact(t, payload)
	artifact := filepath.Join(s.ws, "dist/app")

	build := func(timestampFirst bool) string {
		kp, err := sign.NewEphemeralKeypair(nil)
		must(t, err)
		pae := dssePAE("application/vnd.in-toto+json", payload)
		tsa := sign.NewTimestampAuthority(&sign.TimestampAuthorityOptions{URL: tsaURL})
		fulcio := sign.NewFulcio(&sign.FulcioOptions{BaseURL: fulcioURL})
		var sig, ts, cert []byte
		if timestampFirst {
			sig, _, err = kp.SignData(ctx, pae)
			must(t, err)
			ts, err = tsa.GetTimestamp(ctx, sig)
			must(t, err)
			time.Sleep(2 * time.Second)
			cert, err = fulcio.GetCertificate(ctx, kp, &sign.CertificateProviderOptions{IDToken: idToken(t, st)})
			must(t, err)
		} else {
			cert, err = fulcio.GetCertificate(ctx, kp, &sign.CertificateProviderOptions{IDToken: idToken(t, st)})
			must(t, err)
			sig, _, err = kp.SignData(ctx, pae)
			must(t, err)
			ts, err = tsa.GetTimestamp(ctx, sig)
			must(t, err)
		}
		pb := &protobundle.Bundle{
			MediaType: "application/vnd.dev.sigstore.bundle.v0.3+json",
			VerificationMaterial: &protobundle.VerificationMaterial{
				Content: &protobundle.VerificationMaterial_Certificate{Certificate: &protocommon.X509Certificate{RawBytes: cert}},
				TimestampVerificationData: &protobundle.TimestampVerificationData{
					Rfc3161Timestamps: []*protocommon.RFC3161SignedTimestamp{{SignedTimestamp: ts}},
				},
			},
			Content: &protobundle.Bundle_DsseEnvelope{DsseEnvelope: &protodsse.Envelope{
				Payload: payload, PayloadType: "application/vnd.in-toto+json",
				Signatures: []*protodsse.Signature{{Sig: sig}},
			}},
		}
		b, err := protojson.Marshal(pb)
		must(t, err)
		return writeBundle(t, b)
	}
	if code, out := provenantVerify(t, verifyArgs(st, versions[0], build(false), artifact, "")...); code != 0 {
		t.Fatalf("the bundle assembled in order was refused:\n%s", out)
	}
	code, out := provenantVerify(t, verifyArgs(st, versions[0], build(true), artifact, "")...)
	if code != 1 || !strings.Contains(out, "timestamp") {
		t.Errorf("a timestamp before the certificate: exit %d:\n%s", code, out)
	}
}

func dssePAE(typ string, body []byte) []byte {
	var b bytes.Buffer
	b.WriteString("DSSEv1 ")
	b.WriteString(itoa(len(typ)))
	b.WriteString(" " + typ + " ")
	b.WriteString(itoa(len(body)))
	b.WriteString(" ")
	b.Write(body)
	return b.Bytes()
}

func compact(t *testing.T, b []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	must(t, json.Compact(&out, bytes.TrimSpace(b)))
	return out.Bytes()
}

// generatedCADER is a fresh self-signed CA certificate, DER.
func generatedCADER(t *testing.T) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	must(t, err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "not the stack's Fulcio"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true,
		BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	must(t, err)
	return der
}
