package subject

import (
	"encoding/base64"
	"strings"
	"testing"
)

func TestCheckName(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		bad  string // substring of the error; "" for a good name
	}{
		{"dist/app.tar.gz", ""},
		{"a..b", ""},
		{"...", ""},
		{"..hidden/x", ""},
		{"x..", ""},
		{"ghcr.io/acme/app:1.0", ""},
		{"ünïcode name with spaces", ""},
		{strings.Repeat("n", 4096), ""},
		{"", "empty"},
		{"..", `".."`},
		{"a/..", `".."`},
		{`a\..\b`, `".."`},
		{"a/../b", `".."`},
		{"/abs", "absolute"},
		{`\\server\share`, "absolute"},
		{"c:/x", "absolute"},
		{"C:", ""},
		{"a\u0085b", "control character"},
		{"a\rb", "control character"},
		{strings.Repeat("n", 4097), "4097 bytes"},
	}
	for _, tc := range cases {
		err := checkName(tc.name)
		switch {
		case tc.bad == "" && err != nil:
			t.Errorf("checkName(%q) = %v; want nil", tc.name, err)
		case tc.bad != "" && (err == nil || !strings.Contains(err.Error(), tc.bad)):
			t.Errorf("checkName(%q) = %v; want an error containing %q", tc.name, err, tc.bad)
		}
	}
}

func TestQuote(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("é", 60) // 120 bytes
	got := quote(long)
	if !strings.HasSuffix(got, `"…`) || len(got) > quoteLimit+8 {
		t.Errorf("quote(long) = %q; want it cut to about %d bytes", got, quoteLimit)
	}
	if got := quote("a\nb\x1b"); got != `"a\nb\x1b"` {
		t.Errorf("quote = %s; want control characters escaped", got)
	}
	if got := sanitize("bad: a\x1b[31m"); got != `bad: a\x1b[31m` {
		t.Errorf("sanitize = %q", got)
	}
}

func TestParseDigest(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in      string
		alg     algorithm
		hex     string
		wantErr string
	}{
		{in: "sha256:" + hexA, alg: sha256Alg, hex: hexA},
		{in: "SHA256:" + strings.ToUpper(hexA), alg: sha256Alg, hex: hexA},
		{in: sum384("x"), alg: sha384Alg, hex: sum384("x")},
		{in: "Sha512:" + sum512("x"), alg: sha512Alg, hex: sum512("x")},
		{in: "", wantErr: "empty"},
		{in: "sha1:" + strings.Repeat("a", 40), wantErr: "unknown digest algorithm"},
		{in: "sha256:" + sum512("x"), wantErr: "has 128"},
		{in: strings.Repeat("a", 63), wantErr: "from its length 63"},
		{in: strings.Repeat("x", 64), wantErr: "is not hex"},
		{in: "sha256:", wantErr: "has 0"},
	}
	for _, tc := range cases {
		alg, hex, err := parseDigest(tc.in)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("parseDigest(%q) error = %v; want %q", tc.in, err, tc.wantErr)
			}
			continue
		}
		if err != nil || alg != tc.alg || hex != tc.hex {
			t.Errorf("parseDigest(%q) = %v, %q, %v; want %v, %q", tc.in, alg, hex, err, tc.alg, tc.hex)
		}
	}
}

// TestResolve_deceptiveNames refuses, in every subject source, names with
// characters that change how a name is displayed, and names the code
// point.
func TestResolve_deceptiveNames(t *testing.T) {
	t.Parallel()
	const rlo = "app\u202Egpj.exe" // displays as appexe.jpg
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	cases := []struct {
		name  string
		files map[string]string
		in    Inputs
		want  string
	}{
		{"subject_path", map[string]string{"dist/" + rlo: "x"}, Inputs{Paths: "dist/*"}, "U+202E RIGHT-TO-LEFT OVERRIDE"},
		{"subject_name", nil, Inputs{Digest: "sha256:" + hexA, Name: rlo}, "U+202E RIGHT-TO-LEFT OVERRIDE"},
		{"subject_name_for_paths", map[string]string{"dist/a": "x"}, Inputs{Paths: "dist/*", Name: "a\u200Bb"}, "U+200B ZERO WIDTH SPACE"},
		{"subjects", nil, Inputs{Subjects: "a\u2066b@sha256:" + hexA}, "U+2066 LEFT-TO-RIGHT ISOLATE"},
		{"checksums", nil, Inputs{Checksums: hexA + "  a\u2028b\n" + hexB + "  c\n"}, "U+2028 LINE SEPARATOR"},
		{"base64", nil, Inputs{Base64: b64(hexA + "  x\u061Cy\n")}, "U+061C ARABIC LETTER MARK"},
		{"base64_file", map[string]string{"subjects.b64": b64(hexA + "  x\uFEFFy\n")}, Inputs{Base64File: "subjects.b64"}, "U+FEFF ZERO WIDTH NO-BREAK SPACE"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := Resolve(t.Context(), tc.in, WithWorkspace(tree(t, tc.files)))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Resolve() error = %v; want one naming %s", err, tc.want)
			}
		})
	}
}
