package archtest

import (
	"encoding/json"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/provenant/provenant"

type pkg struct {
	ImportPath string
	Deps       []string
}

// listDeps runs `go list -deps` for every package of the module and returns
// each package's transitive dependencies.
func listDeps(t *testing.T) map[string][]string {
	t.Helper()
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go command not found")
	}
	out, err := exec.Command("go", "list", "-json=ImportPath,Deps", module+"/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	deps := map[string][]string{}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for dec.More() {
		var p pkg
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		deps[strings.TrimPrefix(p.ImportPath, module+"/")] = p.Deps
	}
	return deps
}

func TestPurePackages(t *testing.T) {
	t.Parallel()
	deps := listDeps(t)
	forbidden := []string{
		"net/http", "net", "os/exec", "github.com/sigstore/", "github.com/google/go-containerregistry/",
		"github.com/sethvargo/go-githubactions", "github.com/coreos/go-oidc",
	}
	for _, p := range []string{"internal/provenance", "internal/ghctx", "internal/input", "internal/policy", "internal/intoto", "internal/redact"} {
		ds, ok := deps[p]
		if !ok {
			t.Fatalf("package %s not found", p)
		}
		for _, d := range ds {
			for _, f := range forbidden {
				if d == f || (strings.HasSuffix(f, "/") && strings.HasPrefix(d, f)) {
					t.Errorf("%s must stay pure but depends on %s", p, d)
				}
			}
		}
	}
}

// TestDirection checks that no feature package reaches up to a front end,
// and that only the front ends touch the Actions library.
func TestDirection(t *testing.T) {
	t.Parallel()
	deps := listDeps(t)
	frontEnds := []string{module + "/internal/cli", module + "/internal/action"}
	for p, ds := range deps {
		if strings.HasPrefix(p, "cmd/") || p == "internal/cli" || strings.HasPrefix(p, "internal/testing") {
			continue
		}
		for _, d := range ds {
			if slices.Contains(frontEnds, d) {
				t.Errorf("%s depends on the front end %s", p, d)
			}
			if d == "github.com/sethvargo/go-githubactions" && p != "internal/action" {
				t.Errorf("%s uses go-githubactions; only internal/action may", p)
			}
		}
	}
	// Production code never depends on the test fakes.
	for p, ds := range deps {
		if strings.HasPrefix(p, "internal/testing") {
			continue
		}
		for _, d := range ds {
			if strings.HasPrefix(d, module+"/internal/testing") {
				t.Errorf("%s depends on test support %s", p, d)
			}
		}
	}
}

// TestPipelinesImportNoBackends checks that the pipelines reach Sigstore
// and registries only through their seams: signing and verify for
// sigstore-go, sink/oci for go-containerregistry.
func TestPipelinesImportNoBackends(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go command not found")
	}
	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}} {{join .Imports \" \"}}", module+"/internal/attest").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	forbidden := []string{"github.com/sigstore/", "github.com/google/go-containerregistry/", "net/http"}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		for _, imp := range fields[1:] {
			for _, f := range forbidden {
				if imp == f || (strings.HasSuffix(f, "/") && strings.HasPrefix(imp, f)) {
					t.Errorf("%s imports %s; reach it through signing, verify or a sink", fields[0], imp)
				}
			}
		}
	}
}
