package cli

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"testing"

	"github.com/provenant/provenant/internal/testing/fakeoidc"
)

// BenchmarkAttestDryRun100k runs `provenant attest --dry-run` in process,
// as the runner runs the action, on a base64-subjects-file of 100,000
// sha256sum lines, against the fake OIDC issuer. It is the in-process
// counterpart of scripts/bench.sh, there to be profiled:
//
//	go test -run XXX -bench AttestDryRun100k -benchmem \
//	    -cpuprofile cpu.out -memprofile mem.out ./internal/cli
//
// It asserts nothing about speed; the numbers live in BENCHMARKS.md.
func BenchmarkAttestDryRun100k(b *testing.B) {
	const lines = 100_000
	env := benchActionEnv(b, "tag_push")
	ws := env["GITHUB_WORKSPACE"]
	size := benchSubjectsFile(b, filepath.Join(ws, "subjects.b64"), lines)
	for _, pv := range []string{"v1", "v0.2"} {
		b.Run("predicate="+pv, func(b *testing.B) {
			run := maps.Clone(env)
			maps.Copy(run, map[string]string{
				"INPUT_BASE64-SUBJECTS-FILE": "subjects.b64",
				"INPUT_PREDICATE-VERSION":    pv,
				"INPUT_DRY-RUN":              "true",
			})
			getenv := func(k string) string { return run[k] }
			// One checked run first, so that the timed loop can throw the
			// statement away and still be known to do the whole job.
			var out, errb bytes.Buffer
			if code := Main(context.Background(), []string{"attest"}, Streams{Stdout: &out, Stderr: &errb, Getenv: getenv}); code != ExitOK {
				b.Fatalf("attest exit %d\nstderr: %s", code, errb.String())
			}
			if n := benchSubjectCount(b, out.Bytes()); n != lines {
				b.Fatalf("statement has %d subjects; want %d", n, lines)
			}
			b.SetBytes(size)
			b.ReportAllocs()
			for b.Loop() {
				errb.Reset()
				if code := Main(b.Context(), []string{"attest"}, Streams{Stdout: io.Discard, Stderr: &errb, Getenv: getenv}); code != ExitOK {
					b.Fatalf("attest exit %d\nstderr: %s", code, errb.String())
				}
			}
		})
	}
}

// benchActionEnv is the environment of one Actions step for a fixture
// scenario: the runner's variables, the event file, the file-command files
// and a token endpoint on a fake issuer that lives as long as b.
func benchActionEnv(b *testing.B, scenario string) map[string]string {
	b.Helper()
	dir := filepath.Join("..", "..", "testdata", "github", scenario)
	var claims map[string]any
	benchReadJSON(b, filepath.Join(dir, "claims.json"), &claims)
	const token = "bench-request-token"
	srv := fakeoidc.NewTestServer(b, fakeoidc.WithClaims(claims), fakeoidc.WithRequestToken(token))
	var env map[string]string
	benchReadJSON(b, filepath.Join(dir, "env.json"), &env)
	tmp := b.TempDir()
	ws := filepath.Join(tmp, "workspace")
	event := filepath.Join(tmp, "event.json")
	data, err := os.ReadFile(filepath.Join(dir, "event.json"))
	if err != nil {
		b.Fatal(err)
	}
	for p, content := range map[string][]byte{event: data, filepath.Join(tmp, "output"): nil, filepath.Join(tmp, "summary"): nil} {
		if err := os.WriteFile(p, content, 0o600); err != nil {
			b.Fatal(err)
		}
	}
	if err := os.MkdirAll(ws, 0o755); err != nil {
		b.Fatal(err)
	}
	maps.Copy(env, map[string]string{
		"GITHUB_WORKSPACE":               ws,
		"GITHUB_EVENT_PATH":              event,
		"GITHUB_OUTPUT":                  filepath.Join(tmp, "output"),
		"GITHUB_STEP_SUMMARY":            filepath.Join(tmp, "summary"),
		"RUNNER_TEMP":                    tmp,
		"ACTIONS_ID_TOKEN_REQUEST_URL":   srv.TokenRequestURL(),
		"ACTIONS_ID_TOKEN_REQUEST_TOKEN": token,
		"INPUT_OIDC-ISSUER":              srv.URL,
	})
	return env
}

// benchSubjectsFile writes base64 (unwrapped, as `base64 -w0` writes it) of
// n sha256sum lines named dist/pkg-NNNNNN.tar.gz and returns its size.
func benchSubjectsFile(b *testing.B, path string, n int) int64 {
	b.Helper()
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	bw := bufio.NewWriter(f)
	enc := base64.NewEncoder(base64.StdEncoding, bw)
	for i := range n {
		fmt.Fprintf(enc, "%x  dist/pkg-%06d.tar.gz\n", sha256.Sum256(fmt.Append(nil, i)), i)
	}
	if err := enc.Close(); err != nil {
		b.Fatal(err)
	}
	if err := bw.Flush(); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	return fi.Size()
}

// benchSubjectCount counts the subjects of the statement in stdout, past the
// runner commands (::add-mask::…) printed before it.
func benchSubjectCount(b *testing.B, stdout []byte) int {
	b.Helper()
	i := bytes.IndexByte(stdout, '{')
	if i < 0 {
		b.Fatalf("no statement on stdout:\n%.500s", stdout)
	}
	var st struct {
		Subject []json.RawMessage `json:"subject"`
	}
	if err := json.Unmarshal(stdout[i:], &st); err != nil {
		b.Fatalf("statement: %v", err)
	}
	return len(st.Subject)
}

func benchReadJSON(b *testing.B, path string, v any) {
	b.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		b.Fatalf("%s: %v", path, err)
	}
}
