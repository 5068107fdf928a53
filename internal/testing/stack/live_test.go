package stack

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sigstore/sigstore-go/pkg/root"
)

// liveModes are make e2e's three modes, and both Rekor versions at once,
// which puts the TSA and rekor-server v1 in one namespace (both want :2112).
var liveModes = []string{
	"--rekor v1 --ct --no-tsa",
	"--rekor v2 --ct --tsa --registry",
	"--rekor none --no-ct --tsa",
	"--rekor both --no-ct --tsa --registry",
}

// TestStack_live starts each mode's real services, signs nothing, and checks
// that every service answers, that the trusted root and signing config
// describe exactly what runs, and that Stop leaves nothing behind. It skips
// when the services are not installed (scripts/install-tools.sh), unless
// STACK_REQUIRE=1.
func TestStack_live(t *testing.T) {
	if testing.Short() {
		t.Skip("the live stack does not run with -short")
	}
	for _, mode := range liveModes {
		t.Run(modeName(mode), func(t *testing.T) {
			cfg, err := ParseArgs(strings.Fields(mode))
			must(t, err)
			if err := MissingTools(cfg, toolsDir); err != nil {
				if os.Getenv("STACK_REQUIRE") == "1" {
					t.Fatal(err)
				}
				t.Skip(err)
			}
			cfg.ToolsDir = toolsDir
			cfg.Logf = t.Logf
			start := time.Now()
			st, err := Start(t.Context(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("up in %v", time.Since(start).Round(10*time.Millisecond))
			procs := st.procs
			checkServices(t, st)
			checkTrust(t, st)
			checkEnv(t, st)
			st.Stop()
			checkStopped(t, st, procs)
		})
	}
}

// modeName turns "--rekor v1 --ct --no-tsa" into "rekor-v1_ct_no-tsa".
func modeName(mode string) string {
	return strings.ReplaceAll(strings.ReplaceAll(strings.TrimPrefix(mode, "--"), " --", "_"), " ", "-")
}

// checkServices asks each running service the question its readiness check
// asks, and a little more.
func checkServices(t *testing.T, st *Stack) {
	t.Helper()
	ctx := t.Context()
	c := st.Config
	expectGet(t, ctx, st.Issuer+"/.well-known/openid-configuration", `"issuer":"`+st.Issuer+`"`)
	if tok := fetchToken(t, st.TokenURL, st.RequestToken); strings.Count(tok, ".") != 2 {
		t.Errorf("the fake issuer's token is not a JWT: %q", tok)
	}
	if code := tokenStatus(t, st.TokenURL, "wrong-token"); code == http.StatusOK {
		t.Error("the fake issuer gave a token for a wrong bearer value")
	}
	expectGet(t, ctx, st.FulcioURL+"/api/v1/rootCert", "BEGIN CERTIFICATE")
	expectURL(t, "CT", st.CTURL, c.CT)
	if c.CT {
		expectGet(t, ctx, st.CTURL+"/ct/v1/get-roots", "certificates")
	}
	expectURL(t, "TSA", st.TSAURL, c.TSA)
	if c.TSA {
		expectGet(t, ctx, st.TSAURL+"/certchain", "BEGIN CERTIFICATE")
	}
	expectURL(t, "Rekor v2", st.RekorV2URL, c.rekorV2())
	if c.rekorV2() {
		expectGet(t, ctx, st.RekorV2URL+"/healthz", "SERVING")
	}
	expectURL(t, "Rekor v1", st.RekorV1URL, c.rekorV1())
	if c.rekorV1() {
		expectGet(t, ctx, st.RekorV1URL+"/api/v1/log", "treeSize")
	}
	expectURL(t, "registry", st.Registry, c.Registry)
	if c.Registry {
		checkRegistries(t, st)
	}
}

func expectURL(t *testing.T, what, url string, running bool) {
	t.Helper()
	if (url != "") != running {
		t.Errorf("%s URL = %q with the service running: %t", what, url, running)
	}
}

func expectGet(t *testing.T, ctx context.Context, url, want string) {
	t.Helper()
	body, err := get(ctx, url)
	if err != nil {
		t.Error(err)
		return
	}
	if !strings.Contains(string(body), want) {
		t.Errorf("GET %s lacks %q: %.300s", url, want, body)
	}
}

// fetchToken asks the token endpoint as a GitHub client does: the URL ends
// in ?api-version=2.0 and the audience is appended.
func fetchToken(t *testing.T, tokenURL, bearer string) string {
	t.Helper()
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, tokenURL+"&audience=sigstore", nil)
	req.Header.Set("Authorization", "Bearer "+bearer)
	resp, err := httpClient.Do(req)
	must(t, err)
	defer resp.Body.Close()
	var v struct{ Value string }
	if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&v) != nil {
		t.Fatalf("token endpoint: HTTP %d", resp.StatusCode)
	}
	return v.Value
}

func tokenStatus(t *testing.T, tokenURL, bearer string) int {
	t.Helper()
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, tokenURL+"&audience=sigstore", nil)
	req.Header.Set("Authorization", "Bearer "+bearer)
	resp, err := httpClient.Do(req)
	must(t, err)
	resp.Body.Close()
	return resp.StatusCode
}

