package subject

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/provenant/provenant/internal/input"
	"github.com/provenant/provenant/internal/intoto"
)

type goodCase struct {
	name  string
	files map[string]string
	in    Inputs
	opts  []Option
	want  []intoto.Subject
}

func runGood(t *testing.T, cases []goodCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ws := tree(t, tc.files)
			got, err := Resolve(t.Context(), tc.in, append([]Option{WithWorkspace(ws)}, tc.opts...)...)
			if err != nil {
				t.Fatalf("Resolve() error: %v", err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Resolve() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestResolve_pairAndSubjects(t *testing.T) {
	t.Parallel()
	runGood(t, []goodCase{
		{name: "pair", in: Inputs{Digest: "sha256:" + hexA, Name: "app"}, want: []intoto.Subject{{Name: "app", Digest: d256("a")}}},
		{name: "pair_upper_case_bare_hex", in: Inputs{Digest: strings.ToUpper(hexA), Name: " app\n"}, want: []intoto.Subject{{Name: "app", Digest: d256("a")}}},
		{name: "pair_sha512", in: Inputs{Digest: "SHA512:" + sum512("a"), Name: "pkg.tgz"},
			want: []intoto.Subject{{Name: "pkg.tgz", Digest: map[string]string{"sha512": sum512("a")}}}},
		{name: "subjects_lines", in: Inputs{Subjects: "\n a@sha256:" + hexA + " \r\nuser@host/b@" + hexB + "\r\n\n"},
			want: []intoto.Subject{{Name: "a", Digest: d256("a")}, {Name: "user@host/b", Digest: d256("b")}}},
		{name: "subjects_sha384_by_length", in: Inputs{Subjects: "x@" + sum384("x")},
			want: []intoto.Subject{{Name: "x", Digest: map[string]string{"sha384": sum384("x")}}}},
		{name: "subjects_exact_duplicates_merge", in: Inputs{Subjects: "a@sha256:" + hexA + "\na@" + strings.ToUpper(hexA)},
			want: []intoto.Subject{{Name: "a", Digest: d256("a")}}},
		{name: "subjects_disjoint_algorithms_merge", in: Inputs{Subjects: "a@sha256:" + hexA + "\nb@" + hexB + "\na@sha512:" + sum512("a")},
			want: []intoto.Subject{{Name: "a", Digest: map[string]string{"sha256": hexA, "sha512": sum512("a")}}, {Name: "b", Digest: d256("b")}}},
		{name: "same_digest_two_names", in: Inputs{Subjects: "a@sha256:" + hexA + "\nalias@sha256:" + hexA},
			want: []intoto.Subject{{Name: "a", Digest: d256("a")}, {Name: "alias", Digest: d256("a")}}},
	})
}

func TestResolve_checksums(t *testing.T) {
	t.Parallel()
	both := map[string]string{"sha256": hexA, "sha512": sum512("a")}
	runGood(t, []goodCase{
		{name: "gnu_text_mode", in: Inputs{Checksums: hexA + "  a.txt\n" + hexB + "  dir/b.txt\n"},
			want: []intoto.Subject{{Name: "a.txt", Digest: d256("a")}, {Name: "dir/b.txt", Digest: d256("b")}}},
		{name: "binary_mode_and_single_space", in: Inputs{Checksums: hexA + " *a.exe\n" + hexB + " b c\n"},
			want: []intoto.Subject{{Name: "a.exe", Digest: d256("a")}, {Name: "b c", Digest: d256("b")}}},
		{name: "crlf_comments_blank_lines", in: Inputs{Checksums: "# release sums\r\n\r\n" + strings.ToUpper(hexA) + "  a\r\n  \r\n"},
			want: []intoto.Subject{{Name: "a", Digest: d256("a")}}},
		{name: "bsd_style", in: Inputs{Checksums: "SHA256 (a (copy).txt) = " + hexA + "\nSHA512 (a (copy).txt) = " + sum512("a") + "\n"},
			want: []intoto.Subject{{Name: "a (copy).txt", Digest: both}}},
		{name: "bsd_sha384_openssl_spacing", in: Inputs{Checksums: "SHA384(x)= " + sum384("x")},
			want: []intoto.Subject{{Name: "x", Digest: map[string]string{"sha384": sum384("x")}}}},
		{name: "lengths_pick_algorithm", in: Inputs{Checksums: sum384("x") + "  x\n" + sum512("y") + "  y\n"},
			want: []intoto.Subject{{Name: "x", Digest: map[string]string{"sha384": sum384("x")}}, {Name: "y", Digest: map[string]string{"sha512": sum512("y")}}}},
		{name: "gnu_escaped_name", in: Inputs{Checksums: `\` + hexA + `  back\\slash` + "\n"},
			want: []intoto.Subject{{Name: `back\slash`, Digest: d256("a")}}},
		{name: "gnu_name_starting_with_paren", in: Inputs{Checksums: hexA + " (a).txt"},
			want: []intoto.Subject{{Name: "(a).txt", Digest: d256("a")}}},
		{name: "single_line_inline", in: Inputs{Checksums: hexA + "  a"}, want: []intoto.Subject{{Name: "a", Digest: d256("a")}}},
		{name: "relative_file_with_bom", files: map[string]string{"out/SHA256SUMS": "\uFEFF" + hexA + "  a\n"}, in: Inputs{Checksums: "out/SHA256SUMS\n"},
			want: []intoto.Subject{{Name: "a", Digest: d256("a")}}},
		{name: "file_with_crlf", files: map[string]string{"SUMS": hexA + " *a\r\n" + hexB + " *b\r\n"}, in: Inputs{Checksums: "SUMS"},
			want: []intoto.Subject{{Name: "a", Digest: d256("a")}, {Name: "b", Digest: d256("b")}}},
	})
}

// TestResolve_checksumsAbsoluteFile reads an absolute path outside the
// workspace only when the front end allows it (the command line outside
// Actions).
func TestResolve_checksumsAbsoluteFile(t *testing.T) {
	t.Parallel()
	elsewhere := tree(t, map[string]string{"SUMS": hexA + "  a\n"})
	got, err := Resolve(t.Context(), Inputs{Checksums: filepath.Join(elsewhere, "SUMS")},
		WithPaths(input.Workspace{Dir: t.TempDir(), AllowAbsolute: true}))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]intoto.Subject{{Name: "a", Digest: d256("a")}}, got); diff != "" {
		t.Errorf("Resolve() mismatch (-want +got):\n%s", diff)
	}
}

// TestResolve_inputFilesStayInWorkspace refuses input files outside the
// workspace by default, whether named absolutely, through "..", or through
// a symlink, and never quotes their content.
func TestResolve_inputFilesStayInWorkspace(t *testing.T) {
	t.Parallel()
	secret := "root:x:0:0:root:/root:/bin/bash"
	elsewhere := tree(t, map[string]string{"passwd": secret + "\n"})
	for _, tc := range []struct {
		name string
		in   func(ws string) Inputs
	}{
		{"checksums_absolute", func(string) Inputs { return Inputs{Checksums: filepath.Join(elsewhere, "passwd")} }},
		{"base64_file_absolute", func(string) Inputs { return Inputs{Base64File: filepath.Join(elsewhere, "passwd")} }},
		{"checksums_dotdot", func(ws string) Inputs {
			rel, _ := filepath.Rel(ws, filepath.Join(elsewhere, "passwd"))
			return Inputs{Checksums: rel}
		}},
		{"checksums_symlink", func(string) Inputs { return Inputs{Checksums: "link"} }},
		{"base64_file_symlinked_dir", func(string) Inputs { return Inputs{Base64File: "dir/passwd"} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ws := tree(t, map[string]string{"link": "->" + filepath.Join(elsewhere, "passwd"), "dir": "->" + elsewhere})
			_, err := Resolve(t.Context(), tc.in(ws), WithWorkspace(ws))
			if err == nil || !strings.Contains(err.Error(), "workspace") {
				t.Fatalf("Resolve() = %v, want a refusal naming the workspace", err)
			}
			if strings.Contains(err.Error(), "root:") {
				t.Errorf("the error quotes the file: %v", err)
			}
		})
	}
}

func TestResolve_base64(t *testing.T) {
	t.Parallel()
	text := hexA + "  a.txt\n" + strings.ToUpper(hexB) + " *b.exe\n\n" + sum256("c") + "\t  c d\r\n"
	want := []intoto.Subject{{Name: "a.txt", Digest: d256("a")}, {Name: "b.exe", Digest: d256("b")}, {Name: "c d", Digest: d256("c")}}
	wrapped := wrap76(b64(strings.Repeat(text, 4)))
	runGood(t, []goodCase{
		{name: "inline", in: Inputs{Base64: b64(text)}, want: want},
		{name: "surrounding_white_space", in: Inputs{Base64: "\n  " + b64(text) + " \r\n"}, want: want},
		{name: "line_wrapped", in: Inputs{Base64: wrapped}, want: want},
		{name: "file", files: map[string]string{"subjects.b64": wrapped + "\n"}, in: Inputs{Base64File: "subjects.b64"}, want: want},
		{name: "inline_and_file_merge", files: map[string]string{"s.b64": b64(hexA + "  a.txt\n" + sum256("z") + "  z\n")},
			in: Inputs{Base64: b64(text), Base64File: " s.b64 "}, want: append(append([]intoto.Subject{}, want...), intoto.Subject{Name: "z", Digest: d256("z")})},
	})
}

// wrap76 wraps base64 text the way `base64` does by default.
func wrap76(s string) string {
	var b strings.Builder
	for len(s) > 76 {
		b.WriteString(s[:76] + "\n")
		s = s[76:]
	}
	b.WriteString(s)
	return b.String()
}

func TestResolve_images(t *testing.T) {
	t.Parallel()
	runGood(t, []goodCase{
		{name: "digest_only", in: Inputs{Images: "ghcr.io/acme/app@sha256:" + hexA}, want: []intoto.Subject{{Name: "ghcr.io/acme/app", Digest: d256("a")}}},
		{name: "tag_and_digest", in: Inputs{Images: "ghcr.io/acme/app:1.0@sha256:" + hexA}, want: []intoto.Subject{{Name: "ghcr.io/acme/app", Digest: d256("a")}}},
		{name: "list_with_port_and_docker_hub", in: Inputs{Images: "localhost:5000/x/y:v1@sha256:" + hexA + ",\n ubuntu@sha256:" + hexB},
			want: []intoto.Subject{{Name: "localhost:5000/x/y", Digest: d256("a")}, {Name: "index.docker.io/library/ubuntu", Digest: d256("b")}}},
		{name: "same_image_twice", in: Inputs{Images: "ghcr.io/acme/app:1@sha256:" + hexA + "\nghcr.io/acme/app:latest@sha256:" + hexA},
			want: []intoto.Subject{{Name: "ghcr.io/acme/app", Digest: d256("a")}}},
		{name: "container_generator_style", in: Inputs{Images: " ghcr.io/acme/app\n", ImageDigest: "sha256:" + strings.ToUpper(hexA)},
			want: []intoto.Subject{{Name: "ghcr.io/acme/app", Digest: d256("a")}}},
		{name: "container_generator_docker_io", in: Inputs{Images: "docker.io/acme/app", ImageDigest: "sha256:" + hexA},
			want: []intoto.Subject{{Name: "index.docker.io/acme/app", Digest: d256("a")}}},
	})
}

// TestResolve_order checks that every source contributes, in the documented
// order, and that a name seen again keeps its first position.
func TestResolve_order(t *testing.T) {
	t.Parallel()
	files := map[string]string{"z.txt": "z", "m.txt": "m", "SUMS": hexB + "  sums-b\n" + sum256("z") + "  z.txt\n"}
	in := Inputs{
		Paths:      "*.txt",
		Digest:     "sha256:" + hexA,
		Name:       "pair",
		Subjects:   "line@" + hexA + "\nm.txt@sha512:" + sum512("m"),
		Checksums:  "SUMS",
		Base64:     b64(hexB + "  b64\n"),
		Base64File: "s.b64",
		Images:     "ghcr.io/acme/app@sha256:" + hexA,
	}
	files["s.b64"] = b64(hexB + "  b64file\n" + hexB + "  b64\n")
	want := []intoto.Subject{
		{Name: "m.txt", Digest: map[string]string{"sha256": sum256("m"), "sha512": sum512("m")}},
		{Name: "z.txt", Digest: d256("z")},
		{Name: "pair", Digest: d256("a")},
		{Name: "line", Digest: d256("a")},
		{Name: "sums-b", Digest: d256("b")},
		{Name: "b64", Digest: d256("b")},
		{Name: "b64file", Digest: d256("b")},
		{Name: "ghcr.io/acme/app", Digest: d256("a")},
	}
	runGood(t, []goodCase{{name: "all_sources", files: files, in: in, want: want}})
}

func TestResolve_options(t *testing.T) {
	t.Parallel()
	for _, opt := range []Option{WithConcurrency(0), WithWorkspace("")} {
		if _, err := Resolve(t.Context(), Inputs{Subjects: "a@" + hexA}, opt); err == nil {
			t.Error("Resolve() with a bad option succeeded")
		}
	}
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	// The package directory is the default workspace in tests.
	got, err := Resolve(t.Context(), Inputs{Paths: "doc.go", NameStyle: "BASENAME"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(wd, "doc.go"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]intoto.Subject{{Name: "doc.go", Digest: d256(string(b))}}, got); diff != "" {
		t.Errorf("Resolve() mismatch (-want +got):\n%s", diff)
	}
}

func TestResolve_checksumsFixture(t *testing.T) {
	t.Parallel()
	abs, err := filepath.Abs(filepath.Join("testdata", "mixed.sums"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := Resolve(t.Context(), Inputs{Checksums: abs}, WithPaths(input.Workspace{Dir: t.TempDir(), AllowAbsolute: true}))
	if err != nil {
		t.Fatal(err)
	}
	want := []intoto.Subject{
		{Name: "app_linux_amd64.tar.gz", Digest: map[string]string{"sha256": hexA, "sha512": sum512("a")}},
		{Name: "app_windows_amd64.zip", Digest: d256("b")},
		{Name: `weird\name.txt`, Digest: d256("c")},
		{Name: "sbom.spdx.json", Digest: map[string]string{"sha384": sum384("d")}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Resolve() mismatch (-want +got):\n%s", diff)
	}
}
