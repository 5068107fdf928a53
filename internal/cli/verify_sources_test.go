package cli

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/provenant/provenant/internal/testing/fakegithub"
	"github.com/provenant/provenant/internal/testing/fakerekor"
	"github.com/provenant/provenant/internal/testing/fakesigstore"
)

// runVerifyEnv runs `provenant verify` with the environment env.
func runVerifyEnv(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Main(context.Background(), append([]string{"verify"}, args...), Streams{Stdout: &out, Stderr: &errb, Getenv: func(k string) string { return env[k] }})
	return code, out.String(), errb.String()
}

// sources is an attested artifact, its bundle, its slsa-github-generator
// v1 line logged in a Rekor v1 log, and a trusted root naming the log.
type sources struct {
	dir, app, root string
	plainRoot      string // without the log, for the bundles it does not hold
	bundle, line   []byte
	log            *fakerekor.TestServer
}

func newSources(t *testing.T) sources {
	t.Helper()
	s, err := fakesigstore.New()
	if err != nil {
		t.Fatal(err)
	}
	claims := fakesigstore.GitHubClaims(nil)
	b, err := s.AttestFiles(t.Context(), claims, map[string][]byte{"app": []byte("app\n")})
	if err != nil {
		t.Fatal(err)
	}
	line, err := fakerekor.EnvelopeFromBundle(b)
	if err != nil {
		t.Fatal(err)
	}
	log := fakerekor.NewTestServer(t)
	if _, err := log.AddIntoto(line); err != nil {
		t.Fatal(err)
	}
	base, err := s.TrustedRoot()
	if err != nil {
		t.Fatal(err)
	}
	tr, err := fakerekor.WithLogs(base, log.TransparencyLog(log.URL))
	if err != nil {
		t.Fatal(err)
	}
	rootJSON, err := tr.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	plainJSON, err := base.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	src := sources{dir: t.TempDir(), bundle: b, line: line, log: log}
	src.app, src.root = src.write(t, "app", []byte("app\n")), src.write(t, "root.json", rootJSON)
	src.plainRoot = src.write(t, "plain.json", plainJSON)
	return src
}

func (s sources) write(t *testing.T, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(s.dir, name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestVerify_slsaGitHubGeneratorV1(t *testing.T) {
	src := newSources(t)
	line := src.write(t, "app.intoto.jsonl", append(src.line, '\n'))
	args := []string{src.app, "--provenance-path", line, "--trusted-root", src.root, "--source-uri", "github.com/octo-org/octo-repo"}
	code, stdout, stderr := runVerifyCmd(t, args...)
	if code != ExitOK || !strings.Contains(stdout, "OK ") {
		t.Fatalf("exit %d:\n%s%s", code, stdout, stderr)
	}
	if src.log.Requests(fakerekor.EntriesPath) != 1 {
		t.Errorf("%d entry requests, want 1", src.log.Requests(fakerekor.EntriesPath))
	}
	code, stdout, _ = runVerifyCmd(t, append(args, "--offline")...)
	if code != ExitError || !strings.Contains(stdout, "slsa-github-generator v1 DSSE envelope: needs its Rekor entry: not looked up") {
		t.Errorf("--offline: exit %d:\n%s", code, stdout)
	}
	code, stdout, _ = runVerifyCmd(t, append(args, "--rekor-url", closedURL(t))...)
	if code != ExitError || !strings.Contains(stdout, "the log is unreachable") {
		t.Errorf("--rekor-url of a closed server: exit %d:\n%s", code, stdout)
	}
}

func TestVerify_repo(t *testing.T) {
	src := newSources(t)
	gh := fakegithub.NewTestServer(t)
	if err := gh.CreateRepo(fakegithub.Repo{Owner: "octo-org", Name: "octo-repo"}); err != nil {
		t.Fatal(err)
	}
	if _, err := gh.AddAttestation("octo-org", "octo-repo", src.bundle); err != nil {
		t.Fatal(err)
	}
	stray := src.write(t, "stray", []byte("stray\n"))
	sum := sha256.Sum256([]byte("stray\n"))
	env := map[string]string{"GH_TOKEN": fakegithub.DefaultToken, "GITHUB_API_URL": gh.APIURL}
	root := []string{"--trusted-root", src.plainRoot}
	cases := []struct {
		name string
		env  map[string]string
		args []string
		code int
		want string
	}{
		{"verified", env, []string{src.app, "--repo", "octo-org/octo-repo", "--format", "json"}, ExitOK, `"attestation": "attestations API octo-org/octo-repo #1"`},
		{"repo_implies_source", env, []string{src.app, "--repo", "octo-org/octo-repo"}, ExitOK, "only --source-uri github.com/octo-org/octo-repo constrains the build"},
		{"other_source_uri", env, []string{src.app, "--repo", "octo-org/octo-repo", "--source-uri", "github.com/octo-org/other"}, ExitError, "source repository"},
		{"owner", env, []string{src.app, "--owner", "octo-org"}, ExitOK, "OK "},
		{"other_owner", env, []string{src.app, "--owner", "octo"}, ExitError, "no attestations stored"},
		{"none_stored", env, []string{stray, "--repo", "octo-org/octo-repo"}, ExitError, "no attestations stored for sha256:" + hex.EncodeToString(sum[:]) + " in octo-org/octo-repo"},
		{"github_token", map[string]string{"GITHUB_TOKEN": fakegithub.DefaultToken, "GITHUB_API_URL": gh.APIURL}, []string{src.app, "--repo", "octo-org/octo-repo"}, ExitOK, "OK "},
		{"bad_token", map[string]string{"GH_TOKEN": "not-the-token-42", "GITHUB_API_URL": gh.APIURL}, []string{src.app, "--repo", "octo-org/octo-repo"}, ExitError,
			"needs a token with read access to the repository"},
		{"no_token", map[string]string{"GITHUB_API_URL": gh.APIURL}, []string{src.app, "--repo", "octo-org/octo-repo"}, ExitUsage, "set GH_TOKEN or GITHUB_TOKEN"},
		{"repo_and_owner", env, []string{src.app, "--repo", "octo-org/octo-repo", "--owner", "octo-org"}, ExitUsage, "not both"},
		{"offline", env, []string{src.app, "--repo", "octo-org/octo-repo", "--offline"}, ExitUsage, "--offline with --repo"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runVerifyEnv(t, tc.env, append(tc.args, root...)...)
			if code != tc.code || !strings.Contains(stdout+stderr, tc.want) {
				t.Errorf("exit %d (want %d), output does not hold %q:\n%s%s", code, tc.code, tc.want, stdout, stderr)
			}
			for _, secret := range []string{fakegithub.DefaultToken, "not-the-token-42"} {
				if strings.Contains(stdout+stderr, secret) {
					t.Errorf("the output holds the token %q", secret)
				}
			}
		})
	}
}
