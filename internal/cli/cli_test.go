package cli

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/provenant/provenant/internal/testing/fakeoidc"
)

// runner is one simulated GitHub Actions step: a workspace, the runner's
// environment from a fixture, the file-command files and a token endpoint.
type runner struct {
	t       *testing.T
	oidc    *fakeoidc.TestServer
	ws      string
	env     map[string]string
	output  string
	summary string
}

const requestToken = "request-token-7f3a9c"

func fixtureClaims(t *testing.T, scenario string) map[string]any {
	t.Helper()
	var claims map[string]any
	if err := json.Unmarshal(mustRead(t, filepath.Join("..", "..", "testdata", "github", scenario, "claims.json")), &claims); err != nil {
		t.Fatal(err)
	}
	return claims
}

func newRunner(t *testing.T, scenario string, oidcOpts ...fakeoidc.Option) *runner {
	t.Helper()
	dir := filepath.Join("..", "..", "testdata", "github", scenario)
	opts := append([]fakeoidc.Option{fakeoidc.WithClaims(fixtureClaims(t, scenario)), fakeoidc.WithRequestToken(requestToken)}, oidcOpts...)
	srv := fakeoidc.NewTestServer(t, opts...)
	var env map[string]string
	if err := json.Unmarshal(mustRead(t, filepath.Join(dir, "env.json")), &env); err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	r := &runner{t: t, oidc: srv, ws: filepath.Join(tmp, "workspace"), env: env,
		output: filepath.Join(tmp, "output"), summary: filepath.Join(tmp, "summary")}
	for _, p := range []string{r.output, r.summary} {
		if err := os.WriteFile(p, nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	event := filepath.Join(tmp, "event.json")
	if err := os.WriteFile(event, mustRead(t, filepath.Join(dir, "event.json")), 0o600); err != nil {
		t.Fatal(err)
	}
	maps.Copy(env, map[string]string{
		"GITHUB_WORKSPACE":               r.ws,
		"GITHUB_EVENT_PATH":              event,
		"GITHUB_OUTPUT":                  r.output,
		"GITHUB_STEP_SUMMARY":            r.summary,
		"ACTIONS_ID_TOKEN_REQUEST_URL":   srv.TokenRequestURL(),
		"ACTIONS_ID_TOKEN_REQUEST_TOKEN": requestToken,
		"INPUT_OIDC-ISSUER":              srv.URL,
		// Unit tests never reach a real Sigstore: this instance lives on a
		// loopback port where nothing listens. Signing is tested end to end
		// against the real services (internal/e2e).
		"INPUT_SIGSTORE":     "in/unreachable_signing_config.json",
		"INPUT_TRUSTED-ROOT": "in/empty_trusted_root.json",
	})
	for _, f := range []string{"unreachable_signing_config.json", "empty_trusted_root.json"} {
		r.write("in/"+f, string(mustRead(t, filepath.Join("testdata", f))))
	}
	r.write("dist/app_linux_amd64", "linux build\n")
	r.write("dist/app_darwin_arm64", "darwin build\n")
	return r
}

func (r *runner) write(rel, content string) {
	r.t.Helper()
	p := filepath.Join(r.ws, rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		r.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		r.t.Fatal(err)
	}
}

// run runs provenant with args and extra environment; inputs are given as
// INPUT_ variables by the caller.
func (r *runner) run(extra map[string]string, args ...string) (code int, stdout, stderr string) {
	r.t.Helper()
	env := maps.Clone(r.env)
	maps.Copy(env, extra)
	var out, errb bytes.Buffer
	code = Main(context.Background(), args, Streams{Stdout: &out, Stderr: &errb, Getenv: func(k string) string { return env[k] }})
	return code, out.String(), errb.String()
}

// files lists every file under the workspace apart from the inputs under dist/.
func (r *runner) written() []string {
	r.t.Helper()
	var out []string
	filepath.WalkDir(r.ws, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(r.ws, p)
			if !strings.HasPrefix(rel, "dist"+string(filepath.Separator)) && !strings.HasPrefix(rel, "in"+string(filepath.Separator)) {
				out = append(out, rel)
			}
		}
		return nil
	})
	return out
}

