package workflowtest

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// peerDir holds slsa-github-generator's reusable workflows and the callers
// from its documentation, copied from v2.1.0 (see its README.md).
const peerDir = root + "/testdata/slsa-github-generator/v2.1.0"

// peerUses is how slsa-github-generator's callers name its workflows.
const peerUses = "slsa-framework/slsa-github-generator/.github/workflows/"

// generators are the reusable workflows that replace slsa-github-generator's.
var generators = []string{"generator_generic_slsa3.yml", "generator_container_slsa3.yml"}

// callInterface is the workflow_call block of a reusable workflow.
type callInterface struct {
	Inputs  map[string]callInput  `yaml:"inputs"`
	Secrets map[string]callSecret `yaml:"secrets"`
	Outputs map[string]any        `yaml:"outputs"`
}

type callInput struct {
	Type     string `yaml:"type"`
	Required bool   `yaml:"required"`
	Default  any    `yaml:"default"`
}

type callSecret struct {
	Required bool `yaml:"required"`
}

func readInterface(t *testing.T, path string) callInterface {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var w struct {
		On struct {
			WorkflowCall *callInterface `yaml:"workflow_call"`
		} `yaml:"on"`
	}
	if err := yaml.Unmarshal(b, &w); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if w.On.WorkflowCall == nil {
		t.Fatalf("%s is not a reusable workflow", path)
	}
	return *w.On.WorkflowCall
}

// TestPeerInterface: every input, secret and output of slsa-github-
// generator's workflows exists in ours, with the same type and default, and
// ours requires nothing the peer leaves optional, so any caller of the peer
// is a valid caller of ours.
func TestPeerInterface(t *testing.T) {
	t.Parallel()
	for _, name := range generators {
		t.Run(strings.TrimSuffix(name, ".yml"), func(t *testing.T) {
			t.Parallel()
			peer := readInterface(t, filepath.Join(peerDir, "workflows", name))
			ours := readInterface(t, filepath.Join(root, ".github/workflows", name))
			for k, pi := range peer.Inputs {
				oi, ok := ours.Inputs[k]
				switch {
				case !ok:
					t.Errorf("input %q is missing", k)
					continue
				case oi.Type != pi.Type:
					t.Errorf("input %q has type %s, the peer's has %s", k, oi.Type, pi.Type)
				case oi.Required && !pi.Required:
					t.Errorf("input %q is required, the peer's is optional", k)
				}
				if pi.Default != nil && fmt.Sprint(oi.Default) != fmt.Sprint(pi.Default) {
					t.Errorf("input %q defaults to %v, the peer's to %v", k, oi.Default, pi.Default)
				}
			}
			for k := range peer.Secrets {
				s, ok := ours.Secrets[k]
				if !ok {
					t.Errorf("secret %q is missing", k)
				} else if s.Required && !peer.Secrets[k].Required {
					t.Errorf("secret %q is required, the peer's is optional", k)
				}
			}
			for k := range peer.Outputs {
				if _, ok := ours.Outputs[k]; !ok {
					t.Errorf("output %q is missing", k)
				}
			}
			for k, oi := range ours.Inputs {
				if _, ok := peer.Inputs[k]; !ok && oi.Required {
					t.Errorf("input %q is ours only and required: a peer caller cannot give it", k)
				}
			}
		})
	}
}

// TestPeerDefaults: the defaults a migrating caller would notice are the
// peer's: SLSA v0.2 from both workflows, and cosign's .att tag next to the
// OCI referrer for images.
func TestPeerDefaults(t *testing.T) {
	t.Parallel()
	want := map[string]map[string]string{
		"generator_generic_slsa3.yml":   {"predicate-version": "v0.2"},
		"generator_container_slsa3.yml": {"predicate-version": "v0.2", "oci-legacy-att": "true"},
	}
	for name, inputs := range want {
		ours := readInterface(t, filepath.Join(root, ".github/workflows", name))
		for k, v := range inputs {
			if got := fmt.Sprint(ours.Inputs[k].Default); got != v {
				t.Errorf("%s: input %q defaults to %q, want %q", name, k, got, v)
			}
		}
	}
}

// peerCaller is one caller workflow (or job fragment) from the peer's
// documentation.
type peerCaller struct {
	path string
	// text is the fixture with the lines the documentation elides ("...")
	// left out.
	text string
	// jobs maps job names to the jobs; fragments are a bare jobs map.
	jobs map[string]callerJob
	// fragment is true when the text is a jobs map, not a workflow.
	fragment bool
	// misspeltJobs is true when the jobs key is not spelt "jobs".
	misspeltJobs bool
}

type callerJob struct {
	Uses    string         `yaml:"uses"`
	With    map[string]any `yaml:"with"`
	Secrets any            `yaml:"secrets"`
}

