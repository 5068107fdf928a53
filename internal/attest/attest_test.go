package attest_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/provenant/provenant/internal/attest"
	"github.com/provenant/provenant/internal/config"
	"github.com/provenant/provenant/internal/intoto"
	"github.com/provenant/provenant/internal/sink"
	"github.com/provenant/provenant/internal/testing/fakegithub"
	"github.com/provenant/provenant/internal/testing/fakeoidc"
	"github.com/provenant/provenant/internal/testing/fakesigstore"
	"github.com/provenant/provenant/internal/verify"
)

// run is one attest run in process: a workspace with two files, the fake
// GitHub OIDC issuer, and httptest stand-ins for Fulcio and the timestamp
// authority, whose trusted root and signing config are in the workspace.
type run struct {
	t       *testing.T
	ws      string
	oidc    *fakeoidc.TestServer
	sig     *fakesigstore.TestServer
	gh      *fakegithub.TestServer
	inputs  map[string]string
	event   json.RawMessage
	trusted string
}

func newRun(t *testing.T, scenario string, claims map[string]any) *run {
	t.Helper()
	dir := filepath.Join("..", "..", "testdata", "github", scenario)
	var fixture map[string]any
	if err := json.Unmarshal(read(t, filepath.Join(dir, "claims.json")), &fixture); err != nil {
		t.Fatal(err)
	}
	for k, v := range claims {
		fixture[k] = v
	}
	r := &run{t: t, ws: t.TempDir(), event: read(t, filepath.Join(dir, "event.json"))}
	r.oidc = fakeoidc.NewTestServer(t, fakeoidc.WithClaims(fixture))
	r.sig = fakesigstore.NewTestServer(t)
	r.gh = fakegithub.NewTestServer(t, fakegithub.WithAutoCreateRepos())
	tr, err := r.sig.TrustedRootJSON()
	if err != nil {
		t.Fatal(err)
	}
	sc, err := r.sig.SigningConfigJSON(r.sig.FulcioURL(), r.sig.TSAURL())
	if err != nil {
		t.Fatal(err)
	}
	r.write("sigstore/trusted_root.json", string(tr))
	r.write("sigstore/signing_config.json", string(sc))
	r.write("dist/app_linux_amd64", "linux build\n")
	r.write("dist/app_darwin_arm64", "darwin build\n")
	r.trusted = filepath.Join(r.ws, "sigstore", "trusted_root.json")
	r.inputs = map[string]string{
		"subject-path": "dist/*",
		"oidc-issuer":  r.oidc.URL,
		"sigstore":     "sigstore/signing_config.json",
		"trusted-root": "sigstore/trusted_root.json",
		"github-token": fakegithub.DefaultToken,
		"output-dir":   "out",
	}
	return r
}

func (r *run) write(rel, content string) {
	r.t.Helper()
	p := filepath.Join(r.ws, rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		r.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		r.t.Fatal(err)
	}
}

func (r *run) attest(extra map[string]string, opts ...attest.Option) (*attest.Result, error) {
	r.t.Helper()
	in := map[string]string{}
	for k, v := range r.inputs {
		in[k] = v
	}
	for k, v := range extra {
		in[k] = v
	}
	cfg, err := config.Load(config.Attest, func(name string) (string, bool) {
		v, ok := in[name]
		return v, ok && v != ""
	})
	if err != nil {
		r.t.Fatalf("config.Load: %v", err)
	}
	env := attest.Environment{
		Workspace: r.ws, TempDir: r.t.TempDir(), ServerURL: "https://github.com", APIURL: r.gh.APIURL, Event: r.event,
		Token: func(_ context.Context, aud string) (string, error) { return r.oidc.Mint(aud, nil) },
	}
	return attest.Run(r.t.Context(), cfg, env, opts...)
}

func read(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// files lists the files under out/, sorted.
func (r *run) files() []string {
	r.t.Helper()
	ents, err := os.ReadDir(filepath.Join(r.ws, "out"))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		r.t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		out = append(out, e.Name())
	}
	return out
}

