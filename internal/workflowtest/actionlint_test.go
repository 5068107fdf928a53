package workflowtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// actionlint returns the actionlint binary: $ACTIONLINT, the one
// scripts/install-tools.sh installs, or one on PATH. Without one the test
// is skipped, unless PROVENANT_REQUIRE_ACTIONLINT=1 (set by `make lint`).
func actionlint(t *testing.T) string {
	t.Helper()
	candidates := []string{os.Getenv("ACTIONLINT"), filepath.Join(root, ".tools", "bin", "actionlint")}
	if p, err := exec.LookPath("actionlint"); err == nil {
		candidates = append(candidates, p)
	}
	for _, c := range candidates {
		if c == "" {
			continue
		}
		if abs, err := filepath.Abs(c); err == nil {
			if st, err := os.Stat(abs); err == nil && !st.IsDir() {
				return abs
			}
		}
	}
	msg := "actionlint not found (set ACTIONLINT, run `make tools`, or put it on PATH); `make lint` runs this test"
	if os.Getenv("PROVENANT_REQUIRE_ACTIONLINT") == "1" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// lintError is one finding of `actionlint -format '{{json .}}'`.
type lintError struct {
	Message  string `json:"message"`
	Filepath string `json:"filepath"`
	Line     int    `json:"line"`
	Kind     string `json:"kind"`
}

// lintProject writes a throwaway repository holding our two reusable
// workflows and the given callers under .github/workflows, runs actionlint
// on the callers and returns its findings.
func lintProject(t *testing.T, bin string, callers map[string]string) []lintError {
	t.Helper()
	dir := t.TempDir()
	wf := filepath.Join(dir, ".github", "workflows")
	for _, d := range []string{filepath.Join(dir, ".git"), wf} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range generators {
		b, err := os.ReadFile(filepath.Join(root, ".github", "workflows", name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(wf, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	args := []string{"-no-color", "-format", "{{json .}}", "-shellcheck=", "-pyflakes="}
	for name, text := range callers {
		if err := os.WriteFile(filepath.Join(wf, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		args = append(args, filepath.Join(".github", "workflows", name))
	}
	cmd := exec.CommandContext(t.Context(), bin, args...)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !(errors.As(err, &exit) && exit.ExitCode() == 1) {
		t.Fatalf("actionlint: %v\n%s", err, stderr.String())
	}
	var out []lintError
	if s := bytes.TrimSpace(stdout.Bytes()); len(s) > 0 {
		if err := json.Unmarshal(s, &out); err != nil {
			t.Fatalf("reading actionlint's findings: %v\n%s", err, stdout.String())
		}
	}
	return out
}

var peerUsesLine = regexp.MustCompile(`(?m)^(\s*uses:\s*)` + regexp.QuoteMeta(peerUses) + `([\w.-]+\.yml)@\S+`)

// localCaller rewrites a peer caller into a workflow calling our workflow
// by local path: the uses line is the only change to its jobs; a bare jobs
// map (a documentation fragment) is put under `jobs:`, a misspelt `Jobs:`
// key is corrected, and a workflow without triggers gets `on: push`.
func localCaller(c peerCaller) string {
	text := peerUsesLine.ReplaceAllString(c.text, "${1}./.github/workflows/${2}")
	if c.misspeltJobs {
		text = regexp.MustCompile(`(?mi)^jobs:`).ReplaceAllString(text, "jobs:")
	}
	if c.fragment {
		lines := strings.Split(text, "\n")
		for i, l := range lines {
			if l != "" && !strings.HasPrefix(l, "#") {
				lines[i] = "  " + l
			}
		}
		text = "jobs:\n" + strings.Join(lines, "\n")
	}
	if !regexp.MustCompile(`(?m)^on:`).MatchString(text) {
		text = "on: push\n" + text
	}
	return text
}

// relevant keeps the findings about the call of our workflow: its inputs,
// secrets and outputs. The documentation's snippets have unrelated faults
// (fragments that need jobs they leave out, actions pinned by tag), which
// are not ours to fix.
func relevant(errs []lintError, texts map[string]string) []lintError {
	var out []lintError
	for _, e := range errs {
		lines := strings.Split(texts[filepath.Base(e.Filepath)], "\n")
		line := ""
		if e.Line >= 1 && e.Line <= len(lines) {
			line = lines[e.Line-1]
		}
		switch {
		case e.Kind == "workflow-call",
			strings.Contains(e.Message, "generator_generic_slsa3.yml"),
			strings.Contains(e.Message, "generator_container_slsa3.yml"),
			strings.Contains(line, "needs.provenance.outputs."):
			out = append(out, e)
		}
	}
	return out
}

// TestActionlint_peerCallers: actionlint accepts the callers from
// slsa-github-generator's documentation, and a caller passing every input
// and secret the peer declares, once their uses line names our workflow.
func TestActionlint_peerCallers(t *testing.T) {
	t.Parallel()
	bin := actionlint(t)
	texts := map[string]string{}
	for _, c := range peerCallers(t) {
		texts["peer-"+filepath.Base(c.path)] = localCaller(c)
	}
	for _, name := range generators {
		texts["every-input-"+name] = generatedCaller(t, name, "./.github/workflows/"+name)
	}
	for _, e := range relevant(lintProject(t, bin, texts), texts) {
		t.Errorf("%s:%d: [%s] %s", e.Filepath, e.Line, e.Kind, e.Message)
	}
}

// TestActionlint_seesTheCall: the same check finds a caller's mistake, so
// a clean run above means something.
func TestActionlint_seesTheCall(t *testing.T) {
	t.Parallel()
	bin := actionlint(t)
	name := generators[0]
	bad := strings.Replace(generatedCaller(t, name, "./.github/workflows/"+name),
		"    with:\n", "    with:\n      no-such-input: x\n", 1)
	bad = strings.Replace(bad, "needs.provenance.outputs.outcome", "needs.provenance.outputs.no-such-output", 1)
	texts := map[string]string{"bad.yml": bad}
	got := relevant(lintProject(t, bin, texts), texts)
	var msgs []string
	for _, e := range got {
		msgs = append(msgs, e.Message)
	}
	all := strings.Join(msgs, "\n")
	for _, want := range []string{"no-such-input", "no-such-output"} {
		if !strings.Contains(all, want) {
			t.Errorf("actionlint did not report %s; findings:\n%s", want, all)
		}
	}
}
