package workflowtest

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/provenant/provenant/internal/config"
)

type workflow struct {
	On struct {
		WorkflowCall *struct {
			Inputs  map[string]any `yaml:"inputs"`
			Secrets map[string]any `yaml:"secrets"`
		} `yaml:"workflow_call"`
	} `yaml:"on"`
	Perms any `yaml:"permissions"`
	Jobs  map[string]struct {
		Uses  string            `yaml:"uses"`
		With  map[string]any    `yaml:"with"`
		Steps []step            `yaml:"steps"`
		Perms map[string]string `yaml:"permissions"`
	} `yaml:"jobs"`
}

type step struct {
	Name string         `yaml:"name"`
	Uses string         `yaml:"uses"`
	Run  string         `yaml:"run"`
	With map[string]any `yaml:"with"`
}

const root = "../.."

// files returns every workflow and example, by path relative to the root.
func files(t *testing.T) map[string]workflow {
	t.Helper()
	out := map[string]workflow{}
	for _, glob := range []string{".github/workflows/*.yml", "examples/*.yml"} {
		paths, err := filepath.Glob(filepath.Join(root, glob))
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range paths {
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			var w workflow
			if err := yaml.Unmarshal(b, &w); err != nil {
				t.Fatalf("%s: %v", p, err)
			}
			rel, _ := filepath.Rel(root, p)
			out[filepath.ToSlash(rel)] = w
		}
	}
	for _, want := range []string{".github/workflows/generator_generic_slsa3.yml", ".github/workflows/generator_container_slsa3.yml", ".github/workflows/release.yml"} {
		if _, ok := out[want]; !ok {
			t.Fatalf("%s is missing", want)
		}
	}
	return out
}

// TestNoExpressionInRunScripts: a `${{ … }}` inside `run:` is pasted into
// the script before the shell parses it, so a crafted input becomes code.
// Values must reach scripts through `env:`.
func TestNoExpressionInRunScripts(t *testing.T) {
	for path, w := range files(t) {
		for job, j := range w.Jobs {
			for i, s := range j.Steps {
				if strings.Contains(s.Run, "${{") {
					t.Errorf("%s: job %s, step %d (%s): run script holds an expression; pass it through env:", path, job, i+1, s.Name)
				}
			}
		}
	}
}

var pinned = regexp.MustCompile(`^[\w.-]+/[\w./-]+@[0-9a-f]{40}$`)

// TestThirdPartyActionsPinned: a tag can be moved; a commit cannot.
func TestThirdPartyActionsPinned(t *testing.T) {
	for path, w := range files(t) {
		for job, j := range w.Jobs {
			for _, s := range j.Steps {
				if s.Uses == "" || strings.HasPrefix(s.Uses, "./") || strings.HasPrefix(s.Uses, "provenant/provenant") {
					continue
				}
				if !pinned.MatchString(s.Uses) {
					t.Errorf("%s: job %s uses %s: pin third-party actions by commit sha", path, job, s.Uses)
				}
			}
		}
	}
}

// TestActionInputsExist: every `with:` given to provenant's action, local
// or by name, is an input of action.yml (the option table).
func TestActionInputsExist(t *testing.T) {
	inputs := map[string]bool{}
	for _, s := range config.Attest {
		inputs[s.Name] = true
	}
	for path, w := range files(t) {
		for job, j := range w.Jobs {
			for _, s := range j.Steps {
				if !strings.HasPrefix(s.Uses, "./") && !strings.HasPrefix(s.Uses, "provenant/provenant@") {
					continue
				}
				for k := range s.With {
					if !inputs[k] {
						t.Errorf("%s: job %s passes %q to the action, which has no such input", path, job, k)
					}
				}
			}
		}
	}
}

// TestReusableWorkflowCallsMatch: every call of a provenant reusable
// workflow passes only inputs and secrets that workflow declares.
func TestReusableWorkflowCallsMatch(t *testing.T) {
	all := files(t)
	calls := 0
	for path, w := range all {
		for job, j := range w.Jobs {
			target, ok := strings.CutPrefix(j.Uses, "provenant/provenant/")
			if !ok {
				continue
			}
			target, _, _ = strings.Cut(target, "@")
			callee, ok := all[target]
			if !ok || callee.On.WorkflowCall == nil {
				t.Errorf("%s: job %s calls %s, which is not a reusable workflow here", path, job, target)
				continue
			}
			calls++
			for k := range j.With {
				if _, ok := callee.On.WorkflowCall.Inputs[k]; !ok {
					t.Errorf("%s: job %s passes input %q, which %s does not declare", path, job, k, target)
				}
			}
		}
	}
	if calls < 3 {
		t.Errorf("the examples call the reusable workflows %d times, want at least 3 (generic, container, fan-in)", calls)
	}
}

// TestReusableWorkflowsSignInTheirOwnJob: each generator has exactly one
// job, which signs: it runs provenant's action from the workflow's own
// commit, not the caller's checkout, and no caller code. It sets no
// permissions, and neither does the workflow, so the job holds exactly what
// the calling job grants: a reusable workflow cannot ask for a permission
// only when an input wants it, and asking for more than the caller grants
// (attestations: write for github-attestations) would break every caller
// that does not use it.
func TestReusableWorkflowsSignInTheirOwnJob(t *testing.T) {
	all := files(t)
	for _, name := range []string{"generator_generic_slsa3.yml", "generator_container_slsa3.yml"} {
		w := all[".github/workflows/"+name]
		if w.Perms != nil {
			t.Errorf("%s: sets workflow permissions %v; the signing job must take the caller's grant", name, w.Perms)
		}
		if len(w.Jobs) != 1 {
			t.Errorf("%s: %d jobs, want exactly the signing job", name, len(w.Jobs))
		}
		for job, j := range w.Jobs {
			if j.Perms != nil {
				t.Errorf("%s: job %s sets permissions %v; it must take the caller's grant", name, job, j.Perms)
			}
			var uses []string
			for _, s := range j.Steps {
				uses = append(uses, s.Uses)
				if strings.HasPrefix(s.Uses, "./") && s.Uses != "./.provenant-builder" {
					t.Errorf("%s: job %s runs %s from the caller's checkout", name, job, s.Uses)
				}
			}
			if !slices.Contains(uses, "./.provenant-builder") {
				t.Errorf("%s: job %s does not run the action from its own checkout (./.provenant-builder): %v", name, job, uses)
			}
		}
	}
}