// verifyFile checks the written .intoto.jsonl independently of attest:
// every line verifies under the fake instance's trusted root, as the
// builder of the fixture, and names the subject.
func (r *run) verifyFile(name string, subject intoto.Subject) {
	r.t.Helper()
	roots, err := verify.ReadTrustedRoots(r.trusted)
	if err != nil {
		r.t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(read(r.t, filepath.Join(r.ws, "out", name)))), "\n")
	alg, hex := subject.Digest.Preferred()
	ok := 0
	for _, l := range lines {
		res, err := verify.Bundle([]byte(l), roots[0].Trusted, alg, hex,
			verify.Identity{SAN: "https://github.com/octo-org/octo-repo/.github/workflows/release.yml@refs/tags/v1.2.3",
				Issuer: r.oidc.URL}, verify.Requirements{SignedTimestamps: true})
		if err == nil && res.SAN != "" {
			ok++
		}
	}
	if ok == 0 {
		r.t.Errorf("%s: no line verifies for %s", name, subject.Name)
	}
}

func TestRun_signsVerifiesAndWrites(t *testing.T) {
	t.Parallel()
	for _, version := range []string{"v1", "v0.2"} {
		t.Run(version, func(t *testing.T) {
			t.Parallel()
			r := newRun(t, "tag_push", nil)
			res, err := r.attest(map[string]string{"predicate-version": version})
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			if got, want := r.files(), []string{"multiple.intoto.jsonl", "multiple.sigstore.json"}; !slices.Equal(got, want) {
				t.Errorf("files %v, want %v", got, want)
			}
			if len(res.Bundles) != 1 || len(res.Subjects) != 2 || res.ProvenancePath != "out/multiple.intoto.jsonl" {
				t.Fatalf("result: %d bundles, %d subjects, provenance %q", len(res.Bundles), len(res.Subjects), res.ProvenancePath)
			}
			if res.Bundles[0].LogIndex != -1 || res.Bundles[0].LogURL != "" {
				t.Errorf("log entry %d %q on an instance without a log", res.Bundles[0].LogIndex, res.Bundles[0].LogURL)
			}
			if want := "https://slsa.dev/provenance/" + strings.TrimSuffix(version, ".0"); res.PredicateType != want {
				t.Errorf("predicate type %q, want %q", res.PredicateType, want)
			}
			for _, s := range res.Subjects {
				r.verifyFile("multiple.intoto.jsonl", s)
			}
			if got := r.sig.Requests(fakesigstore.SigningCertPath); got != 1 {
				t.Errorf("%d certificate requests, want 1", got)
			}
			kinds := []string{}
			for _, s := range res.Stored {
				kinds = append(kinds, s.Kind)
			}
			if !slices.Equal(kinds, []string{sink.KindFile, sink.KindFile}) {
				t.Errorf("stored kinds %v", kinds)
			}
		})
	}
}

func TestRun_perSubjectAndSinks(t *testing.T) {
	t.Parallel()
	r := newRun(t, "tag_push", nil)
	res, err := r.attest(map[string]string{"one-attestation-per-subject": "true", "upload-assets": "true", "github-attestations": "true"})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	want := []string{"dist_app_darwin_arm64.sigstore.json", "dist_app_linux_amd64.sigstore.json", "multiple.intoto.jsonl"}
	if got := r.files(); !slices.Equal(got, want) {
		t.Errorf("files %v, want %v", got, want)
	}
	if len(res.Bundles) != 2 {
		t.Fatalf("%d bundles, want 2", len(res.Bundles))
	}
	for _, s := range res.Subjects {
		r.verifyFile(strings.ReplaceAll(s.Name, "/", "_")+".sigstore.json", s)
	}
	if res.ReleaseID == 0 || res.AttestationID == 0 || !strings.Contains(res.AttestationURL, "/octo-org/octo-repo/attestations/") {
		t.Errorf("release %d, attestation %d %q", res.ReleaseID, res.AttestationID, res.AttestationURL)
	}
	count := map[string]int{}
	for _, s := range res.Stored {
		count[s.Kind]++
	}
	if count[sink.KindFile] != 3 || count[sink.KindRelease] != 3 || count[sink.KindAttestationsAPI] != 2 {
		t.Errorf("stored copies %v, want 3 files, 3 release assets, 2 attestations", count)
	}
	if got := r.gh.Requests(fakegithub.EndpointCreateAttestation); got != 2 {
		t.Errorf("%d attestations stored, want 2", got)
	}
}

