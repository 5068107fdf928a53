package image

import (
	"bufio"
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// repoRoot is the module root, seen from this package's directory.
const repoRoot = "../.."

// ignoreRule is one line of .dockerignore.
type ignoreRule struct {
	pattern []string // path components; "**" matches any number of them
	negate  bool
}

func readDockerignore(t *testing.T) []ignoreRule {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot, ".dockerignore"))
	if err != nil {
		t.Fatal(err)
	}
	var rules []ignoreRule
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		l := strings.TrimSpace(sc.Text())
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		r := ignoreRule{}
		l, r.negate = strings.CutPrefix(l, "!")
		l = path.Clean(strings.TrimPrefix(l, "/"))
		r.pattern = strings.Split(l, "/")
		rules = append(rules, r)
	}
	return rules
}

// globMatch matches path components against pattern components, with
// "**" for any number of components.
func globMatch(pattern, name []string) bool {
	if len(pattern) == 0 {
		return len(name) == 0
	}
	if pattern[0] == "**" {
		for i := 0; i <= len(name); i++ {
			if globMatch(pattern[1:], name[i:]) {
				return true
			}
		}
		return false
	}
	if len(name) == 0 {
		return false
	}
	ok, err := path.Match(pattern[0], name[0])
	return err == nil && ok && globMatch(pattern[1:], name[1:])
}

// ignored applies the rules as Docker does: the last rule that matches the
// path or one of its parent directories decides.
func ignored(rules []ignoreRule, p string) bool {
	parts := strings.Split(p, "/")
	out := false
	for _, r := range rules {
		for i := 1; i <= len(parts); i++ {
			if globMatch(r.pattern, parts[:i]) {
				out = !r.negate
				break
			}
		}
	}
	return out
}

// needed lists, relative to the root, every file `go build ./cmd/provenant`
// reads: go.mod, go.sum, and the Go and embedded files of the module's own
// packages among its dependencies.
func needed(t *testing.T) map[string]bool {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), "go", "list", "-deps",
		"-f", `{{if .Module}}{{if .Module.Main}}{{$d := .Dir}}{{range .GoFiles}}{{$d}}/{{.}}{{"\n"}}{{end}}{{range .EmbedFiles}}{{$d}}/{{.}}{{"\n"}}{{end}}{{end}}{{end}}`,
		"./cmd/provenant")
	cmd.Dir = repoRoot
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	abs, err := filepath.Abs(repoRoot)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]bool{"go.mod": true, "go.sum": true}
	for _, l := range strings.Fields(string(out)) {
		rel, err := filepath.Rel(abs, l)
		if err != nil {
			t.Fatal(err)
		}
		files[filepath.ToSlash(rel)] = true
	}
	return files
}

// TestDockerignore: the build context holds every file the build reads and
// nothing else, so the runner's build of an untagged ref sends and hashes
// as little as possible.
func TestDockerignore(t *testing.T) {
	rules := readDockerignore(t)
	want := needed(t)
	for f := range want {
		if ignored(rules, f) {
			t.Errorf(".dockerignore leaves out %s, which the build needs", f)
		}
	}
	var extra []string
	err := filepath.WalkDir(repoRoot, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(repoRoot, p)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if rel == ".git" || rel == "bin" || rel == ".tools" {
				return filepath.SkipDir
			}
			return nil
		}
		if !ignored(rules, rel) && !want[rel] {
			extra = append(extra, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(extra)
	for _, f := range extra {
		// Tests, test data and anything but Go source must stay out. Go
		// source of a package the binary does not import (a test helper
		// package added since) costs a few kilobytes and is only noted,
		// so that such an addition cannot break the build of others.
		if strings.HasSuffix(f, ".go") && !strings.HasSuffix(f, "_test.go") && !strings.Contains(f, "/testdata/") {
			t.Logf("the Docker build context holds %s, which the build does not read; consider adding its package directory to .dockerignore", f)
			continue
		}
		t.Errorf("the Docker build context holds %s, which the build does not read: add it to .dockerignore", f)
	}
	for _, f := range []string{".git/HEAD", "README.md", "testdata/x", "internal/cli/cli_test.go", "internal/e2e/e2e.go"} {
		if !ignored(rules, f) {
			t.Errorf(".dockerignore lets %s into the build context", f)
		}
	}
}

// TestDockerfile: every base image is pinned by digest, the Go release
// matches go.mod's, and the modules are downloaded in a layer that only
// go.mod and go.sum invalidate.
func TestDockerfile(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile(filepath.Join(repoRoot, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	var steps []string
	for _, l := range strings.Split(string(b), "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") && !strings.HasPrefix(l, "-") {
			steps = append(steps, l)
		}
	}
	from := regexp.MustCompile(`^FROM (\S+)`)
	pinned := regexp.MustCompile(`^[\w./-]+:[\w.-]+@sha256:[0-9a-f]{64}$`)
	gomod, err := os.ReadFile(filepath.Join(repoRoot, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	goVersion := regexp.MustCompile(`(?m)^go (\d+\.\d+)`).FindSubmatch(gomod)
	download, firstSource := -1, -1
	for i, s := range steps {
		if m := from.FindStringSubmatch(s); m != nil && m[1] != "scratch" {
			if !pinned.MatchString(m[1]) {
				t.Errorf("FROM %s: pin the base image by digest (name:tag@sha256:…)", m[1])
			}
			if strings.HasPrefix(m[1], "golang:") && !strings.HasPrefix(m[1], "golang:"+string(goVersion[1])) {
				t.Errorf("FROM %s: go.mod says go %s", m[1], goVersion[1])
			}
		}
		switch {
		case s == "RUN go mod download":
			download = i
		case strings.HasPrefix(s, "COPY ") && !strings.HasPrefix(s, "COPY --from") && s != "COPY go.mod go.sum ./" && firstSource < 0:
			firstSource = i
		}
	}
	if download < 0 || firstSource < 0 || download > firstSource {
		t.Errorf("the Dockerfile must run `go mod download` after copying go.mod and go.sum and before copying the sources (steps %d, %d)", download, firstSource)
	}
}
