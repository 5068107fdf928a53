package attest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/provenant/provenant/internal/action"
	"github.com/provenant/provenant/internal/attest"
	"github.com/provenant/provenant/internal/config"
	"github.com/provenant/provenant/internal/signing"
	"github.com/provenant/provenant/internal/testing/fakesigstore"
	"github.com/provenant/provenant/internal/testing/faketuf"
	"github.com/provenant/provenant/internal/testing/faultproxy"
)

var update = flag.Bool("update", false, "rewrite the whole-run section of RELIABILITY.md")

// runFaults are injected in front of one service of a whole run. Stalls
// are left to the per-service matrix (internal/testing/faultproxy): a
// whole run waits out each service's production timeout, 30 seconds.
var runFaults = []faultproxy.Fault{
	faultproxy.Status(http.StatusInternalServerError), faultproxy.Status(http.StatusServiceUnavailable),
	faultproxy.TooManyRequests(time.Second), faultproxy.Reset(), faultproxy.Truncate(),
}

// faultyService is one service a whole run reaches; wire points the run
// at the proxy in front of it.
type faultyService struct {
	name string
	// method and path select the requests that get the fault.
	method, path string
	// delivery says a failure comes after the files are written.
	delivery bool
	// claims are added to the token's.
	claims map[string]any
	wire   func(t *testing.T, r *run) wiring
}

// wiring is how a run reaches a service through the proxy.
type wiring struct {
	proxy *faultproxy.Proxy
	// env adjusts the run's environment, extra its inputs, opts its
	// options.
	env   func(*attest.Environment)
	extra map[string]string
	opts  []attest.Option
	// registry, when set, is where the attestation is attached.
	registry *registryCheck
}

var faultyServices = []faultyService{
	{name: "GitHub OIDC token endpoint", method: http.MethodGet, path: "/token", wire: wireToken},
	{name: "TUF repository", method: http.MethodGet, path: "/", claims: map[string]any{"repository_visibility": "private"}, wire: wireTUF},
	{name: "Fulcio", method: http.MethodPost, path: fakesigstore.SigningCertPath, wire: wireSigstore},
	{name: "TSA", method: http.MethodPost, path: fakesigstore.TimestampPath, wire: wireSigstore},
	{name: "GitHub REST API (release assets)", path: "/", delivery: true, wire: wireGitHub(map[string]string{"upload-assets": "true"})},
	{name: "registry, referrers API", path: "/v2/", delivery: true, wire: wireRegistry(true)},
	{name: "registry, fallback tag", path: "/v2/", delivery: true, wire: wireRegistry(false)},
	{name: "GitHub REST API (attestations)", path: "/", delivery: true, wire: wireGitHub(map[string]string{"github-attestations": "true"})},
}

// wireToken fetches the token as the action does, through the proxy in
// front of the Actions token endpoint.
func wireToken(t *testing.T, r *run) wiring {
	p := faultproxy.New(t, r.oidc.URL)
	getenv := map[string]string{
		"ACTIONS_ID_TOKEN_REQUEST_URL":   p.URL + strings.TrimPrefix(r.oidc.TokenRequestURL(), r.oidc.URL),
		"ACTIONS_ID_TOKEN_REQUEST_TOKEN": "test-request-token",
	}
	e, err := action.New(action.WithGetenv(func(k string) string { return getenv[k] }), action.WithWriter(io.Discard))
	if err != nil {
		t.Fatal(err)
	}
	return wiring{proxy: p, env: func(env *attest.Environment) { env.Token = e.Token }}
}

// wireTUF takes GitHub's instance's trusted root from a TUF repository
// behind the proxy.
func wireTUF(t *testing.T, r *run) wiring {
	repo := faketuf.NewTestServer(t, map[string][]byte{"trusted_root.json": rootJSON(t, r.sig)})
	p := faultproxy.New(t, repo.URL)
	delete(r.inputs, "trusted-root")
	opt := attest.WithInstanceOptions(
		signing.WithTUF(signing.GitHub, signing.TUFRepository{BaseURL: p.URL, Root: repo.InitialRoot()}),
		signing.WithSigningConfig(signing.GitHub, configJSON(t, r.sig)))
	return wiring{proxy: p, extra: map[string]string{"sigstore": signing.Auto}, opts: []attest.Option{opt}}
}

