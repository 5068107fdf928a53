package subject

import "testing"

func TestGlob_match(t *testing.T) {
	t.Parallel()
	cases := []struct {
		pattern, path string
		want          bool
	}{
		{"dist/**/*.tar.gz", "dist/a.tar.gz", true},
		{"dist/**/*.tar.gz", "dist/x/y/a.tar.gz", true},
		{"dist/**/*.tar.gz", "dist/x/y/a.zip", false},
		{"dist/**/*.tar.gz", "other/a.tar.gz", false},
		{"**", "a/b/c", true},
		{"**/a", "a", true},
		{"**/a", "x/y/a", true},
		{"**/a", "x/y/ab", false},
		{"a/**", "a", true},
		{"a/**/**/b", "a/b", true},
		{"a/**/x/**/b", "a/1/x/2/3/b", true},
		{"a/**/x/**/b", "a/1/2/3/b", false},
		{"*.txt", "dir/a.txt", false},
		{"a**b", "axxb", true},
		{"a**b", "a/b", false},
		{"v[0-9].bin", "v7.bin", true},
		{"v?.bin", "v10.bin", false},
		{"exact/path", "exact/path", true},
		{"exact/path", "exact/path2", false},
	}
	for _, tc := range cases {
		g, err := compileGlob(tc.pattern)
		if err != nil {
			t.Fatalf("compileGlob(%q): %v", tc.pattern, err)
		}
		if got := g.match(tc.path); got != tc.want {
			t.Errorf("glob %q match %q = %v; want %v", tc.pattern, tc.path, got, tc.want)
		}
	}
}

func TestGlob_compile(t *testing.T) {
	t.Parallel()
	for _, bad := range []string{"[", "a/[b", `a\`} {
		if _, err := compileGlob(bad); err == nil {
			t.Errorf("compileGlob(%q) succeeded; want a syntax error", bad)
		}
	}
	g, err := compileGlob("a/**/**/**/b")
	if err != nil {
		t.Fatal(err)
	}
	if got := len(g.segs); got != 3 {
		t.Errorf("repeated ** not collapsed: %q", g.segs)
	}
}
