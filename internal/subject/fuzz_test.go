package subject

import (
	"errors"
	"strings"
	"testing"

	"github.com/provenant/provenant/internal/input"
)

// checkEntries fails unless every entry is well formed and every error is an
// *input.Error for name with a line inside text.
func checkEntries(t *testing.T, name, text string, entries []entry, errs []error) {
	t.Helper()
	lines := strings.Count(text, "\n") + 1
	for _, e := range entries {
		if err := checkName(e.name); err != nil {
			t.Errorf("accepted bad name: %v", err)
		}
		if len(e.hex) != e.alg.hexLen() || !isHex(e.hex) || strings.ToLower(e.hex) != e.hex {
			t.Errorf("accepted bad %s digest %q", e.alg, e.hex)
		}
		if e.from.input != name || e.from.line < 1 || e.from.line > lines {
			t.Errorf("bad origin %+v", e.from)
		}
	}
	for _, err := range errs {
		var ie *input.Error
		if !errors.As(err, &ie) || ie.Name != name || ie.Line < 0 || ie.Line > lines {
			t.Errorf("bad error %#v", err)
		}
	}
}

func FuzzParseChecksums(f *testing.F) {
	for _, s := range []string{
		hexA + "  a.txt\n" + hexB + " *b.exe\r\n",
		"SHA256 (a) = " + hexA + "\nSHA512(b)= " + sum512("b"),
		`\` + hexA + `  a\\b\nc`,
		"# comment\n\n   \t\n" + sum384("x") + " x",
		"MD5 (a) = d41d8cd98f00b204e9800998ecf8427e",
		"SHA256 ((a)) = " + hexA,
		"\\",
		"( = ",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		entries, errs := parseChecksums(inChecksums, text)
		checkEntries(t, inChecksums, text, entries, errs)
		_ = isInlineChecksums(text)
	})
}

func FuzzParseBase64Subjects(f *testing.F) {
	for _, s := range []string{
		hexA + "  a.txt\n" + strings.ToUpper(hexB) + " *b.exe\r\n\n",
		hexA + "\tc d",
		hexA,
		"",
		"\n\n",
		hexA + "  *",
	} {
		f.Add([]byte(s), false)
		f.Add([]byte(b64(s)), true)
	}
	f.Add([]byte("QUJD\nQU*D\n"), true)
	f.Add([]byte("YQ="), true)
	f.Fuzz(func(t *testing.T, data []byte, encoded bool) {
		if !encoded {
			entries, errs := parseSHA256Sum(inBase64, string(data))
			checkEntries(t, inBase64, string(data), entries, errs)
			data = []byte(b64(string(data)))
		}
		r := &resolver{opts: &options{}}
		entries := r.base64Subjects(inBase64, data)
		for _, e := range entries {
			if e.alg != sha256Alg || len(e.hex) != 64 || checkName(e.name) != nil {
				t.Errorf("accepted bad entry %+v", e)
			}
		}
		for _, err := range r.errs {
			var ie *input.Error
			if !errors.As(err, &ie) || ie.Name != inBase64 || ie.Line < 0 {
				t.Errorf("bad error %#v", err)
			}
		}
	})
}

func FuzzParseSubjectLine(f *testing.F) {
	for _, s := range []string{
		"a@sha256:" + hexA,
		"user@host/b@" + hexB,
		"x@SHA384:" + sum384("x"),
		"@",
		"a@md5:00",
		"a@sha256:",
		"/abs@" + hexA,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		e, err := parseSubjectLine(line)
		if err != nil {
			return
		}
		if checkName(e.name) != nil || len(e.hex) != e.alg.hexLen() || !isHex(e.hex) || strings.ToLower(e.hex) != e.hex {
			t.Errorf("parseSubjectLine(%q) accepted %+v", line, e)
		}
		if !strings.HasPrefix(line, e.name+"@") {
			t.Errorf("parseSubjectLine(%q) returned name %q", line, e.name)
		}
	})
}

func FuzzGlobMatch(f *testing.F) {
	for _, s := range [][2]string{
		{"dist/**/*.tar.gz", "dist/a/b/c.tar.gz"},
		{"**", ""},
		{"a/**/b/**", "a/b"},
		{"[a-", "a"},
		{`a\*`, "a*"},
		{"exact", "exact"},
		{"**/**/x", "x"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, pattern, p string) {
		g, err := compileGlob(pattern)
		if err != nil {
			return
		}
		got := g.match(p)
		if !hasMeta(pattern) && got != (pattern == p) {
			t.Errorf("literal pattern %q match %q = %v", pattern, p, got)
		}
		if strings.Contains(pattern, "**") {
			return
		}
		// Without "**", a match needs as many elements as the pattern has.
		if got && strings.Count(pattern, "/") != strings.Count(p, "/") {
			t.Errorf("pattern %q matched %q with another depth", pattern, p)
		}
	})
}