// wireSigstore signs through the proxy in front of Fulcio and the TSA.
func wireSigstore(t *testing.T, r *run) wiring {
	p := faultproxy.New(t, r.sig.URL)
	sc, err := r.sig.SigningConfigJSON(p.URL, p.URL+fakesigstore.TimestampPath)
	if err != nil {
		t.Fatal(err)
	}
	r.write("sigstore/signing_config.json", string(sc))
	return wiring{proxy: p}
}

// wireGitHub delivers through the proxy in front of the GitHub REST API.
func wireGitHub(extra map[string]string) func(t *testing.T, r *run) wiring {
	return func(t *testing.T, r *run) wiring {
		p := faultproxy.New(t, r.gh.URL)
		api := p.URL + strings.TrimPrefix(r.gh.APIURL, r.gh.URL)
		return wiring{proxy: p, env: func(env *attest.Environment) { env.APIURL = api }, extra: extra}
	}
}

// wireRegistry attests an image in an in-process registry (ggcr's, with
// or without the referrers API) and attaches the attestation to it
// through the proxy.
func wireRegistry(referrers bool) func(t *testing.T, r *run) wiring {
	return func(t *testing.T, r *run) wiring {
		srv := httptest.NewServer(registry.New(registry.WithReferrersSupport(referrers), registry.Logger(log.New(io.Discard, "", 0))))
		t.Cleanup(srv.Close)
		img, err := random.Image(64, 1)
		if err != nil {
			t.Fatal(err)
		}
		h, err := img.Digest()
		if err != nil {
			t.Fatal(err)
		}
		direct, err := name.ParseReference(strings.TrimPrefix(srv.URL, "http://") + "/octo-org/app:latest")
		if err != nil {
			t.Fatal(err)
		}
		if err := remote.Write(direct, img); err != nil {
			t.Fatal(err)
		}
		p := faultproxy.New(t, srv.URL)
		delete(r.inputs, "subject-path")
		return wiring{proxy: p, registry: &registryCheck{repo: direct.Context(), digest: h},
			extra: map[string]string{"image": strings.TrimPrefix(p.URL, "http://") + "/octo-org/app@" + h.String(), "push-to-registry": "true"}}
	}
}

// TestRun_faults runs the whole attest pipeline (token, TUF, Fulcio, TSA,
// files, release assets or the attestations API) with one service
// faulty at a time, once (transient) and on every request (persistent).
// A transient fault must not fail the run. A persistent one must fail it
// with a message naming the service's address (and the status), leave no
// file when it comes before the files are written, and otherwise leave
// the written files whole, no half-uploaded asset and no stored
// attestation other than the verified bundles written. The outcomes make
// a table in RELIABILITY.md, which -update rewrites.
func TestRun_faults(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	got := map[string][2]string{}
	t.Run("matrix", func(t *testing.T) {
		for _, svc := range faultyServices {
			for _, f := range runFaults {
				t.Run(slug(svc.name)+"/"+slug(f.String()), func(t *testing.T) {
					t.Parallel()
					o := [2]string{runWithFault(t, svc, f, 1), runWithFault(t, svc, f, 0)}
					mu.Lock()
					got[svc.name+"|"+f.String()] = o
					mu.Unlock()
				})
			}
		}
	})
	if t.Failed() {
		return
	}
	checkSection(t, runTable(got))
}