// checkRegistries: docker-registry 2.8.2 has no referrers API (plain 404);
// go-containerregistry's registry lists a manifest that names a subject.
func checkRegistries(t *testing.T, st *Stack) {
	t.Helper()
	expectGet(t, t.Context(), "http://"+st.Registry+"/v2/", "")
	zero := "sha256:" + strings.Repeat("0", 64)
	if _, err := get(t.Context(), "http://"+st.Registry+"/v2/smoke/referrers/"+zero); err == nil || !strings.Contains(err.Error(), "HTTP 404") {
		t.Errorf("docker-registry's referrers API: %v, want HTTP 404", err)
	}
	empty := `{"mediaType":"application/vnd.oci.empty.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2}`
	image := `{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":` + empty + `,"layers":[]}`
	subject := putManifest(t, st.RegistryReferrers, image)
	referrer := putManifest(t, st.RegistryReferrers, fmt.Sprintf(`{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",`+
		`"artifactType":"application/vnd.dev.sigstore.bundle.v0.3+json","config":%s,"layers":[],`+
		`"subject":{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"%s","size":%d}}`, empty, subject, len(image)))
	body, err := get(t.Context(), "http://"+st.RegistryReferrers+"/v2/smoke/referrers/"+subject)
	must(t, err)
	var index struct {
		Manifests []struct{ Digest, ArtifactType string }
	}
	must(t, json.Unmarshal(body, &index))
	if len(index.Manifests) != 1 || index.Manifests[0].Digest != referrer ||
		index.Manifests[0].ArtifactType != "application/vnd.dev.sigstore.bundle.v0.3+json" {
		t.Errorf("referrers of %s = %s, want only %s", subject, body, referrer)
	}
}

// putManifest pushes an image manifest by digest and returns the digest.
// go-containerregistry's registry does not check that blobs exist.
func putManifest(t *testing.T, registry, manifest string) string {
	t.Helper()
	sum := sha256.Sum256([]byte(manifest))
	digest := "sha256:" + hex.EncodeToString(sum[:])
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPut, "http://"+registry+"/v2/smoke/manifests/"+digest,
		bytes.NewReader([]byte(manifest)))
	req.Header.Set("Content-Type", "application/vnd.oci.image.manifest.v1+json")
	resp, err := httpClient.Do(req)
	must(t, err)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("PUT manifest %s: HTTP %d", digest, resp.StatusCode)
	}
	return digest
}

// checkTrust parses the files with sigstore-go and compares them with the
// services.
func checkTrust(t *testing.T, st *Stack) {
	t.Helper()
	c := st.Config
	tr, err := root.NewTrustedRootFromPath(st.TrustedRoot)
	if err != nil {
		t.Fatalf("sigstore-go refuses the trusted root: %v", err)
	}
	wantLogs := 0
	for _, on := range []bool{c.rekorV1(), c.rekorV2()} {
		if on {
			wantLogs++
		}
	}
	counts := map[string][2]int{
		"tlogs":  {wantLogs, len(tr.RekorLogs())},
		"ctlogs": {map[bool]int{true: 1}[c.CT], len(tr.CTLogs())},
		"CAs":    {1, len(tr.FulcioCertificateAuthorities())},
		"TSAs":   {map[bool]int{true: 1}[c.TSA], len(tr.TimestampingAuthorities())},
	}
	for what, n := range counts {
		if n[0] != n[1] {
			t.Errorf("the trusted root lists %d %s, want %d", n[1], what, n[0])
		}
	}
	for _, p := range []string{st.TrustedRootJSONL, st.TrustedRootNoTlogJSONL} {
		b, err := os.ReadFile(p)
		must(t, err)
		if _, err := root.NewTrustedRootFromJSON(b); err != nil {
			t.Errorf("sigstore-go refuses %s: %v", filepath.Base(p), err)
		}
	}
	sc, err := root.NewSigningConfigFromPath(st.SigningConfig)
	if err != nil {
		t.Fatalf("sigstore-go refuses the signing config: %v", err)
	}
	if n := len(sc.RekorLogURLs()); n != wantLogs {
		t.Errorf("the signing config lists %d logs, want %d", n, wantLogs)
	}
}

// checkEnv checks the variables clients get.
func checkEnv(t *testing.T, st *Stack) {
	t.Helper()
	env := map[string]string{}
	for _, kv := range st.Environ([]string{"REKOR_V1_URL=stale", "KEEP=me"}) {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	want := map[string]string{"SIGSTORE_TRUSTED_ROOT": st.TrustedRoot, "SIGSTORE_SIGNING_CONFIG": st.SigningConfig,
		"ACTIONS_ID_TOKEN_REQUEST_URL": st.TokenURL, "ACTIONS_ID_TOKEN_REQUEST_TOKEN": st.RequestToken,
		"OIDC_ISSUER": st.Issuer, "STACK_REKOR": st.Config.Rekor, "REKOR_V1_URL": st.RekorV1URL,
		"HOME": filepath.Join(st.Dir, "home"), "KEEP": "me"}
	for k, v := range want {
		if got, ok := env[k]; v == "" && ok || v != "" && got != v {
			t.Errorf("%s = %q (set: %t), want %q", k, got, ok, v)
		}
	}
}

// checkStopped checks that every process is gone, every port is free and
// the work dir is removed.
func checkStopped(t *testing.T, st *Stack, procs []*proc) {
	t.Helper()
	for _, p := range procs {
		if alive(p.cmd.Process.Pid) {
			t.Errorf("%s (pid %d) outlived Stop", p.name, p.cmd.Process.Pid)
		}
	}
	for _, port := range []string{portOIDC, portFulcioHTTP, portTSA, portCT, portRekorV2HTTP, portRekorV1, portMariaDB,
		portTrillianServerRPC, portRegistry, portRegistryReferrers} {
		if conn, err := net.DialTimeout("tcp", host+":"+port, time.Second); err == nil {
			conn.Close()
			t.Errorf("port %s still answers after Stop", port)
		}
	}
	if _, err := os.Stat(st.Dir); !os.IsNotExist(err) {
		t.Errorf("the work dir %s is still there (%v)", st.Dir, err)
	}
}