func peerCallers(t *testing.T) []peerCaller {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(peerDir, "callers", "*.yml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) < 20 {
		t.Fatalf("found %d peer callers in %s, want the whole set", len(paths), peerDir)
	}
	var out []peerCaller
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		var kept []string
		for _, l := range strings.Split(string(b), "\n") {
			if strings.TrimSpace(l) != "..." {
				kept = append(kept, l)
			}
		}
		c := peerCaller{path: p, text: strings.Join(kept, "\n")}
		var top map[string]yaml.Node
		if err := yaml.Unmarshal([]byte(c.text), &top); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		jobs := top
		c.fragment = true
		for k, n := range top {
			// One documented workflow spells the key "Jobs".
			if strings.EqualFold(k, "jobs") {
				if err := n.Decode(&jobs); err != nil {
					t.Fatalf("%s: %v", p, err)
				}
				c.fragment, c.misspeltJobs = false, k != "jobs"
			}
		}
		c.jobs = map[string]callerJob{}
		for name, n := range jobs {
			// Some documented snippets indent a key wrongly (a job's steps
			// at the level of the jobs); only mappings are jobs.
			if n.Kind != yaml.MappingNode {
				continue
			}
			var j callerJob
			if err := n.Decode(&j); err != nil {
				t.Fatalf("%s: job %s: %v", p, name, err)
			}
			c.jobs[name] = j
		}
		out = append(out, c)
	}
	return out
}

// TestPeerCallers: each caller in the peer's documentation passes only
// inputs and secrets our workflow declares, gives every input we require,
// and reads only outputs we set.
func TestPeerCallers(t *testing.T) {
	t.Parallel()
	ifaces := map[string]callInterface{}
	for _, name := range generators {
		ifaces[name] = readInterface(t, filepath.Join(root, ".github/workflows", name))
	}
	calls := 0
	for _, c := range peerCallers(t) {
		for job, j := range c.jobs {
			target, ok := strings.CutPrefix(j.Uses, peerUses)
			if !ok {
				continue
			}
			target, _, _ = strings.Cut(target, "@")
			iface, ok := ifaces[target]
			if !ok {
				t.Errorf("%s: job %s calls %s, which we do not replace", c.path, job, target)
				continue
			}
			calls++
			for k := range j.With {
				if _, ok := iface.Inputs[k]; !ok {
					t.Errorf("%s: job %s passes input %q, which our %s lacks", c.path, job, k, target)
				}
			}
			for k, in := range iface.Inputs {
				if _, ok := j.With[k]; in.Required && !ok {
					t.Errorf("%s: job %s does not pass %q, which our %s requires", c.path, job, k, target)
				}
			}
			if secrets, ok := j.Secrets.(map[string]any); ok {
				for k := range secrets {
					if _, ok := iface.Secrets[k]; !ok {
						t.Errorf("%s: job %s passes secret %q, which our %s lacks", c.path, job, k, target)
					}
				}
			}
			re := regexp.MustCompile(`needs\.` + regexp.QuoteMeta(job) + `\.outputs\.([\w-]+)`)
			for _, m := range re.FindAllStringSubmatch(c.text, -1) {
				if _, ok := iface.Outputs[m[1]]; !ok {
					t.Errorf("%s: reads output %q of job %s, which our %s does not set", c.path, m[1], job, target)
				}
			}
		}
	}
	if calls < 20 {
		t.Errorf("the peer callers call its workflows %d times, want at least 20", calls)
	}
}

// generatedCaller is a caller of peer workflow name that passes every input
// and secret the peer declares and reads every output, with uses pointing
// at usesPath.
func generatedCaller(t *testing.T, name, usesPath string) string {
	t.Helper()
	peer := readInterface(t, filepath.Join(peerDir, "workflows", name))
	var b strings.Builder
	fmt.Fprintf(&b, "name: every input of the peer's %s\non: push\npermissions: {}\njobs:\n", name)
	b.WriteString("  provenance:\n    permissions:\n      actions: read\n      id-token: write\n      contents: write\n      packages: write\n")
	fmt.Fprintf(&b, "    uses: %s\n    with:\n", usesPath)
	for _, k := range sortedKeys(peer.Inputs) {
		v := `"x"`
		if peer.Inputs[k].Type == "boolean" {
			v = "true"
		}
		fmt.Fprintf(&b, "      %s: %s\n", k, v)
	}
	if len(peer.Secrets) > 0 {
		b.WriteString("    secrets:\n")
		for _, k := range sortedKeys(peer.Secrets) {
			fmt.Fprintf(&b, "      %s: ${{ secrets.SOME_SECRET }}\n", k)
		}
	}
	b.WriteString("  after:\n    needs: provenance\n    runs-on: ubuntu-latest\n    steps:\n      - run: env\n        env:\n")
	for i, k := range sortedKeys(peer.Outputs) {
		fmt.Fprintf(&b, "          OUT_%d: ${{ needs.provenance.outputs.%s }}\n", i, k)
	}
	return b.String()
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// TestPeerUploadCondition: like slsa-github-generator, the generic workflow
// uploads to a release only on a tag or with upload-tag-name; elsewhere
// upload-assets is skipped (with a notice) instead of failing the run.
func TestPeerUploadCondition(t *testing.T) {
	t.Parallel()
	w := files(t)[".github/workflows/generator_generic_slsa3.yml"]
	want := "${{ inputs.upload-assets && (startsWith(github.ref, 'refs/tags/') || inputs.upload-tag-name != '') }}"
	found := false
	for _, s := range w.Jobs["provenance"].Steps {
		if s.Uses == "./.provenant-builder" {
			found = true
			if got := fmt.Sprint(s.With["upload-assets"]); got != want {
				t.Errorf("the attest step passes upload-assets: %s, want %s", got, want)
			}
		}
	}
	if !found {
		t.Fatal("the generic workflow has no attest step")
	}
}
