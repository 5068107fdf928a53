package e2e

import (
	"archive/tar"
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"maps"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/provenant/provenant/internal/config"
	"github.com/provenant/provenant/internal/image"
)

// The paths the runner mounts into a container action (formats.md §10).
const (
	ghWorkspace = "/github/workspace"
	ghHome      = "/github/home"
	ghEvent     = "/github/workflow/event.json"
	ghOutput    = "/github/file_commands/set_output_e2e"
	ghSummary   = "/github/file_commands/step_summary_e2e"
	// jobToken stands for ${{ github.token }}, which the runner puts in
	// INPUT_GITHUB-TOKEN because action.yml makes it the default.
	jobToken = "ghs_e2eImageJobTokenNotARealOne0000000"
)

// TestImage_runsAsTheRunnerRunsIt builds the action image with
// internal/image exactly as `make image` does, pushes it to the stack's
// registry, pulls it back, unpacks its root filesystem and runs its
// entrypoint chrooted there with only what the runner gives a container
// action. The attestation it writes must pass cosign and gh.
func TestImage_runsAsTheRunnerRunsIt(t *testing.T) {
	st := needStack(t)
	reg := registries(t)["docker-registry"]
	if os.Geteuid() != 0 {
		t.Skip("the image test runs the unpacked image with chroot(2), which needs root " +
			"(stack.Isolate maps the user to root in the namespace it runs the tests in)")
	}
	ref := buildAndPush(t, reg)

	start := time.Now()
	pulled, err := remote.Image(ref, remote.WithContext(t.Context()))
	must(t, err)
	if d, _ := pulled.Digest(); d.String() != ref.DigestStr() {
		t.Fatalf("pulled %s for %s", d, ref)
	}
	rootfs := filepath.Join(t.TempDir(), "rootfs")
	unpack(t, pulled, rootfs)
	cf, err := pulled.ConfigFile()
	must(t, err)
	t.Logf("pulled and unpacked in %s", time.Since(start).Round(time.Millisecond))

	probeChroot(t, rootfs, cf.Config)

	s := runnerStep(t, st, rootfs, cf.Config)
	s.file("dist/app_linux_amd64", "linux build for the image test\n")
	s.file("dist/app_darwin_arm64", "darwin build for the image test\n")
	start = time.Now()
	s.runInImage(rootfs, cf.Config, map[string]string{"SUBJECT-PATH": "dist/*"})
	t.Logf("provenant attest in the image: %s", time.Since(start).Round(time.Millisecond))
	b := s.expectSigned(1, 2)

	out := s.outputs()
	for _, o := range []string{"provenance-name", "bundle-path"} {
		p := out[o]
		if p == "" || filepath.IsAbs(p) || strings.Contains(p, "/github/") || !filepath.IsLocal(p) {
			t.Errorf("output %s = %q, want a path relative to the workspace", o, p)
			continue
		}
		if _, err := os.Stat(filepath.Join(s.ws, p)); err != nil {
			t.Errorf("output %s: %v", o, err)
		}
	}
	for _, where := range []string{s.stderr, string(read(t, s.output)), string(read(t, s.summary))} {
		if strings.Contains(where, jobToken) {
			t.Error("the job token from INPUT_GITHUB-TOKEN leaked")
		}
	}
	start = time.Now()
	for _, a := range []string{"dist/app_linux_amd64", "dist/app_darwin_arm64"} {
		expectVerified(t, st, versions[0], b, filepath.Join(s.ws, a), "")
	}
	t.Logf("verified by cosign and gh in %s", time.Since(start).Round(time.Millisecond))
}

