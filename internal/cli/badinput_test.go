package cli

import (
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

const (
	hexA = "b569bf992b287f55d78bf8ee476497e9b7e9d2bf1c338860bfb905016218c740"
	hexB = "a54fc515e616cac7fcf11a49d5c5ec9ec315948a5935c1e11dd610b834b14dde"
)

// badInput is one case of TestAttest_badInputs.
type badInput struct {
	name   string
	inputs map[string]string
	setup  func(r *runner)
	input  string // input name the error must carry
	line   int
	reason string // substring of the reason
}

// TestAttest_badInputs runs attest as the action with one bad input at a
// time. Each must exit 1, name the input (and line), say what is wrong, write
// nothing, and never get as far as fetching a token.
func TestAttest_badInputs(t *testing.T) {
	t.Parallel()
	cases := []badInput{
		{name: "no_subjects", inputs: map[string]string{}, input: "subject-path", reason: "no subjects"},
		{name: "glob_matches_nothing", inputs: map[string]string{"SUBJECT-PATH": "build/*.tar.gz"}, input: "subject-path", line: 1, reason: "matched no files"},
		{name: "second_pattern_matches_nothing", inputs: map[string]string{"SUBJECT-PATH": "dist/*\nmissing.zip"}, input: "subject-path", line: 2, reason: "no files"},
		{name: "directory", inputs: map[string]string{"SUBJECT-PATH": "dist"}, input: "subject-path", line: 1, reason: "directory"},
		{name: "path_escapes_workspace", inputs: map[string]string{"SUBJECT-PATH": "../outside.txt"}, input: "subject-path", line: 1, reason: "workspace"},
		{name: "absolute_path_outside", inputs: map[string]string{"SUBJECT-PATH": "/etc/hostname"}, input: "subject-path", line: 1, reason: "workspace"},
		{name: "symlink_out_of_workspace", inputs: map[string]string{"SUBJECT-PATH": "dist/link"},
			setup: func(r *runner) { mustSymlink(r.t, "/etc/hostname", filepath.Join(r.ws, "dist", "link")) }, input: "subject-path", line: 1, reason: "outside the workspace"},
		{name: "dangling_symlink", inputs: map[string]string{"SUBJECT-PATH": "dist/dangling"},
			setup: func(r *runner) {
				mustSymlink(r.t, filepath.Join(r.ws, "nowhere"), filepath.Join(r.ws, "dist", "dangling"))
			}, input: "subject-path", line: 1, reason: ""},
		{name: "unreadable_fifo", inputs: map[string]string{"SUBJECT-PATH": "dist/fifo"},
			setup: func(r *runner) { mustFifo(r.t, filepath.Join(r.ws, "dist", "fifo")) }, input: "subject-path", line: 1, reason: ""},
		{name: "bad_name_style", inputs: map[string]string{"SUBJECT-PATH": "dist/*", "SUBJECT-NAME-STYLE": "short"}, input: "subject-name-style", reason: "relative or basename"},
		{name: "digest_without_name", inputs: map[string]string{"SUBJECT-DIGEST": "sha256:" + hexA}, input: "subject-name", reason: ""},
		{name: "name_without_digest", inputs: map[string]string{"SUBJECT-NAME": "app"}, input: "subject-digest", reason: ""},
		{name: "digest_not_hex", inputs: map[string]string{"SUBJECT-DIGEST": "sha256:" + strings.Repeat("z", 64), "SUBJECT-NAME": "app"}, input: "subject-digest", reason: "hex"},
		{name: "digest_wrong_length", inputs: map[string]string{"SUBJECT-DIGEST": "sha256:abcd", "SUBJECT-NAME": "app"}, input: "subject-digest", reason: "64"},
		{name: "digest_unknown_algorithm", inputs: map[string]string{"SUBJECT-DIGEST": "md5:" + hexA[:32], "SUBJECT-NAME": "app"}, input: "subject-digest", reason: "md5"},
		{name: "name_with_newline_via_subjects", inputs: map[string]string{"SUBJECTS": "ok@sha256:" + hexA + "\nbad\x01name@sha256:" + hexB}, input: "subjects", line: 2, reason: "control"},
		{name: "subjects_line_without_digest", inputs: map[string]string{"SUBJECTS": "app-1.0.tar.gz"}, input: "subjects", line: 1, reason: ""},
		{name: "subjects_empty_name", inputs: map[string]string{"SUBJECTS": "@sha256:" + hexA}, input: "subjects", line: 1, reason: "empty"},
		{name: "subjects_dotdot_name", inputs: map[string]string{"SUBJECTS": "../../etc/passwd@sha256:" + hexA}, input: "subjects", line: 1, reason: ".."},
		{name: "subjects_absolute_name", inputs: map[string]string{"SUBJECTS": "/usr/bin/app@sha256:" + hexA}, input: "subjects", line: 1, reason: "absolute"},
		{name: "conflicting_duplicate", inputs: map[string]string{"SUBJECTS": "app@sha256:" + hexA + "\napp@sha256:" + hexB}, input: "subjects", line: 2, reason: "app"},
		{name: "checksums_file_missing", inputs: map[string]string{"SUBJECT-CHECKSUMS": "checksums.txt"}, input: "subject-checksums", reason: "checksums.txt"},
		{name: "checksums_malformed_line", inputs: map[string]string{"SUBJECT-CHECKSUMS": "in/sums.txt"},
			setup: func(r *runner) { r.write("in/sums.txt", hexA+"  a.tgz\nthis is not a checksum line\n") }, input: "subject-checksums", line: 2, reason: ""},
		{name: "checksums_bad_bsd_line", inputs: map[string]string{"SUBJECT-CHECKSUMS": "in/sums.txt"},
			setup: func(r *runner) { r.write("in/sums.txt", "SHA256 (a.tgz) = "+hexA[:10]+"\n") }, input: "subject-checksums", line: 1, reason: ""},
		{name: "checksums_non_hex", inputs: map[string]string{"SUBJECT-CHECKSUMS": "in/sums.txt"},
			setup: func(r *runner) {
				r.write("in/sums.txt", hexA+"  a.tgz\n"+hexB+"  b.tgz\n"+strings.Repeat("g", 64)+"  c.tgz\n")
			}, input: "subject-checksums", line: 3, reason: ""},
		{name: "base64_not_base64", inputs: map[string]string{"BASE64-SUBJECTS": "not base64 at all!"}, input: "base64-subjects", line: 1, reason: "base64"},
		{name: "base64_line_not_hex", inputs: map[string]string{"BASE64-SUBJECTS": b64(hexA + "  a.tgz\nxyz  b.tgz\n")}, input: "base64-subjects", line: 2, reason: ""},
		{name: "base64_sha512_refused", inputs: map[string]string{"BASE64-SUBJECTS": b64(strings.Repeat("ab", 64) + "  a.tgz\n")}, input: "base64-subjects", line: 1, reason: ""},
		{name: "base64_empty_name", inputs: map[string]string{"BASE64-SUBJECTS": b64(hexA + "  \n")}, input: "base64-subjects", line: 1, reason: ""},
		{name: "base64_control_char_name", inputs: map[string]string{"BASE64-SUBJECTS": b64(hexA + "  a\x1b[31m.tgz\n")}, input: "base64-subjects", line: 1, reason: "control"},
		{name: "base64_duplicate_conflict", inputs: map[string]string{"BASE64-SUBJECTS": b64(hexA + "  a.tgz\n" + hexB + "  a.tgz\n")}, input: "base64-subjects", line: 2, reason: "a.tgz"},
		{name: "base64_file_missing", inputs: map[string]string{"BASE64-SUBJECTS-FILE": "in/subjects.b64"}, input: "base64-subjects-file", reason: "subjects.b64"},
		{name: "base64_file_bad_content", inputs: map[string]string{"BASE64-SUBJECTS-FILE": "in/subjects.b64"},
			setup: func(r *runner) { r.write("in/subjects.b64", b64(hexA+"  a.tgz\n"+hexB+"\n")) }, input: "base64-subjects-file", line: 2, reason: ""},
		{name: "image_without_digest", inputs: map[string]string{"IMAGE": "ghcr.io/octo-org/app:1.2.3"}, input: "image", line: 1, reason: "digest"},
		{name: "image_sha512_digest", inputs: map[string]string{"IMAGE": "ghcr.io/octo-org/app@sha512:" + strings.Repeat("ab", 64)}, input: "image", line: 1, reason: ""},
		{name: "image_bad_reference", inputs: map[string]string{"IMAGE": "ghcr.io/Octo Org/app@sha256:" + hexA}, input: "image", line: 1, reason: ""},
		{name: "image_digest_with_two_images", inputs: map[string]string{"IMAGE": "ghcr.io/a/b\nghcr.io/a/c", "DIGEST": "sha256:" + hexA}, input: "image", reason: ""},
		{name: "bad_predicate_version", inputs: map[string]string{"SUBJECT-PATH": "dist/*", "PREDICATE-VERSION": "v0.3"}, input: "predicate-version", reason: "v0.2"},
		{name: "bad_boolean", inputs: map[string]string{"SUBJECT-PATH": "dist/*", "DRY-RUN": "yes"}, input: "dry-run", reason: "true or false"},
		{name: "bad_provenance_name", inputs: map[string]string{"SUBJECT-PATH": "dist/*", "PROVENANCE-NAME": "prov.json"}, input: "provenance-name", reason: ".intoto.jsonl"},
		{name: "provenance_name_with_dir", inputs: map[string]string{"SUBJECT-PATH": "dist/*", "PROVENANCE-NAME": "x/p.intoto.jsonl"}, input: "provenance-name", reason: "plain file name"},
		{name: "output_dir_escapes", inputs: map[string]string{"SUBJECT-PATH": "dist/*", "OUTPUT-DIR": "../up"}, input: "output-dir", reason: "leaves the workspace"},
		{name: "output_dir_absolute", inputs: map[string]string{"SUBJECT-PATH": "dist/*", "OUTPUT-DIR": "/tmp"}, input: "output-dir", reason: "outside the workspace"},
		{name: "output_dir_symlink_out", inputs: map[string]string{"SUBJECT-PATH": "dist/*", "OUTPUT-DIR": "in/out/sub"},
			setup: func(r *runner) {
				r.write("in/.keep", "")
				mustSymlink(r.t, r.t.TempDir(), filepath.Join(r.ws, "in", "out"))
			}, input: "output-dir", reason: "symlink"},
		{name: "provenance_name_dotdot", inputs: map[string]string{"SUBJECT-PATH": "dist/*", "PROVENANCE-NAME": "..intoto.jsonl"}, input: "provenance-name", reason: ".."},
		{name: "checksums_outside_workspace", inputs: map[string]string{"SUBJECT-CHECKSUMS": "/etc/passwd"}, input: "subject-checksums", reason: "outside the workspace"},
		{name: "base64_file_outside_workspace", inputs: map[string]string{"BASE64-SUBJECTS-FILE": "/etc/passwd"}, input: "base64-subjects-file", reason: "outside the workspace"},
		{name: "checksums_symlink_out", inputs: map[string]string{"SUBJECT-CHECKSUMS": "in/sums.txt"},
			setup: func(r *runner) { mustSymlink(r.t, "/etc/passwd", filepath.Join(r.ws, "in", "sums.txt")) }, input: "subject-checksums", reason: "symlink"},
		{name: "trusted_root_outside_workspace", inputs: map[string]string{"SUBJECT-PATH": "dist/*", "TRUSTED-ROOT": "/etc/passwd"}, input: "trusted-root", reason: "outside the workspace"},
		{name: "trusted_root_missing", inputs: map[string]string{"SUBJECT-PATH": "dist/*", "TRUSTED-ROOT": "in/none.json"}, input: "trusted-root", reason: "does not exist"},
		{name: "sigstore_unknown", inputs: map[string]string{"SUBJECT-PATH": "dist/*", "SIGSTORE": "public_good"}, input: "sigstore", reason: "public-good"},
		{name: "sigstore_github_without_root", inputs: map[string]string{"SUBJECT-PATH": "dist/*", "SIGSTORE": "github", "TRUSTED-ROOT": ""}, input: "trusted-root", reason: "github"},
		{name: "dry_run_checks_trusted_root", inputs: map[string]string{"SUBJECT-PATH": "dist/*", "DRY-RUN": "true", "TRUSTED-ROOT": "in/none.json"}, input: "trusted-root", reason: "does not exist"},
		{name: "subjects_bidi_override", inputs: map[string]string{"SUBJECTS": "app\u202Egpj.exe@sha256:" + hexA}, input: "subjects", line: 1, reason: "U+202E RIGHT-TO-LEFT OVERRIDE"},
		{name: "checksums_zero_width", inputs: map[string]string{"SUBJECT-CHECKSUMS": hexA + "  app\u200B.tgz\n"}, input: "subject-checksums", line: 1, reason: "U+200B ZERO WIDTH SPACE"},
		{name: "provenance_name_bidi", inputs: map[string]string{"SUBJECT-PATH": "dist/*", "PROVENANCE-NAME": "x\u2067.intoto.jsonl"}, input: "provenance-name", reason: "U+2067 RIGHT-TO-LEFT ISOLATE"},
		{name: "vars_not_json", inputs: map[string]string{"SUBJECT-PATH": "dist/*", "VARS": "REGION=eu"}, input: "vars", reason: "JSON object"},
		{name: "push_without_image", inputs: map[string]string{"SUBJECT-PATH": "dist/*", "PUSH-TO-REGISTRY": "true"}, input: "push-to-registry", reason: "no image"},
		{name: "legacy_att_without_push", inputs: map[string]string{"SUBJECT-PATH": "dist/*", "OCI-LEGACY-ATT": "true"}, input: "oci-legacy-att", reason: "push-to-registry"},
		{name: "platforms_without_image", inputs: map[string]string{"SUBJECT-PATH": "dist/*", "ATTEST-PLATFORMS": "true"}, input: "attest-platforms", reason: "no image"},
		{name: "registry_user_without_password", inputs: map[string]string{"SUBJECT-PATH": "dist/*", "REGISTRY-USERNAME": "octocat"}, input: "registry-username", reason: "registry-password"},
		{name: "upload_tag_without_upload", inputs: map[string]string{"SUBJECT-PATH": "dist/*", "UPLOAD-TAG-NAME": "v1"}, input: "upload-tag-name", reason: "upload-assets"},
		{name: "upload_without_token", inputs: map[string]string{"SUBJECT-PATH": "dist/*", "UPLOAD-ASSETS": "true"}, input: "upload-assets", reason: "github-token"},
		{name: "bad_rekor_version", inputs: map[string]string{"SUBJECT-PATH": "dist/*", "REKOR-VERSION": "3"}, input: "rekor-version", reason: "1 or 2"},
		{name: "workflow_inputs_array", inputs: map[string]string{"SUBJECT-PATH": "dist/*", "WORKFLOW-INPUTS": "[1,2]"}, input: "workflow-inputs", reason: "JSON object"},
	}
	if len(cases) < 30 {
		t.Fatalf("only %d bad-input cases", len(cases))
	}
	cat := newCatalogue()
	t.Run("cases", func(t *testing.T) {
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				runBadInput(t, tc, cat)
			})
		}
	})
	cat.check(t, len(cases))
}