// failingSink fails every delivery.
type failingSink struct{}

func (failingSink) Deliver(context.Context, *sink.Attestation) ([]sink.Stored, error) {
	return nil, errors.New("the registry is on fire")
}

func TestRun_sinkFailsAfterFilesWritten(t *testing.T) {
	t.Parallel()
	r := newRun(t, "tag_push", nil)
	res, err := r.attest(nil, attest.WithSinks(failingSink{}))
	if err == nil || !strings.Contains(err.Error(), "the registry is on fire") || !strings.Contains(err.Error(), "out/multiple.intoto.jsonl") {
		t.Fatalf("Run = %v, want the sink's error naming the written file", err)
	}
	if res == nil || len(res.Bundles) != 1 {
		t.Fatalf("result %+v, want the signed bundle reported", res)
	}
	if got := r.files(); len(got) != 2 {
		t.Errorf("files %v, want both written before delivery", got)
	}
}

func TestRun_uploadOnBranchIsANotice(t *testing.T) {
	t.Parallel()
	r := newRun(t, "branch_push", nil)
	res, err := r.attest(map[string]string{"upload-assets": "true"})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if len(res.Notices) != 1 || !strings.Contains(res.Notices[0], "refs/heads/main") {
		t.Errorf("notices %q, want one naming the branch", res.Notices)
	}
	if got := r.gh.Requests(fakegithub.EndpointCreateRelease) + r.gh.Requests(fakegithub.EndpointUploadAsset); got != 0 {
		t.Errorf("%d release requests on a branch run", got)
	}
}

// TestRun_nothingWrittenWhenATargetDiffers is the all-or-nothing rule: a
// differing .sigstore.json already there must not leave a new .intoto.jsonl.
func TestRun_nothingWrittenWhenATargetDiffers(t *testing.T) {
	t.Parallel()
	r := newRun(t, "tag_push", nil)
	r.write("out/multiple.sigstore.json", "someone else's bundle\n")
	_, err := r.attest(nil)
	if err == nil || !strings.Contains(err.Error(), "overwrite-files") {
		t.Fatalf("Run = %v, want a refusal naming overwrite-files", err)
	}
	if got := r.files(); !slices.Equal(got, []string{"multiple.sigstore.json"}) {
		t.Errorf("files %v, want only the one that was there", got)
	}
}

// TestRun_inProcessSigner signs with the in-process signer of the same
// instance: the bundle verifies and is written.
func TestRun_inProcessSigner(t *testing.T) {
	t.Parallel()
	r := newRun(t, "tag_push", nil)
	tok, err := r.oidc.Mint("sigstore", nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := r.attest(nil, attest.WithSigner(r.sig.Sigstore.Signer(tok)))
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if got := r.sig.Requests(fakesigstore.SigningCertPath); got != 0 {
		t.Errorf("%d certificate requests over HTTP, want none", got)
	}
	r.verifyFile("multiple.intoto.jsonl", res.Subjects[0])
}

// TestRun_untrustedSignerRefused swaps in a signer whose bundles chain to
// another instance: self-verification must refuse them and write nothing.
func TestRun_untrustedSignerRefused(t *testing.T) {
	t.Parallel()
	r := newRun(t, "tag_push", nil)
	other := fakesigstore.NewTestServer(t)
	tok, err := r.oidc.Mint("sigstore", nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = r.attest(nil, attest.WithSigner(other.Signer(tok)))
	if err == nil || !strings.Contains(err.Error(), "did not verify") {
		t.Fatalf("Run = %v, want a verification refusal", err)
	}
	if got := r.files(); len(got) != 0 {
		t.Errorf("files %v written from an unverified bundle", got)
	}
}
