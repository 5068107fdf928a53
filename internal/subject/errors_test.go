package subject

import (
	"encoding/base64"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/provenant/provenant/internal/input"
)

var (
	hexA = sum256("a")
	hexB = sum256("b")
)

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// bigSparseFile makes a file one byte over the input file limit without
// writing a gigabyte.
func bigSparseFile(t *testing.T, p string) {
	t.Helper()
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(maxInputFile + 1); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

type badCase struct {
	name   string
	files  map[string]string
	setup  func(t *testing.T, ws string)
	in     Inputs
	input  string // the input the one error must name
	line   int
	reason string // a substring of the reason
}

func badInputCases() []badCase {
	wrapped := b64(strings.Repeat(hexA+"  a\n", 3))
	wrapped = wrapped[:76] + "\n" + wrapped[76:152] + "\n" + "!" + wrapped[153:]
	return []badCase{
		// base64-subjects and base64-subjects-file
		{name: "base64_garbage", in: Inputs{Base64: "not base64!"}, input: inBase64, line: 1, reason: "not valid base64 at column 4"},
		{name: "base64_bad_on_wrapped_line", in: Inputs{Base64: wrapped}, input: inBase64, line: 3, reason: `unexpected "!"`},
		{name: "base64_missing_padding", in: Inputs{Base64: strings.TrimRight(b64(hexA+"  a\n"), "=")}, input: inBase64, line: 1, reason: "missing \"=\" padding"},
		{name: "base64_decoded_non_hex", in: Inputs{Base64: b64(strings.Repeat("z", 64) + "  a\n")}, input: inBase64, line: 1, reason: "is not hex"},
		{name: "base64_decoded_short_hex", in: Inputs{Base64: b64(hexA[:63] + "  a\n")}, input: inBase64, line: 1, reason: "has 63"},
		{name: "base64_decoded_sha512", in: Inputs{Base64: b64(sum512("a") + "  a\n")}, input: inBase64, line: 1, reason: "a sha256 digest has 64 hex characters"},
		{name: "base64_decoded_no_name", in: Inputs{Base64: b64(hexA + "\n")}, input: inBase64, line: 1, reason: "is not \"<sha256 hex>  <name>\""},
		{name: "base64_decoded_empty_name", in: Inputs{Base64: b64(hexA + "  \n")}, input: inBase64, line: 1, reason: "name is empty"},
		{name: "base64_decoded_second_line", in: Inputs{Base64: b64(hexA + "  a\n\n" + hexB + "  /etc/b\n")}, input: inBase64, line: 3, reason: "absolute path"},
		{name: "base64_duplicate_name", in: Inputs{Base64: b64(hexA + "  a\n" + hexB + "  a\n")}, input: inBase64, line: 2, reason: "base64-subjects line 1"},
		{name: "base64_only_blank", in: Inputs{Base64: b64("\n\n")}, input: inBase64, reason: "holds no subjects"},
		{name: "base64_file_missing", in: Inputs{Base64File: "missing.b64"}, input: inBase64File, reason: "missing.b64\" (relative to the workspace): no such file"},
		{name: "base64_file_bad", files: map[string]string{"s.b64": "QUJD\nQU*D\n"}, in: Inputs{Base64File: "s.b64"}, input: inBase64File, line: 2, reason: "column 3"},
		{name: "base64_file_directory", files: map[string]string{"d/": ""}, in: Inputs{Base64File: "d"}, input: inBase64File, reason: "not a regular file (a directory)"},
		{name: "base64_file_too_large", setup: func(t *testing.T, ws string) { bigSparseFile(t, filepath.Join(ws, "big")) },
			in: Inputs{Base64File: "big"}, input: inBase64File, reason: "at most 1 GiB"},

		// subject-digest and subject-name
		{name: "digest_non_hex", in: Inputs{Digest: "sha256:" + hexA[:63] + "g", Name: "a"}, input: inDigest, reason: `'g' at position 64`},
		{name: "digest_wrong_length", in: Inputs{Digest: "sha256:" + hexA[:32], Name: "a"}, input: inDigest, reason: "has 32"},
		{name: "digest_unknown_algorithm", in: Inputs{Digest: "md5:d41d8cd98f00b204e9800998ecf8427e", Name: "a"}, input: inDigest, reason: `unknown digest algorithm "md5"`},
		{name: "digest_bare_sha1", in: Inputs{Digest: strings.Repeat("ab", 20), Name: "a"}, input: inDigest, reason: "from its length 40"},
		{name: "digest_without_name", in: Inputs{Digest: "sha256:" + hexA}, input: inName, reason: "subject-name is missing"},
		{name: "name_without_digest", in: Inputs{Name: "app"}, input: inDigest, reason: "subject-digest is missing"},
		{name: "name_with_control_char", in: Inputs{Digest: hexA, Name: "a\x1bb"}, input: inName, reason: `control character '\x1b'`},

		// subjects
		{name: "subjects_no_at", in: Inputs{Subjects: "a@" + hexA + "\nb " + hexB}, input: inSubjects, line: 2, reason: "is not name@alg:hex"},
		{name: "subjects_empty_name", in: Inputs{Subjects: "@sha256:" + hexA}, input: inSubjects, line: 1, reason: "name is empty"},
		{name: "subjects_tab_in_name", in: Inputs{Subjects: "a\tb@sha256:" + hexA}, input: inSubjects, line: 1, reason: `"a\tb" contains the control character '\t'`},
		{name: "subjects_del_in_name", in: Inputs{Subjects: "a\x7f@sha256:" + hexA}, input: inSubjects, line: 1, reason: `control character '\x7f'`},
		{name: "subjects_dotdot_name", in: Inputs{Subjects: "dist/../../x@sha256:" + hexA}, input: inSubjects, line: 1, reason: `has a ".." path element`},
		{name: "subjects_absolute_name", in: Inputs{Subjects: "/etc/passwd@sha256:" + hexA}, input: inSubjects, line: 1, reason: "is an absolute path"},
		{name: "subjects_drive_letter_name", in: Inputs{Subjects: `C:\app.exe@sha256:` + hexA}, input: inSubjects, line: 1, reason: "is an absolute path"},
		{name: "subjects_oversized_name", in: Inputs{Subjects: strings.Repeat("n", 4097) + "@sha256:" + hexA}, input: inSubjects, line: 1, reason: "is 4097 bytes long"},
		{name: "subjects_invalid_utf8", in: Inputs{Subjects: "a\xffb@sha256:" + hexA}, input: inSubjects, line: 1, reason: "not valid UTF-8"},
		{name: "subjects_sha512_too_short", in: Inputs{Subjects: "a@SHA512:" + hexA}, input: inSubjects, line: 1, reason: "a sha512 digest has 128 hex characters"},

		// subject-checksums
		{name: "checksums_malformed_line", in: Inputs{Checksums: hexA + "  a\nthis is not a checksum\n"}, input: inChecksums, line: 2, reason: "neither a GNU checksum line"},
		{name: "checksums_malformed_bsd", in: Inputs{Checksums: "SHA256 (a.txt) " + hexA + "\n" + hexB + "  b\n"}, input: inChecksums, line: 1, reason: "malformed BSD-style"},
		{name: "checksums_bsd_md5", in: Inputs{Checksums: "MD5 (a) = d41d8cd98f00b204e9800998ecf8427e\n\n"}, input: inChecksums, line: 1, reason: `unsupported algorithm "MD5"`},
		{name: "checksums_bsd_wrong_length", in: Inputs{Checksums: "# sums\nSHA512 (a) = " + hexA + "\n"}, input: inChecksums, line: 2, reason: "has 64"},
		{name: "checksums_md5_length", in: Inputs{Checksums: "d41d8cd98f00b204e9800998ecf8427e  a\r\n" + hexB + "  b\r\n"}, input: inChecksums, line: 1, reason: "has 32 hex characters"},
		{name: "checksums_bad_escape", in: Inputs{Checksums: `\` + hexA + `  a\qb` + "\n"}, input: inChecksums, line: 1, reason: `unknown escape "\\q"`},
		{name: "checksums_escaped_newline_in_name", in: Inputs{Checksums: `\` + hexA + `  a\nb` + "\n"}, input: inChecksums, line: 1, reason: `control character '\n'`},
		{name: "checksums_bsd_single_line_bad_hex", in: Inputs{Checksums: "SHA256 (a) = xyz"}, input: inChecksums, line: 1, reason: "is not hex"},
		{name: "checksums_file_missing", in: Inputs{Checksums: "SHA256SUMS"}, input: inChecksums, reason: "SHA256SUMS\" (relative to the workspace): no such file"},
		{name: "checksums_file_only_comments", files: map[string]string{"SUMS": "# nothing\n\n"}, in: Inputs{Checksums: "SUMS"}, input: inChecksums, reason: "no checksum lines"},
		{name: "checksums_file_too_large", setup: func(t *testing.T, ws string) { bigSparseFile(t, filepath.Join(ws, "SUMS")) },
			in: Inputs{Checksums: "SUMS"}, input: inChecksums, reason: "at most 1 GiB"},
		{name: "checksums_file_bad_line", files: map[string]string{"SUMS": hexA + " *a\n" + hexB + "\n"}, in: Inputs{Checksums: "SUMS"}, input: inChecksums, line: 2, reason: "neither"},

		// subject-path
		{name: "path_glob_no_match", files: map[string]string{"dist/a.txt": "a"}, in: Inputs{Paths: "dist/*.zip"}, input: inPaths, line: 1, reason: `"dist/*.zip" matched no files; check the path relative to the workspace`},
		{name: "path_plain_missing", in: Inputs{Paths: "a.txt,\n  missing.txt"}, files: map[string]string{"a.txt": "a"}, input: inPaths, line: 2, reason: `"missing.txt" matched no files`},
		{name: "path_directory", files: map[string]string{"dist/a": "a"}, in: Inputs{Paths: "dist"}, input: inPaths, line: 1, reason: `"dist" is a directory`},
		{name: "path_only_directories", files: map[string]string{"dist/x/a": "a", "dist/y/": ""}, in: Inputs{Paths: "dist/*"}, input: inPaths, line: 1, reason: "matched only directories (2)"},
		{name: "path_fifo", setup: func(t *testing.T, ws string) { mkfifo(t, filepath.Join(ws, "pipe")) }, in: Inputs{Paths: "pipe"}, input: inPaths, line: 1, reason: "not a regular file (a named pipe)"},
		{name: "path_fifo_by_glob", setup: func(t *testing.T, ws string) { mkfifo(t, filepath.Join(ws, "pipe.bin")) }, in: Inputs{Paths: "*.bin"}, input: inPaths, line: 1, reason: "not a regular file (a named pipe)"},
		{name: "path_dangling_symlink", files: map[string]string{"a.bin": "->gone.bin"}, in: Inputs{Paths: "*.bin"}, input: inPaths, line: 1, reason: `"a.bin" is a symlink to "gone.bin", which does not exist`},
		{name: "path_symlink_outside", setup: func(t *testing.T, ws string) {
			out := tree(t, map[string]string{"secret": "s"})
			writeTree(t, ws, map[string]string{"dist/secret": "->" + filepath.Join(out, "secret")})
		}, in: Inputs{Paths: "dist/**"}, input: inPaths, line: 1, reason: "symlink points outside the workspace"},
		{name: "path_symlinked_dir_outside", setup: func(t *testing.T, ws string) {
			out := tree(t, map[string]string{"x.bin": "x"})
			writeTree(t, ws, map[string]string{"out": "->" + out})
		}, in: Inputs{Paths: "out/*.bin"}, input: inPaths, line: 1, reason: "symlink points outside the workspace"},
		{name: "path_dotdot_escape", in: Inputs{Paths: "dist/../../etc/passwd"}, input: inPaths, line: 1, reason: "leaves the workspace"},
		{name: "path_absolute_outside", in: Inputs{Paths: "/etc/*"}, input: inPaths, line: 1, reason: `absolute pattern "/etc/*" is outside the workspace`},
		{name: "path_bad_glob", in: Inputs{Paths: "dist/[a"}, input: inPaths, line: 1, reason: "syntax error"},
		{name: "path_control_char_file", files: map[string]string{"a\nb.txt": "x"}, in: Inputs{Paths: "*.txt"}, input: inPaths, line: 1, reason: `control character '\n'`},
		{name: "path_only_separators", in: Inputs{Paths: " , ,\n,"}, input: inPaths, reason: "holds no patterns"},
		{name: "path_basename_conflict", files: map[string]string{"dist/a/x.txt": "1", "dist/b/x.txt": "2"},
			in: Inputs{Paths: "dist/**/*.txt", NameStyle: NameBasename}, input: inPaths, line: 1, reason: "set subject-name-style to relative"},
		{name: "path_name_override_conflict", files: map[string]string{"a.txt": "1", "b.txt": "2"},
			in: Inputs{Paths: "*.txt", Name: "app"}, input: inPaths, line: 1, reason: "subject-name gives every file"},
		{name: "name_style_unknown", in: Inputs{Subjects: "a@" + hexA, NameStyle: "full"}, input: inNameStyle, reason: `is "full"; use relative or basename`},

		// conflicts across sources
		{name: "conflict_subjects_checksums", in: Inputs{Subjects: "a@sha256:" + hexA, Checksums: hexB + "  a\n"}, input: inChecksums, line: 1,
			reason: "from subjects line 1 and " + hexB + " from subject-checksums line 1"},
		{name: "conflict_path_and_pair", files: map[string]string{"a": "a"}, in: Inputs{Paths: "a", Digest: hexB, Name: "a"}, input: inDigest,
			reason: `from "a" (subject-path line 1)`},

		// image and digest
		{name: "image_without_digest", in: Inputs{Images: "ghcr.io/acme/app:1.0"}, input: inImage, line: 1, reason: "`crane digest ghcr.io/acme/app:1.0`"},
		{name: "image_sha512", in: Inputs{Images: "ghcr.io/acme/app@sha512:" + sum512("x")}, input: inImage, line: 1, reason: "only sha256 image digests"},
		{name: "image_bad_reference", in: Inputs{Images: "ghcr.io/Acme/App@sha256:" + hexA}, input: inImage, line: 1, reason: "is not valid"},
		{name: "image_short_digest", in: Inputs{Images: "ghcr.io/acme/app@sha256:abc"}, input: inImage, line: 1, reason: "is not valid"},
		{name: "image_conflict", in: Inputs{Images: "ghcr.io/acme/app:1@sha256:" + hexA + ", ghcr.io/acme/app:2@sha256:" + hexB}, input: inImage, line: 1,
			reason: "one run can attest only one digest per image repository"},
		{name: "image_digest_two_images", in: Inputs{Images: "ghcr.io/acme/a\nghcr.io/acme/b", ImageDigest: "sha256:" + hexA}, input: inImage, reason: "exactly one image name, but it has 2"},
		{name: "image_digest_with_tag", in: Inputs{Images: "ghcr.io/acme/app:1.0", ImageDigest: "sha256:" + hexA}, input: inImage, line: 1, reason: `has the tag "1.0"`},
		{name: "image_digest_with_digest", in: Inputs{Images: "ghcr.io/acme/app@sha256:" + hexA, ImageDigest: "sha256:" + hexA}, input: inImage, line: 1, reason: "without digest"},
		{name: "image_digest_sha512", in: Inputs{Images: "ghcr.io/acme/app", ImageDigest: "sha512:" + sum512("x")}, input: inImageDigest, reason: "must be sha256:"},
		{name: "image_digest_bare_hex", in: Inputs{Images: "ghcr.io/acme/app", ImageDigest: hexA}, input: inImageDigest, reason: "must be sha256:"},
		{name: "image_digest_without_image", in: Inputs{ImageDigest: "sha256:" + hexA}, input: inImage, reason: "image is empty"},

		// nothing at all
		{name: "nothing_given", in: Inputs{Paths: " \n", Subjects: "\n"}, input: inPaths, reason: "no subjects given"},
	}
}

func TestResolve_badInputs(t *testing.T) {
	t.Parallel()
	cases := badInputCases()
	if len(cases) < 40 {
		t.Fatalf("only %d bad-input cases", len(cases))
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ws := tree(t, tc.files)
			if tc.setup != nil {
				tc.setup(t, ws)
			}
			got, err := Resolve(t.Context(), tc.in, WithWorkspace(ws))
			if got != nil {
				t.Errorf("Resolve() returned subjects %v with an error", got)
			}
			errs := input.All(err)
			if len(errs) != 1 {
				t.Fatalf("Resolve() error = %v; want exactly one *input.Error", err)
			}
			type where struct {
				Name string
				Line int
			}
			if diff := cmp.Diff(where{tc.input, tc.line}, where{errs[0].Name, errs[0].Line}); diff != "" {
				t.Errorf("error location mismatch (-want +got):\n%s\nerror: %v", diff, errs[0])
			}
			if !strings.Contains(errs[0].Reason, tc.reason) {
				t.Errorf("reason = %q; want it to contain %q", errs[0].Reason, tc.reason)
			}
		})
	}
}

// TestResolve_unreadableFile needs a file the process cannot read. Root
// reads files whatever their mode, so as root the test re-runs itself in a
// child process that has dropped to an unprivileged user, and passes only
// if the check passed there.
func TestResolve_unreadableFile(t *testing.T) {
	t.Parallel()
	if runningAsRoot() {
		runUnprivileged(t, "TestResolve_unreadableFile")
		return
	}
	ws := tree(t, map[string]string{"secret.bin": "s"})
	if err := os.Chmod(filepath.Join(ws, "secret.bin"), 0); err != nil {
		t.Fatal(err)
	}
	_, err := Resolve(t.Context(), Inputs{Paths: "secret.bin"}, WithWorkspace(ws))
	errs := input.All(err)
	if len(errs) != 1 || errs[0].Name != inPaths || !strings.Contains(errs[0].Reason, "permission denied") {
		t.Fatalf("Resolve() error = %v; want one subject-path error saying permission denied", err)
	}
}

// unprivilegedUID is the user a root test process drops to: nobody.
const unprivilegedUID = 65534

// runUnprivileged runs the test named test again, alone, in a copy of this
// test binary started as unprivilegedUID, and fails unless it passed there.
// The copy and the child's temporary directory live in a directory that
// user can reach, since the go command's build directory is private to root.
func runUnprivileged(t *testing.T, test string) {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatalf("finding the test binary: %v", err)
	}
	dir := t.TempDir()
	tmp := filepath.Join(dir, "tmp")
	if err := os.Mkdir(tmp, 0o700); err != nil {
		t.Fatal(err)
	}
	// t.TempDir makes its directory and the one above it 0700.
	for _, d := range []string{filepath.Dir(dir), dir} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chown(tmp, unprivilegedUID, unprivilegedUID); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, filepath.Base(self))
	copyExecutable(t, self, bin)

	cmd := exec.CommandContext(t.Context(), bin, "-test.run=^"+test+"$", "-test.v", "-test.count=1")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "TMPDIR="+tmp, "GOCOVERDIR=")
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Credential: &syscall.Credential{Uid: unprivilegedUID, Gid: unprivilegedUID, NoSetGroups: true},
	}
	out, err := cmd.CombinedOutput()
	if errors.Is(err, syscall.EINVAL) {
		// Inside a user namespace that maps only root, setuid(65534) fails.
		t.Skipf("cannot start a process as uid %d here (%v): no user to drop to", unprivilegedUID, err)
	}
	if err != nil || !strings.Contains(string(out), "--- PASS: "+test+" ") {
		t.Fatalf("%s as uid %d: %v; want it to run and pass:\n%s", test, unprivilegedUID, err, out)
	}
}

// copyExecutable copies the file src to dst with mode 0755.
func copyExecutable(t *testing.T, src, dst string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o755); err != nil {
		t.Fatal(err)
	}
}

func TestResolve_allErrorsAtOnce(t *testing.T) {
	t.Parallel()
	ws := tree(t, map[string]string{"a.txt": "a"})
	in := Inputs{
		Paths:     "a.txt\nmissing/*.txt",
		Digest:    "sha256:" + hexA,
		Subjects:  "ok@sha256:" + hexA + "\nbad@sha256:xyz\n/abs@sha256:" + hexB,
		Checksums: hexA + "  a.txt\n" + hexB + "  a.txt\nnonsense\n",
		Base64:    "%%%",
		Images:    "ghcr.io/acme/app:latest",
	}
	got, err := Resolve(t.Context(), in, WithWorkspace(ws))
	if got != nil {
		t.Errorf("Resolve() returned subjects with errors: %v", got)
	}
	type where struct {
		Name string
		Line int
	}
	var locs []where
	for _, e := range input.All(err) {
		locs = append(locs, where{e.Name, e.Line})
	}
	want := []where{
		{inPaths, 2},     // missing/*.txt matched nothing
		{inName, 0},      // subject-digest without subject-name
		{inSubjects, 2},  // not hex
		{inSubjects, 3},  // absolute name
		{inChecksums, 3}, // neither format
		{inBase64, 1},    // not base64
		{inImage, 1},     // no digest
		{inChecksums, 2}, // a.txt conflicts with line 1
	}
	if diff := cmp.Diff(want, locs); diff != "" {
		t.Errorf("errors mismatch (-want +got):\n%s\nerror: %v", diff, err)
	}
}
