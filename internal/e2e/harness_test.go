package e2e

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// stack describes the running services, from the *sigstack.Stack that
// TestMain started.
type stack struct {
	dir, signingConfig, trustedRoot, trustedRootJSONL, trustedRootNoTlogJSONL string
	issuer, tokenURL, requestToken                                            string
	rekor                                                                     string // v1, v2, both or none
	ct, tsa                                                                   bool
	fulcioURL, tsaURL                                                         string
	registry, registryReferrers                                               string // host:port, with --registry
}

func needStack(t *testing.T) stack {
	t.Helper()
	if running == nil {
		t.Skip(noStack)
	}
	s := running
	return stack{
		dir:                    s.Dir,
		signingConfig:          s.SigningConfig,
		trustedRoot:            s.TrustedRoot,
		trustedRootJSONL:       s.TrustedRootJSONL,
		trustedRootNoTlogJSONL: s.TrustedRootNoTlogJSONL,
		issuer:                 s.Issuer,
		tokenURL:               s.TokenURL,
		requestToken:           s.RequestToken,
		rekor:                  s.Config.Rekor,
		ct:                     s.Config.CT,
		tsa:                    s.Config.TSA,
		fulcioURL:              s.FulcioURL,
		tsaURL:                 s.TSAURL,
		registry:               s.Registry,
		registryReferrers:      s.RegistryReferrers,
	}
}

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// provenant returns the binary under test: PROVENANT_BIN, or a fresh build.
func provenant(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("PROVENANT_BIN"); p != "" {
		abs, err := filepath.Abs(p)
		if err != nil {
			t.Fatal(err)
		}
		return abs
	}
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "provenant-e2e-bin")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "provenant")
		out, err := exec.Command("go", "build", "-o", binPath, "github.com/provenant/provenant/cmd/provenant").CombinedOutput()
		if err != nil {
			buildErr = &buildError{out: string(out), err: err}
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

type buildError struct {
	out string
	err error
}

func (e *buildError) Error() string { return "building provenant: " + e.err.Error() + "\n" + e.out }

// step is one run of provenant as the container action's entrypoint sees it.
type step struct {
	t                         *testing.T
	st                        stack
	ws, home, output, summary string
	env                       map[string]string
	stdout, stderr            string
	code                      int
}

func newStep(t *testing.T, st stack, scenario string) *step {
	t.Helper()
	tmp := t.TempDir()
	s := &step{t: t, st: st, ws: filepath.Join(tmp, "workspace"), home: filepath.Join(tmp, "home"),
		output: filepath.Join(tmp, "file_commands", "output"), summary: filepath.Join(tmp, "file_commands", "summary")}
	for _, d := range []string{s.ws, s.home, filepath.Dir(s.output), filepath.Join(tmp, "workflow")} {
		must(t, os.MkdirAll(d, 0o755))
	}
	must(t, os.WriteFile(s.output, nil, 0o644))
	must(t, os.WriteFile(s.summary, nil, 0o644))
	// Action inputs may name only files inside the workspace.
	must(t, os.MkdirAll(filepath.Join(s.ws, ".sigstore"), 0o755))
	must(t, os.WriteFile(filepath.Join(s.ws, ".sigstore", "signing_config.json"), read(t, st.signingConfig), 0o644))
	must(t, os.WriteFile(filepath.Join(s.ws, ".sigstore", "trusted_root.json"), read(t, st.trustedRoot), 0o644))
	fixture := filepath.Join("..", "..", "testdata", "github", scenario)
	event := filepath.Join(tmp, "workflow", "event.json")
	must(t, os.WriteFile(event, read(t, filepath.Join(fixture, "event.json")), 0o644))
	s.env = map[string]string{}
	must(t, json.Unmarshal(read(t, filepath.Join(fixture, "env.json")), &s.env))
	maps.Copy(s.env, map[string]string{
		"PATH":                           os.Getenv("PATH"),
		"HOME":                           s.home,
		"RUNNER_TEMP":                    filepath.Join(tmp, "runner_temp"),
		"GITHUB_WORKSPACE":               s.ws,
		"GITHUB_EVENT_PATH":              event,
		"GITHUB_OUTPUT":                  s.output,
		"GITHUB_STEP_SUMMARY":            s.summary,
		"ACTIONS_ID_TOKEN_REQUEST_URL":   st.tokenURL,
		"ACTIONS_ID_TOKEN_REQUEST_TOKEN": st.requestToken,
		"INPUT_SIGSTORE":                 ".sigstore/signing_config.json",
		"INPUT_TRUSTED-ROOT":             ".sigstore/trusted_root.json",
		"INPUT_OIDC-ISSUER":              st.issuer,
		"INPUT_SHOW-SUMMARY":             "true",
		"INPUT_PREDICATE-VERSION":        "v1",
		"INPUT_OUTPUT-DIR":               ".",
	})
	return s
}

// file writes an artifact into the workspace and returns its sha256.
func (s *step) file(rel, content string) string {
	s.t.Helper()
	p := filepath.Join(s.ws, rel)
	must(s.t, os.MkdirAll(filepath.Dir(p), 0o755))
	must(s.t, os.WriteFile(p, []byte(content), 0o644))
	sum := sha256.Sum256([]byte(content))
	return hex.EncodeToString(sum[:])
}

// run runs `provenant attest` with the inputs, in the workspace, with
// exactly the step's environment.
func (s *step) run(inputs map[string]string) {
	s.t.Helper()
	cmd, out, errb := s.command(inputs)
	err := cmd.Run()
	if cmd.ProcessState == nil {
		s.t.Fatalf("starting provenant: %v", err)
	}
	s.stdout, s.stderr, s.code = out.String(), errb.String(), cmd.ProcessState.ExitCode()
}

func (s *step) outputs() map[string]string {
	s.t.Helper()
	m := map[string]string{}
	lines := strings.Split(string(read(s.t, s.output)), "\n")
	for i := 0; i < len(lines); i++ {
		if name, delim, ok := strings.Cut(lines[i], "<<"); ok {
			var val []string
			for i++; i < len(lines) && lines[i] != delim; i++ {
				val = append(val, lines[i])
			}
			m[name] = strings.Join(val, "\n")
		}
	}
	return m
}

// tool runs a verifier we did not write and returns its exit code and output.
func tool(t *testing.T, name string, args ...string) (int, string) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), "GH_CONFIG_DIR="+t.TempDir(), "NO_COLOR=1", "GH_TOKEN=unused-offline",
		"DOCKER_CONFIG="+t.TempDir())
	out, err := cmd.CombinedOutput()
	if err != nil && cmd.ProcessState == nil {
		t.Fatalf("running %s: %v", name, err)
	}
	return cmd.ProcessState.ExitCode(), string(out)
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func read(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	must(t, err)
	return b
}

// reset removes what a run wrote to the workspace and the file-command
// files, as a fresh run of the job would start.
func (s *step) reset() {
	s.t.Helper()
	entries, err := os.ReadDir(s.ws)
	must(s.t, err)
	for _, e := range entries {
		if e.Name() != "dist" && e.Name() != ".sigstore" {
			must(s.t, os.RemoveAll(filepath.Join(s.ws, e.Name())))
		}
	}
	must(s.t, writeEmpty(s.output))
	must(s.t, writeEmpty(s.summary))
}

func writeEmpty(p string) error { return os.WriteFile(p, nil, 0o644) }
