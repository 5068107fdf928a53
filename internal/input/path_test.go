package input

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWorkspace_Resolve(t *testing.T) {
	t.Parallel()
	outside := t.TempDir()
	ws := t.TempDir()
	for _, l := range []struct{ link, target string }{
		{"out", outside},
		{"in", filepath.Join(ws, "real")},
		{"dangling", filepath.Join(outside, "none")},
	} {
		if err := os.Symlink(l.target, filepath.Join(ws, l.link)); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(ws, "real"), 0o755); err != nil {
		t.Fatal(err)
	}
	wsReal, _ := filepath.EvalSymlinks(ws)
	outReal, _ := filepath.EvalSymlinks(outside)
	cases := []struct {
		name      string
		w         Workspace
		p         string
		want      string // "" for an error
		errSubstr string
	}{
		{name: "relative", w: Workspace{Dir: ws}, p: "a/b.json", want: filepath.Join(wsReal, "a", "b.json")},
		{name: "dot", w: Workspace{Dir: ws}, p: ".", want: wsReal},
		{name: "symlink_inside", w: Workspace{Dir: ws}, p: "in/x", want: filepath.Join(wsReal, "real", "x")},
		{name: "absolute_inside", w: Workspace{Dir: ws}, p: filepath.Join(ws, "a"), want: filepath.Join(wsReal, "a")},
		{name: "dotdot", w: Workspace{Dir: ws}, p: "a/../../x", errSubstr: "leaves the workspace"},
		{name: "absolute_outside", w: Workspace{Dir: ws}, p: "/etc/passwd", errSubstr: "outside the workspace"},
		{name: "absolute_outside_allowed", w: Workspace{Dir: ws, AllowAbsolute: true}, p: filepath.Join(outside, "f"), want: filepath.Join(outReal, "f")},
		{name: "symlink_out", w: Workspace{Dir: ws}, p: "out/f", errSubstr: "symlink"},
		{name: "symlink_out_even_when_absolute_allowed", w: Workspace{Dir: ws, AllowAbsolute: true}, p: "out/f", errSubstr: "symlink"},
		{name: "dangling", w: Workspace{Dir: ws}, p: "dangling/f", errSubstr: "dangling"},
		{name: "container_names_what_it_sees", w: Workspace{Dir: ws, Container: true}, p: "/runner/_work/_temp/root.json",
			errSubstr: "/github/home, /github/workflow and the file-command files"},
		{name: "empty", w: Workspace{Dir: ws}, p: "", errSubstr: "empty"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := tc.w.Resolve(tc.p)
			if tc.want != "" {
				if err != nil || got != tc.want {
					t.Errorf("Resolve(%q) = %q, %v; want %q", tc.p, got, err, tc.want)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.errSubstr) {
				t.Errorf("Resolve(%q) = %q, %v; want an error with %q", tc.p, got, err, tc.errSubstr)
			}
		})
	}
}
