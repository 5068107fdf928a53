package workflowtest

import (
	"bytes"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"go.yaml.in/yaml/v3"

	"github.com/provenant/provenant/internal/image"
)

// releaseRepo is a throwaway "GitHub": a bare origin and a clone of it
// holding provenant's action.yml on main, as the release workflow's
// checkout has it.
type releaseRepo struct {
	t           *testing.T
	origin, dir string
	env         []string
}

func newReleaseRepo(t *testing.T) *releaseRepo {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	tmp := t.TempDir()
	r := &releaseRepo{t: t, origin: filepath.Join(tmp, "origin.git"), dir: filepath.Join(tmp, "work"),
		env: append(os.Environ(), "HOME="+tmp, "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null",
			"GIT_AUTHOR_NAME=test", "GIT_AUTHOR_EMAIL=test@example.com",
			"GIT_COMMITTER_NAME=test", "GIT_COMMITTER_EMAIL=test@example.com")}
	r.git(tmp, "init", "-q", "--bare", "-b", "main", r.origin)
	r.git(tmp, "init", "-q", "-b", "main", r.dir)
	b, err := os.ReadFile(filepath.Join(root, "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(r.dir, "action.yml"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	r.git(r.dir, "add", "action.yml")
	r.git(r.dir, "commit", "-q", "-m", "main")
	r.git(r.dir, "remote", "add", "origin", r.origin)
	r.git(r.dir, "push", "-q", "origin", "main")
	return r
}

func (r *releaseRepo) git(dir string, args ...string) string {
	r.t.Helper()
	cmd := exec.CommandContext(r.t.Context(), "git", args...)
	cmd.Dir, cmd.Env = dir, r.env
	out, err := cmd.CombinedOutput()
	if err != nil {
		r.t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// script runs scripts/release-tag.sh as the release workflow does, from a
// checkout of main.
func (r *releaseRepo) script(sub string, env ...string) (string, error) {
	r.t.Helper()
	r.git(r.dir, "fetch", "-q", "origin", "main")
	r.git(r.dir, "reset", "-q", "--hard", "origin/main")
	script, err := filepath.Abs(filepath.Join(root, "scripts", "release-tag.sh"))
	if err != nil {
		r.t.Fatal(err)
	}
	cmd := exec.CommandContext(r.t.Context(), "bash", script, sub)
	cmd.Dir, cmd.Env = r.dir, append(append([]string{}, r.env...), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	if err != nil {
		return stderr.String(), err
	}
	return strings.TrimSpace(stdout.String()), nil
}

// resolve is what a runner does for `uses: provenant/provenant@<ref>`:
// read action.yml at that ref of the repository, and take runs.image.
func (r *releaseRepo) resolve(ref string) string {
	r.t.Helper()
	var a struct {
		Runs struct {
			Image string `yaml:"image"`
		} `yaml:"runs"`
	}
	if err := yaml.Unmarshal([]byte(r.git(r.origin, "show", ref+":action.yml")), &a); err != nil {
		r.t.Fatalf("action.yml at %s: %v", ref, err)
	}
	return a.Runs.Image
}

// pushImage pushes a random multi-platform index with credentials to a
// registry that serves reads anonymously (a public package) and returns
// the image name and digest.
func pushImage(t *testing.T) (string, string) {
	t.Helper()
	reg := registry.New(registry.Logger(log.New(io.Discard, "", 0)))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		read := r.Method == http.MethodGet || r.Method == http.MethodHead
		if u, p, ok := r.BasicAuth(); (ok && u == "bot" && p == "pw") || read {
			reg.ServeHTTP(w, r)
			return
		}
		w.Header().Set("WWW-Authenticate", `Basic realm="test"`)
		http.Error(w, "authentication required", http.StatusUnauthorized)
	}))
	t.Cleanup(srv.Close)
	idx, err := random.Index(1024, 1, 2)
	if err != nil {
		t.Fatal(err)
	}
	img := strings.TrimPrefix(srv.URL, "http://") + "/provenant/provenant"
	ref, err := name.ParseReference(img + ":release")
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.WriteIndex(ref, idx, remote.WithAuth(&authn.Basic{Username: "bot", Password: "pw"})); err != nil {
		t.Fatal(err)
	}
	d, err := idx.Digest()
	if err != nil {
		t.Fatal(err)
	}
	return img, d.String()
}

// TestReleaseTags: a release tag runs the image it was released with, the
// major tag follows the newest release of its major, and main keeps
// `image: Dockerfile`. The git side runs scripts/release-tag.sh, the
// script release.yml runs; the image is pulled back anonymously, as
// pullcheck does in the workflow.
func TestReleaseTags(t *testing.T) {
	t.Parallel()
	r := newReleaseRepo(t)
	img, digest := pushImage(t)
	release := func(version string) string {
		t.Helper()
		sha, err := r.script("pin", "VERSION="+version, "IMAGE="+img, "DIGEST="+digest)
		if err != nil {
			t.Fatalf("pin %s: %v\n%s", version, err, sha)
		}
		return sha
	}
	major := func(version string) string {
		t.Helper()
		out, err := r.script("major", "VERSION="+version)
		if err != nil {
			t.Fatalf("major %s: %v\n%s", version, err, out)
		}
		return out
	}

	sha := release("v1.2.3")
	want := "docker://" + img + "@" + digest
	if got := r.resolve("v1.2.3"); got != want {
		t.Errorf("provenant/provenant@v1.2.3 runs %q, want %q", got, want)
	}
	if got := r.git(r.origin, "rev-parse", "v1.2.3^{commit}"); got != sha {
		t.Errorf("v1.2.3 is %s, the script printed %s", got, sha)
	}
	if got := r.resolve("main"); got != "Dockerfile" {
		t.Errorf("main runs %q, want Dockerfile: only the tag is pinned", got)
	}
	d, err := name.NewDigest(strings.TrimPrefix(r.resolve("v1.2.3"), "docker://"))
	if err != nil {
		t.Fatal(err)
	}
	if err := image.PullAnonymously(t.Context(), d); err != nil {
		t.Errorf("the pinned image cannot be pulled anonymously: %v", err)
	}

	if out := major("v1.2.3"); !strings.HasPrefix(out, "moved v1 to v1.2.3") {
		t.Errorf("major v1.2.3 said %q", out)
	}
	if got := r.resolve("v1"); got != want {
		t.Errorf("provenant/provenant@v1 runs %q, want %q", got, want)
	}

	newer := release("v1.3.0")
	major("v1.3.0")
	release("v1.2.4") // a patch of an older minor
	if out := major("v1.2.4"); !strings.Contains(out, "left v1 alone: v1.3.0 is newer") {
		t.Errorf("major v1.2.4 said %q", out)
	}
	if got := r.git(r.origin, "rev-parse", "v1^{commit}"); got != newer {
		t.Errorf("v1 is %s, want v1.3.0's %s", got, newer)
	}
	release("v2.0.0")
	major("v2.0.0")
	if v1, v2 := r.git(r.origin, "rev-parse", "v1^{commit}"), r.git(r.origin, "rev-parse", "v2^{commit}"); v1 != newer || v2 == newer {
		t.Errorf("after v2.0.0: v1 = %s (want %s), v2 = %s", v1, newer, v2)
	}
}

func TestReleaseTags_refusals(t *testing.T) {
	t.Parallel()
	r := newReleaseRepo(t)
	img, digest := pushImage(t)
	if out, err := r.script("pin", "VERSION=v1.0.0", "IMAGE="+img, "DIGEST="+digest); err != nil {
		t.Fatalf("pin: %v\n%s", err, out)
	}
	cases := []struct {
		name, sub string
		env       []string
		wantErr   string
	}{
		{"tag_exists", "pin", []string{"VERSION=v1.0.0", "IMAGE=" + img, "DIGEST=" + digest}, "exists already"},
		{"bad_version", "pin", []string{"VERSION=1.0.1", "IMAGE=" + img, "DIGEST=" + digest}, "VERSION must look like"},
		{"no_digest", "pin", []string{"VERSION=v1.0.1", "IMAGE=" + img, "DIGEST="}, "DIGEST must be"},
		{"tagged_image", "pin", []string{"VERSION=v1.0.1", "IMAGE=" + img + ":v1", "DIGEST=" + digest}, "IMAGE must be"},
		{"major_of_missing_release", "major", []string{"VERSION=v3.0.0"}, "has no tag"},
	}
	for _, tc := range cases {
		out, err := r.script(tc.sub, tc.env...)
		if err == nil || !strings.Contains(out, tc.wantErr) {
			t.Errorf("%s: err = %v, output %q; want a refusal containing %q", tc.name, err, out, tc.wantErr)
		}
	}
	if got := r.git(r.origin, "tag", "--list"); got != "v1.0.0" {
		t.Errorf("tags after the refusals: %q, want only v1.0.0", got)
	}
}

// TestReleaseWorkflowRunsTheTestedCode: release.yml does its git and
// registry checks with the very script and command tested here, checks
// the image before tagging, and moves the major tag only after the
// provenance job.
func TestReleaseWorkflowRunsTheTestedCode(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile(filepath.Join(root, ".github", "workflows", "release.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var w struct {
		Jobs map[string]struct {
			Needs any    `yaml:"needs"`
			Steps []step `yaml:"steps"`
		} `yaml:"jobs"`
	}
	if err := yaml.Unmarshal(b, &w); err != nil {
		t.Fatal(err)
	}
	runs := func(job string) string {
		var s []string
		for _, st := range w.Jobs[job].Steps {
			s = append(s, st.Run)
		}
		return strings.Join(s, "\n")
	}
	want := map[string]string{
		"build": "go run ./internal/image/cmd/pullcheck",
		"tag":   "bash scripts/release-tag.sh pin",
		"major": "bash scripts/release-tag.sh major",
	}
	for job, cmd := range want {
		if !strings.Contains(runs(job), cmd) {
			t.Errorf("release.yml: job %s does not run %q", job, cmd)
		}
	}
	if b := runs("build"); strings.Index(b, "make -s image") > strings.Index(b, "pullcheck") {
		t.Errorf("release.yml: the build job checks the image before pushing it")
	}
	needs, _ := w.Jobs["major"].Needs.([]any)
	found := false
	for _, n := range needs {
		found = found || n == "provenance"
	}
	if !found {
		t.Errorf("release.yml: job major needs %v, want it to wait for provenance", w.Jobs["major"].Needs)
	}
}