// runBadInput runs one case of TestAttest_badInputs and records its
// message in the catalogue.
func runBadInput(t *testing.T, tc badInput, cat *catalogue) {
	t.Helper()
	r := newRunner(t, "tag_push")
	if tc.setup != nil {
		tc.setup(r)
	}
	env := map[string]string{}
	for k, v := range tc.inputs {
		env["INPUT_"+k] = v
	}
	code, _, stderr := r.run(env, "attest")
	if code != ExitError {
		t.Fatalf("exit %d, want %d; stderr:\n%s", code, ExitError, stderr)
	}
	head := fmt.Sprintf("input %s: ", tc.input)
	if tc.line > 0 {
		head = fmt.Sprintf("input %s, line %d: ", tc.input, tc.line)
	}
	idx := strings.Index(stderr, head)
	if idx < 0 {
		t.Fatalf("stderr does not contain %q:\n%s", head, stderr)
	}
	msg := stderr[idx+len(head):]
	if nl := strings.IndexByte(msg, '\n'); nl >= 0 {
		msg = msg[:nl]
	}
	cat.add(tc.name, head+msg, r.ws)
	if len(strings.TrimSpace(msg)) < 10 || !strings.Contains(msg, tc.reason) {
		t.Errorf("reason %q does not explain %q", msg, tc.reason)
	}
	if line, ok := repeatedLine(stderr); ok {
		t.Errorf("stderr says %q twice:\n%s", line, stderr)
	}
	if strings.Contains(stderr, "root:x:0") {
		t.Errorf("stderr quotes a file outside the workspace:\n%s", stderr)
	}
	if !strings.Contains(stderr, "nothing was written") {
		t.Errorf("stderr does not say nothing was written:\n%s", stderr)
	}
	if w := r.written(); len(w) != 0 {
		t.Errorf("wrote %v", w)
	}
	if out := mustRead(t, r.output); len(out) != 0 {
		t.Errorf("set outputs: %s", out)
	}
	if n := r.oidc.TokenRequests(); n != 0 {
		t.Errorf("fetched a token %d times before input validation finished", n)
	}
}

// TestAttest_allProblemsAtOnce checks that independent mistakes are
// reported together, not one per run.
func TestAttest_allProblemsAtOnce(t *testing.T) {
	t.Parallel()
	r := newRunner(t, "tag_push")
	code, _, stderr := r.run(map[string]string{
		"INPUT_SUBJECTS":          "good@sha256:" + hexA + "\nbad@sha256:xyz\n@sha256:" + hexB,
		"INPUT_PREDICATE-VERSION": "v7",
	}, "attest")
	if code != ExitError {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"input subjects, line 2:", "input subjects, line 3:", "input predicate-version:", "3 problems"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
}

func mustSymlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}

// repeatedLine returns a non-blank line that occurs more than once in s.
func repeatedLine(s string) (string, bool) {
	seen := map[string]bool{}
	for _, l := range strings.Split(s, "\n") {
		if strings.TrimSpace(l) == "" {
			continue
		}
		if seen[l] {
			return l, true
		}
		seen[l] = true
	}
	return "", false
}