func mustRead(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestAttest_signingFailureWritesNothing runs the whole path up to signing
// against an instance that cannot be reached: the run must fail, say so,
// leak nothing and leave no file behind.
func TestAttest_signingFailureWritesNothing(t *testing.T) {
	t.Parallel()
	for _, version := range []string{"v1", "v0.2"} {
		t.Run(version, func(t *testing.T) {
			t.Parallel()
			r := newRunner(t, "tag_push")
			code, stdout, stderr := r.run(map[string]string{"INPUT_SUBJECT-PATH": "dist/*", "INPUT_PREDICATE-VERSION": version}, "attest")
			if code != ExitError {
				t.Fatalf("attest exit %d, want %d\nstderr: %s", code, ExitError, stderr)
			}
			if !strings.Contains(stderr, "signing") || !strings.Contains(stderr, "127.0.0.1:9") {
				t.Errorf("stderr does not explain the signing failure:\n%s", stderr)
			}
			if w := r.written(); len(w) != 0 {
				t.Errorf("wrote %v after a failed signing", w)
			}
			if o := mustRead(t, r.output); len(o) != 0 {
				t.Errorf("set outputs after a failed signing: %s", o)
			}
			checkNoTokenLeak(t, r, stdout, stderr)
			if r.oidc.TokenRequests() != 1 {
				t.Errorf("token fetched %d times, want 1", r.oidc.TokenRequests())
			}
		})
	}
}

// TestAttest_privateRepositoryRefusedOnPublicGood checks the refusal that
// keeps a private repository's identity out of the public log; it happens
// before any Sigstore service is contacted.
func TestAttest_privateRepositoryRefusedOnPublicGood(t *testing.T) {
	t.Parallel()
	r := newRunner(t, "tag_push", fakeoidc.WithClaims(map[string]any{"repository_visibility": "private"}))
	code, _, stderr := r.run(map[string]string{"INPUT_SUBJECT-PATH": "dist/*", "INPUT_SIGSTORE": "public-good",
		"RUNNER_TEMP": t.TempDir()}, "attest")
	if code != ExitError || !strings.Contains(stderr, "private-repository: true") || !strings.Contains(stderr, "is private") {
		t.Errorf("exit %d; stderr: %s", code, stderr)
	}
	if w := r.written(); len(w) != 0 {
		t.Errorf("wrote %v", w)
	}
}

// checkNoTokenLeak asserts that neither the JWT nor the request credential
// appears anywhere but in the runner's mask commands.
func checkNoTokenLeak(t *testing.T, r *runner, stdout, stderr string) {
	t.Helper()
	masked := map[string]bool{}
	var rest []string
	for _, l := range strings.Split(stdout, "\n") {
		if v, ok := strings.CutPrefix(l, "::add-mask::"); ok {
			masked[v] = true
			continue
		}
		rest = append(rest, l)
	}
	if !masked[requestToken] {
		t.Error("the request token was not masked")
	}
	var jwt string
	for v := range masked {
		if strings.Count(v, ".") == 2 && strings.HasPrefix(v, "eyJ") {
			jwt = v
		}
	}
	if jwt == "" {
		t.Fatal("the OIDC token was not masked")
	}
	haystacks := map[string]string{"stdout": strings.Join(rest, "\n"), "stderr": stderr,
		"GITHUB_OUTPUT": string(mustRead(t, r.output)), "GITHUB_STEP_SUMMARY": string(mustRead(t, r.summary))}
	for _, f := range r.written() {
		haystacks[f] = string(mustRead(t, filepath.Join(r.ws, f)))
	}
	for where, s := range haystacks {
		for _, secret := range []string{jwt, requestToken, strings.Split(jwt, ".")[2]} {
			if strings.Contains(s, secret) {
				t.Errorf("%s contains a secret", where)
			}
		}
	}
}

func TestAttest_dryRunWritesNothing(t *testing.T) {
	t.Parallel()
	r := newRunner(t, "workflow_dispatch_inputs")
	code, stdout, stderr := r.run(map[string]string{"INPUT_SUBJECT-PATH": "dist/app_linux_amd64", "INPUT_INCLUDE-INPUTS": "true"}, "attest", "--dry-run")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	start := strings.Index(stdout, "{")
	var st map[string]any
	if err := json.Unmarshal([]byte(stdout[start:]), &st); err != nil {
		t.Fatalf("stdout is not a statement: %v\n%s", err, stdout)
	}
	inputs := st["predicate"].(map[string]any)["buildDefinition"].(map[string]any)["externalParameters"].(map[string]any)["inputs"]
	if inputs.(map[string]any)["version"] != "1.3.0" {
		t.Errorf("inputs = %v", inputs)
	}
	if w := r.written(); len(w) != 0 {
		t.Errorf("dry run wrote %v", w)
	}
	if o := mustRead(t, r.output); len(o) != 0 {
		t.Errorf("dry run set outputs: %s", o)
	}
}

func TestAttest_forgedEnvironmentRefused(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"GITHUB_REPOSITORY":   "evil-org/octo-repo",
		"GITHUB_REF":          "refs/tags/v9.9.9",
		"GITHUB_SHA":          "0000000000000000000000000000000000000000",
		"GITHUB_WORKFLOW_REF": "octo-org/octo-repo/.github/workflows/other.yml@refs/tags/v1.2.3",
		"GITHUB_RUN_ID":       "1",
	}
	for name, forged := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r := newRunner(t, "tag_push")
			code, _, stderr := r.run(map[string]string{"INPUT_SUBJECT-PATH": "dist/*", name: forged}, "attest")
			if code != ExitError {
				t.Fatalf("exit %d, want %d; stderr: %s", code, ExitError, stderr)
			}
			if !strings.Contains(stderr, name+": environment says") || !strings.Contains(stderr, forged) {
				t.Errorf("stderr does not name %s and its forged value:\n%s", name, stderr)
			}
			if w := r.written(); len(w) != 0 {
				t.Errorf("wrote %v", w)
			}
		})
	}
}