// buildAndPush builds the static binary as the Dockerfile does, assembles
// the image and pushes it; it returns the digest reference.
func buildAndPush(t *testing.T, reg string) name.Digest {
	t.Helper()
	start := time.Now()
	bin := filepath.Join(t.TempDir(), "provenant")
	cmd := exec.Command("go", "build", "-trimpath",
		"-ldflags", "-s -w -X github.com/provenant/provenant/internal/cli.version=e2e-image",
		"-o", bin, "github.com/provenant/provenant/cmd/provenant")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+runtime.GOARCH)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building the static binary: %v\n%s", err, out)
	}
	t.Logf("static binary built in %s", time.Since(start).Round(time.Millisecond))

	start = time.Now()
	img, err := image.Build(image.Config{
		Binary:   read(t, bin),
		CACerts:  caBundle(t),
		Platform: v1.Platform{OS: "linux", Architecture: runtime.GOARCH},
		Version:  "e2e-image",
		Revision: sha,
	})
	must(t, err) // also enforces the size budget
	size, err := image.Measure(img)
	must(t, err)
	t.Logf("image: %d bytes compressed (%.1f MB), %d bytes uncompressed (%.1f MB), budget %.1f MB",
		size.Compressed, float64(size.Compressed)/1e6, size.Uncompressed, float64(size.Uncompressed)/1e6,
		float64(image.DefaultMaxSize)/1e6)
	tag, err := name.NewTag(reg + "/provenant/provenant:e2e")
	must(t, err)
	d, err := image.Push(t.Context(), tag, img)
	must(t, err)
	t.Logf("built and pushed %s in %s", d, time.Since(start).Round(time.Millisecond))
	return d
}

// caBundle is the build machine's CA bundle, as `make image` uses it, or a
// generated one where the machine has none: the loopback services need no
// public CA, only the file in its place.
func caBundle(t *testing.T) []byte {
	t.Helper()
	if b, err := os.ReadFile("/etc/ssl/certs/ca-certificates.crt"); err == nil && len(b) > 0 {
		return b
	}
	t.Log("no /etc/ssl/certs/ca-certificates.crt here: using a generated CA certificate in its place")
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	must(t, err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "e2e image test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true,
		BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	must(t, err)
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

// unpack writes the image's flattened filesystem under dir.
func unpack(t *testing.T, img v1.Image, dir string) {
	t.Helper()
	rc := mutate.Extract(img)
	defer rc.Close()
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return
		}
		must(t, err)
		if !filepath.IsLocal(h.Name) {
			t.Fatalf("the image holds a path outside its root: %q", h.Name)
		}
		p := filepath.Join(dir, h.Name)
		switch h.Typeflag {
		case tar.TypeDir:
			must(t, os.MkdirAll(p, h.FileInfo().Mode().Perm()))
		case tar.TypeReg:
			must(t, os.MkdirAll(filepath.Dir(p), 0o755))
			f, err := os.OpenFile(p, os.O_CREATE|os.O_EXCL|os.O_WRONLY, h.FileInfo().Mode().Perm())
			must(t, err)
			_, err = io.Copy(f, tr)
			must(t, errors.Join(err, f.Close()))
		case tar.TypeSymlink:
			must(t, os.Symlink(h.Linkname, p))
		default:
			t.Fatalf("unexpected entry type %q for %s", h.Typeflag, h.Name)
		}
	}
}

// chrooted makes a command that runs path inside rootfs, in dir, as docker
// runs the entrypoint: the image's root, the runner's working directory.
func chrooted(rootfs, dir string, argv []string, env []string) *exec.Cmd {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = dir
	cmd.Env = env
	cmd.SysProcAttr = &syscall.SysProcAttr{Chroot: rootfs}
	return cmd
}

// probeChroot runs `provenant version` in the image; it skips the test
// where chroot is not allowed, and fails if the entrypoint cannot start.
func probeChroot(t *testing.T, rootfs string, c v1.Config) {
	t.Helper()
	cmd := chrooted(rootfs, "/", append(append([]string{}, c.Entrypoint...), "version"), c.Env)
	out, err := cmd.CombinedOutput()
	if errors.Is(err, syscall.EPERM) && cmd.ProcessState == nil {
		t.Skipf("chroot is not permitted here (%v); the image test needs CAP_SYS_CHROOT", err)
	}
	if err != nil {
		t.Fatalf("the image's entrypoint %v does not run: %v\n%s", c.Entrypoint, err, out)
	}
	if !strings.Contains(string(out), "e2e-image") {
		t.Errorf("provenant version in the image printed %q, want the stamped version", out)
	}
}

