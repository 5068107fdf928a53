package subject

import (
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