// runWithFault runs attest with f on svc, times times (0: every request),
// checks the outcome and returns it for the table.
func runWithFault(t *testing.T, svc faultyService, f faultproxy.Fault, times int) string {
	t.Helper()
	r := newRun(t, "tag_push", svc.claims)
	w := svc.wire(t, r)
	p := w.proxy
	p.Inject(faultproxy.Rule{Method: svc.method, Path: svc.path, Fault: f, Times: times})
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	res, err := r.attestEnv(ctx, w.extra, w.env, w.opts...)
	if p.Faults() == 0 {
		t.Fatalf("%s: no request to %s got the fault", f, svc.name)
	}
	if times > 0 {
		if err != nil {
			t.Fatalf("transient %s: %v", f, err)
		}
		for _, s := range res.Subjects {
			r.verifyFile(res.ProvenanceName, s)
		}
		r.checkDelivered(w.registry)
		return "succeeds"
	}
	if err == nil {
		t.Fatalf("persistent %s: the run succeeded", f)
	}
	msg := err.Error()
	host := strings.TrimPrefix(p.URL, "http://")
	if !strings.Contains(msg, host) {
		t.Errorf("persistent %s: the message does not name %s: %v", f, host, err)
	}
	out := "fails; names URL"
	if code := strings.Fields(f.String())[0]; isNumber(code) {
		if !strings.Contains(msg, code) {
			t.Errorf("persistent %s: the message does not name the status: %v", f, err)
		}
		out += " and status"
	}
	if !svc.delivery {
		if files := r.files(); len(files) != 0 {
			t.Errorf("persistent %s: files written before the failure: %v", f, files)
		}
		return out + "; no file"
	}
	if !strings.Contains(msg, "files were written") {
		t.Errorf("persistent %s: the message does not say the files were written: %v", f, err)
	}
	if res == nil || len(res.Subjects) == 0 {
		t.Fatalf("persistent %s: no result after the files were written", f)
	}
	for _, s := range res.Subjects {
		r.verifyFile(res.ProvenanceName, s)
	}
	r.checkDelivered(w.registry)
	return out + "; files kept, nothing half-stored"
}

func isNumber(s string) bool { _, err := strconv.Atoi(s); return err == nil }

// attestEnv is attest with the environment adjusted by envf.
func (r *run) attestEnv(ctx context.Context, extra map[string]string, envf func(*attest.Environment), opts ...attest.Option) (*attest.Result, error) {
	r.t.Helper()
	in := maps.Clone(r.inputs)
	maps.Copy(in, extra)
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
	if envf != nil {
		envf(&env)
	}
	return attest.Run(ctx, cfg, env, opts...)
}

// checkDelivered checks what reached the fake GitHub: every release asset
// completely uploaded and equal to the file of that name, and every
// stored attestation one of the written, verified bundles.
func (r *run) checkDelivered(reg *registryCheck) {
	r.t.Helper()
	written := r.writtenBundles()
	for _, rel := range r.gh.Releases("octo-org", "octo-repo") {
		for _, a := range rel.Assets {
			if a.State != "uploaded" {
				r.t.Errorf("asset %s left in state %q", a.Name, a.State)
				continue
			}
			want, err := os.ReadFile(filepath.Join(r.ws, "out", a.Name))
			if err != nil || !bytes.Equal(a.Data, want) {
				r.t.Errorf("asset %s differs from the written file (%v)", a.Name, err)
			}
		}
	}
	if reg != nil {
		reg.check(r.t, written)
	}
	for _, at := range r.gh.Attestations("octo-org", "octo-repo") {
		if !slices.ContainsFunc(written, func(b []byte) bool { return jsonEqual(b, at.Bundle) }) {
			r.t.Errorf("attestation %d stored that is not a written, verified bundle", at.ID)
		}
	}
}

// writtenBundles are the bundles of the written .intoto.jsonl files.
func (r *run) writtenBundles() [][]byte {
	var out [][]byte
	for name, b := range r.written() {
		if strings.HasSuffix(name, ".intoto.jsonl") {
			out = append(out, bytes.Split(bytes.TrimSpace(b), []byte("\n"))...)
		}
	}
	return out
}

func slug(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return '_'
	}, s)
}

// runHeading starts the section of RELIABILITY.md this test writes.
const runHeading = "## Faults across a whole run\n"