// runnerStep prepares /github/* inside the unpacked root and the
// environment the runner gives a container action; host-side paths of the
// step point into the root, so the harness's checks read what the action
// wrote there.
func runnerStep(t *testing.T, st stack, rootfs string, c v1.Config) *step {
	t.Helper()
	host := func(p string) string { return filepath.Join(rootfs, p) }
	s := &step{t: t, st: st, ws: host(ghWorkspace), home: host(ghHome), output: host(ghOutput), summary: host(ghSummary)}
	for _, d := range []string{ghWorkspace, ghHome, filepath.Dir(ghEvent), filepath.Dir(ghOutput)} {
		must(t, os.MkdirAll(host(d), 0o755))
	}
	must(t, os.WriteFile(s.output, nil, 0o644))
	must(t, os.WriteFile(s.summary, nil, 0o644))
	fixture := filepath.Join("..", "..", "testdata", "github", "tag_push")
	must(t, os.WriteFile(host(ghEvent), read(t, filepath.Join(fixture, "event.json")), 0o644))
	// The trusted root and signing config travel in the workspace: nothing
	// else of the host is visible in the container.
	must(t, os.MkdirAll(filepath.Join(s.ws, ".sigstore"), 0o755))
	must(t, os.WriteFile(filepath.Join(s.ws, ".sigstore", "signing_config.json"), read(t, st.signingConfig), 0o644))
	must(t, os.WriteFile(filepath.Join(s.ws, ".sigstore", "trusted_root.json"), read(t, st.trustedRoot), 0o644))

	s.env = map[string]string{}
	// GITHUB_*, RUNNER_* and CI from the fixture; RUNNER_TEMP keeps its host
	// value, as the runner does not mount it.
	must(t, json.Unmarshal(read(t, filepath.Join(fixture, "env.json")), &s.env))
	// Inputs with a default in action.yml are always set.
	for _, spec := range config.Attest {
		switch {
		case spec.ActionDefault == "${{ github.token }}":
			s.env["INPUT_"+strings.ToUpper(spec.Name)] = jobToken
		case spec.ActionDefault != "":
			t.Fatalf("input %s has a default expression this test does not know: %s", spec.Name, spec.ActionDefault)
		case spec.Default != "":
			s.env["INPUT_"+strings.ToUpper(spec.Name)] = spec.Default
		}
	}
	for k, v := range map[string]string{
		"HOME":                           ghHome,
		"GITHUB_WORKSPACE":               ghWorkspace,
		"GITHUB_EVENT_PATH":              ghEvent,
		"GITHUB_OUTPUT":                  ghOutput,
		"GITHUB_STEP_SUMMARY":            ghSummary,
		"ACTIONS_ID_TOKEN_REQUEST_URL":   st.tokenURL,
		"ACTIONS_ID_TOKEN_REQUEST_TOKEN": st.requestToken,
		"INPUT_SIGSTORE":                 ghWorkspace + "/.sigstore/signing_config.json",
		"INPUT_TRUSTED-ROOT":             ghWorkspace + "/.sigstore/trusted_root.json",
		"INPUT_OIDC-ISSUER":              st.issuer,
	} {
		s.env[k] = v
	}
	// The image's own environment (PATH) comes first; docker lets -e win.
	for _, kv := range c.Env {
		if k, v, ok := strings.Cut(kv, "="); ok {
			if _, set := s.env[k]; !set {
				s.env[k] = v
			}
		}
	}
	return s
}

// runInImage runs the image's entrypoint with the action's args, chrooted
// into the unpacked root, in /github/workspace, with exactly s.env plus the
// step's inputs.
func (s *step) runInImage(rootfs string, c v1.Config, inputs map[string]string) {
	s.t.Helper()
	vars := maps.Clone(s.env)
	for k, v := range inputs {
		vars["INPUT_"+strings.ToUpper(k)] = v
	}
	var env []string
	for k, v := range vars {
		env = append(env, k+"="+v)
	}
	// action.yml: runs.args is [attest], after the image's entrypoint.
	cmd := chrooted(rootfs, ghWorkspace, append(append([]string{}, c.Entrypoint...), "attest"), env)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if cmd.ProcessState == nil {
		s.t.Fatalf("starting the image's entrypoint: %v", err)
	}
	s.stdout, s.stderr, s.code = out.String(), errb.String(), cmd.ProcessState.ExitCode()
}