func TestAttest_forgedEventRefused(t *testing.T) {
	t.Parallel()
	r := newRunner(t, "tag_push")
	ev := filepath.Join(t.TempDir(), "event.json")
	if err := os.WriteFile(ev, []byte(`{"repository":{"full_name":"evil-org/evil"}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := r.run(map[string]string{"INPUT_SUBJECT-PATH": "dist/*", "GITHUB_EVENT_PATH": ev}, "attest")
	if code != ExitError || !strings.Contains(stderr, "evil-org/evil") {
		t.Errorf("exit %d, stderr: %s", code, stderr)
	}
}

func TestAttest_tokenProblems(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		extra   map[string]string
		opts    []fakeoidc.Option
		wantErr string
	}{
		{name: "no_id_token_permission", extra: map[string]string{"ACTIONS_ID_TOKEN_REQUEST_URL": "", "ACTIONS_ID_TOKEN_REQUEST_TOKEN": ""},
			wantErr: "permissions: id-token: write"},
		{name: "wrong_request_token", extra: map[string]string{"ACTIONS_ID_TOKEN_REQUEST_TOKEN": "stale"}, wantErr: "HTTP 401"},
		{name: "issuer_mismatch", extra: map[string]string{"INPUT_OIDC-ISSUER": "https://token.actions.githubusercontent.com"}, wantErr: "expected \"https://token.actions.githubusercontent.com\""},
		{name: "missing_claim", opts: []fakeoidc.Option{fakeoidc.WithClaims(map[string]any{"job_workflow_ref": nil})}, wantErr: "job_workflow_ref"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := newRunner(t, "tag_push", tc.opts...)
			extra := map[string]string{"INPUT_SUBJECT-PATH": "dist/*"}
			maps.Copy(extra, tc.extra)
			code, _, stderr := r.run(extra, "attest")
			if code != ExitError || !strings.Contains(stderr, tc.wantErr) {
				t.Errorf("exit %d, want %d with %q; stderr: %s", code, ExitError, tc.wantErr, stderr)
			}
			if strings.Contains(stderr, requestToken) {
				t.Error("stderr leaks the request token")
			}
			if w := r.written(); len(w) != 0 {
				t.Errorf("wrote %v", w)
			}
		})
	}
}

func TestAttest_flagsOverrideInputs(t *testing.T) {
	t.Parallel()
	r := newRunner(t, "tag_push")
	code, stdout, stderr := r.run(map[string]string{"INPUT_SUBJECT-PATH": "nothing-matches-this", "INPUT_PREDICATE-VERSION": "v1"},
		"attest", "--subject-path", "dist/app_linux_amd64", "--predicate-version", "v0.2", "--dry-run")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, `"predicateType": "https://slsa.dev/provenance/v0.2"`) || !strings.Contains(stdout, `"dist/app_linux_amd64"`) {
		t.Errorf("flags did not win over inputs:\n%s", stdout)
	}
}

func TestSubjects(t *testing.T) {
	t.Parallel()
	r := newRunner(t, "tag_push")
	code, stdout, stderr := r.run(map[string]string{"GITHUB_ACTIONS": ""}, "subjects", "--subject-path", "dist/*", "--format", "base64")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(stdout))
	if err != nil {
		t.Fatalf("not base64: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
	if len(lines) != 2 || !strings.HasSuffix(lines[0], "  dist/app_darwin_arm64") {
		t.Errorf("decoded = %q", raw)
	}
	// The base64 output feeds base64-subjects of a later attest unchanged.
	code, stdout2, stderr := r.run(map[string]string{"GITHUB_ACTIONS": ""}, "subjects", "--base64-subjects", strings.TrimSpace(stdout), "--format", "sha256sum")
	if code != ExitOK || stdout2 != string(raw) {
		t.Errorf("round trip: exit %d, %q vs %q; %s", code, stdout2, raw, stderr)
	}
}

func TestMain_usage(t *testing.T) {
	t.Parallel()
	cases := []struct {
		args []string
		code int
		want string
	}{
		{nil, ExitUsage, "Commands:"},
		{[]string{"--help"}, ExitOK, "attest"},
		{[]string{"frobnicate"}, ExitUsage, "unknown command"},
		{[]string{"attest", "--help"}, ExitOK, "--base64-subjects-file"},
		{[]string{"subjects", "--help"}, ExitOK, "--subject-checksums"},
		{[]string{"attest", "--no-such-flag"}, ExitUsage, "no-such-flag"},
		{[]string{"attest", "--subject-path", "x", "extra"}, ExitUsage, "unexpected arguments"},
		{[]string{"subjects", "--subject-path", "x", "--format", "xml"}, ExitUsage, "--format"},
		{[]string{"version"}, ExitOK, "provenant "},
	}
	for _, tc := range cases {
		var out, errb bytes.Buffer
		code := Main(context.Background(), tc.args, Streams{Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }})
		if code != tc.code || !strings.Contains(out.String()+errb.String(), tc.want) {
			t.Errorf("Main(%q) = %d, want %d with %q; out=%q err=%q", tc.args, code, tc.code, tc.want, out.String(), errb.String())
		}
	}
}

// TestAttest_secretsMaskedFirst checks that secret inputs are masked, also
// base64-encoded, before anything else is printed, and never echoed.
func TestAttest_secretsMaskedFirst(t *testing.T) {
	t.Parallel()
	r := newRunner(t, "tag_push")
	const pass, tok = "s3cr3t-registry-pass", "ghs_fakeGitHubToken123"
	code, stdout, stderr := r.run(map[string]string{
		"INPUT_SUBJECT-PATH":      "missing/*",
		"INPUT_REGISTRY-USERNAME": "octocat",
		"INPUT_REGISTRY-PASSWORD": pass,
		"INPUT_GITHUB-TOKEN":      tok,
	}, "attest")
	if code != ExitError {
		t.Fatalf("exit %d", code)
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	masked := map[string]bool{}
	for i, l := range lines {
		v, ok := strings.CutPrefix(l, "::add-mask::")
		if !ok {
			// Everything after the first non-mask line must not reveal a secret.
			for _, rest := range lines[i:] {
				if strings.Contains(rest, pass) || strings.Contains(rest, tok) {
					t.Errorf("secret printed: %q", rest)
				}
			}
			break
		}
		masked[v] = true
	}
	for _, want := range []string{pass, tok, base64.StdEncoding.EncodeToString([]byte("octocat:" + pass)),
		base64.StdEncoding.EncodeToString([]byte("x-access-token:" + tok))} {
		if !masked[want] {
			t.Errorf("%q was not masked", want)
		}
	}
	if strings.Contains(stderr, pass) || strings.Contains(stderr, tok) {
		t.Error("stderr contains a secret")
	}
}

// TestAttest_continueOnError checks slsa-github-generator's
// continue-on-error: a failure is reported but the step passes with
// outcome=failure and nothing written; without it the step fails.
func TestAttest_continueOnError(t *testing.T) {
	t.Parallel()
	cases := map[string]map[string]string{
		"bad input":       {"INPUT_SUBJECT-PATH": "dist/*.none"},
		"other bad input": {"INPUT_SUBJECT-PATH": "dist/app_linux_amd64", "INPUT_PREDICATE-VERSION": "v9"},
		"signing fails":   {"INPUT_SUBJECT-PATH": "dist/app_linux_amd64"},
	}
	for name, inputs := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r := newRunner(t, "tag_push")
			code, _, stderr := r.run(inputs, "attest")
			if code != ExitError {
				t.Fatalf("without continue-on-error: exit %d, want %d", code, ExitError)
			}
			with := maps.Clone(inputs)
			with["INPUT_CONTINUE-ON-ERROR"] = "true"
			r = newRunner(t, "tag_push")
			code, stdout, stderr2 := r.run(with, "attest")
			if code != ExitOK {
				t.Fatalf("with continue-on-error: exit %d: %s", code, stderr2)
			}
			if !strings.Contains(string(mustRead(t, r.output)), "outcome<<") || !strings.Contains(string(mustRead(t, r.output)), "\nfailure\n") {
				t.Errorf("outputs = %q, want outcome=failure", mustRead(t, r.output))
			}
			firstLine, _, _ := strings.Cut(stderr, "\n")
			if !strings.Contains(stderr2, firstLine) || !strings.Contains(stdout, "::error") {
				t.Errorf("the failure was not reported:\nstderr %s\nstdout %s", stderr2, stdout)
			}
			if w := r.written(); len(w) != 0 {
				t.Errorf("a failed run wrote %v", w)
			}
		})
	}
}

// TestAttest_forgedURLs checks that GitHub URLs an earlier step may have
// rewritten through GITHUB_ENV are refused before any request: a plain-http
// server (whose issuer would then be trusted) and an API URL that does not
// belong to the server (which would get the GitHub token).
func TestAttest_forgedURLs(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"http_server", map[string]string{"GITHUB_SERVER_URL": "http://evil.example"}, "must be an https URL"},
		{"http_api", map[string]string{"GITHUB_API_URL": "http://api.github.com"}, "must be an https URL"},
		{"foreign_api", map[string]string{"GITHUB_API_URL": "https://api.evil.example"}, "does not belong to the server"},
		{"userinfo_api", map[string]string{"GITHUB_API_URL": "http://localhost@evil.example"}, "user info"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := newRunner(t, "tag_push")
			extra := map[string]string{"INPUT_SUBJECT-PATH": "dist/*", "INPUT_DRY-RUN": "true"}
			maps.Copy(extra, tc.env)
			code, _, stderr := r.run(extra, "attest")
			if code != ExitError || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, want %d with %q; stderr: %s", code, ExitError, tc.want, stderr)
			}
			if n := r.oidc.TokenRequests(); n != 0 {
				t.Errorf("fetched a token %d times", n)
			}
		})
	}
}

// TestAttest_forgedReportedOnce checks that a token disagreeing with both
// the environment and the event payload is explained once, with both
// mismatches.
func TestAttest_forgedReportedOnce(t *testing.T) {
	t.Parallel()
	r := newRunner(t, "tag_push", fakeoidc.WithClaims(map[string]any{"repository": "evil-org/evil"}))
	code, _, stderr := r.run(map[string]string{"INPUT_SUBJECT-PATH": "dist/*"}, "attest")
	if code != ExitError {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if n := strings.Count(stderr, "the runner environment disagrees"); n != 1 {
		t.Errorf("the explanation is printed %d times, want once:\n%s", n, stderr)
	}
	for _, want := range []string{"GITHUB_REPOSITORY:", "event payload repository.full_name:"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
}

// TestAttest_floodOfProblems checks that a checksums file of many bad
// lines prints the first problems and a count, not every line.
func TestAttest_floodOfProblems(t *testing.T) {
	t.Parallel()
	r := newRunner(t, "tag_push")
	r.write("in/sums.txt", strings.Repeat("not a checksum line\n", 200_000))
	code, stdout, stderr := r.run(map[string]string{"INPUT_SUBJECT-CHECKSUMS": "in/sums.txt"}, "attest")
	if code != ExitError {
		t.Fatalf("exit %d", code)
	}
	if !strings.Contains(stderr, "200000 problems") || !strings.Contains(stderr, "and 199950 more not shown") {
		t.Errorf("stderr does not count the problems:\n%.2000s", stderr)
	}
	if n := strings.Count(stderr, "\n  - "); n != 50 {
		t.Errorf("stderr lists %d problems, want 50", n)
	}
	if len(stderr) > 64<<10 || len(stdout) > 64<<10 {
		t.Errorf("stderr is %d bytes and stdout %d bytes, want a few KiB", len(stderr), len(stdout))
	}
}

// TestAttest_continueOnErrorWithoutOutputFile checks that when even the
// outcome cannot be set, the step fails, reports both problems once and
// does not claim to pass.
func TestAttest_continueOnErrorWithoutOutputFile(t *testing.T) {
	t.Parallel()
	r := newRunner(t, "tag_push")
	code, _, stderr := r.run(map[string]string{"INPUT_SUBJECT-PATH": "dist/*", "INPUT_CONTINUE-ON-ERROR": "true",
		"INPUT_DRY-RUN": "maybe", "GITHUB_OUTPUT": filepath.Join(t.TempDir(), "none", "output")}, "attest")
	if code != ExitError {
		t.Errorf("exit %d, want %d", code, ExitError)
	}
	for _, want := range []string{`input dry-run: is "maybe"`, "GITHUB_OUTPUT names"} {
		if n := strings.Count(stderr, want); n != 1 {
			t.Errorf("stderr has %q %d times, want once:\n%s", want, n, stderr)
		}
	}
	if strings.Contains(stderr, "the step passes") {
		t.Errorf("stderr claims the step passes:\n%s", stderr)
	}
}