func runTable(got map[string][2]string) string {
	var b strings.Builder
	b.WriteString(runHeading + "\n")
	b.WriteString("Generated by `go test ./internal/attest -run TestRun_faults -update`; the\n")
	b.WriteString("test fails when this table is stale. The whole `attest` pipeline runs in\n")
	b.WriteString("process (token, TUF, Fulcio, TSA, files, then release assets, the\n")
	b.WriteString("attestations API or a registry) with a fault on one service, once\n")
	b.WriteString("(transient) or on every request (persistent), with the production retry\n")
	b.WriteString("settings. \"No file\" means nothing was written; when delivery fails, the\n")
	b.WriteString("written files are whole and verify, every asset on the release is\n")
	b.WriteString("complete and equal to its file, every attestation stored is one of the\n")
	b.WriteString("verified bundles written, and every referrer of the image (referrers API\n")
	b.WriteString("or fallback index) exists and holds one of them.\n\n")
	b.WriteString("| Service | Fault | Transient | Persistent |\n|---|---|---|---|\n")
	for _, svc := range faultyServices {
		for _, f := range runFaults {
			o := got[svc.name+"|"+f.String()]
			fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", svc.name, f, o[0], o[1])
		}
	}
	return b.String()
}

// checkSection compares, or with -update writes, the section.
func checkSection(t *testing.T, want string) {
	t.Helper()
	path := filepath.Join("..", "..", "RELIABILITY.md")
	doc, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	before, section, after := cutSection(string(doc), runHeading)
	if after != "" {
		want += "\n" // the blank line before the next section
	}
	if *update {
		if err := os.WriteFile(path, []byte(before+want+after), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if section != want {
		t.Errorf("the whole-run fault section of RELIABILITY.md is stale; run go test ./internal/attest -run TestRun_faults -update")
	}
}

// cutSection cuts doc around the section starting with heading, which
// runs to the next "## " heading or the end; a missing section goes at
// the end.
func cutSection(doc, heading string) (before, section, after string) {
	i := strings.Index(doc, heading)
	if i < 0 {
		if !strings.HasSuffix(doc, "\n\n") {
			doc += "\n"
		}
		return doc, "", ""
	}
	rest := doc[i:]
	j := strings.Index(rest[len(heading):], "\n## ")
	if j < 0 {
		return doc[:i], rest, ""
	}
	end := len(heading) + j + 1
	return doc[:i], rest[:end], rest[end:]
}

// jsonEqual compares two JSON documents by value.
func jsonEqual(a, b []byte) bool {
	var x, y any
	return json.Unmarshal(a, &x) == nil && json.Unmarshal(b, &y) == nil && reflect.DeepEqual(x, y)
}

// registryCheck is what a run attached its attestation to, read back
// directly, not through the proxy.
type registryCheck struct {
	repo   name.Repository
	digest v1.Hash
}

// check fails when the image's referrers (from the referrers API or the
// fallback tag) list a manifest the registry does not have, or one whose
// layer is not a written, verified bundle.
func (c *registryCheck) check(t *testing.T, written [][]byte) {
	t.Helper()
	idx, err := remote.Referrers(c.repo.Digest(c.digest.String()))
	if err != nil {
		t.Errorf("reading the referrers of %s: %v", c.digest, err)
		return
	}
	im, err := idx.IndexManifest()
	if err != nil {
		t.Fatalf("the referrers index is unreadable: %v", err)
	}
	for _, d := range im.Manifests {
		img, err := remote.Image(c.repo.Digest(d.Digest.String()))
		if err != nil {
			t.Errorf("the referrers list %s, which is missing: %v", d.Digest, err)
			continue
		}
		layers, err := img.Layers()
		if err != nil || len(layers) == 0 {
			t.Errorf("referrer %s has no layer: %v", d.Digest, err)
			continue
		}
		rc, err := layers[0].Uncompressed()
		if err != nil {
			t.Errorf("referrer %s: %v", d.Digest, err)
			continue
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil || !slices.ContainsFunc(written, func(w []byte) bool { return jsonEqual(w, b) }) {
			t.Errorf("referrer %s holds a bundle that is not a written, verified one (%v)", d.Digest, err)
		}
	}
}
