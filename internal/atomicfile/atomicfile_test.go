package atomicfile

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWrite(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		existing  string // "" means no file
		data      string
		overwrite bool
		wantErr   error
		want      string
	}{
		{name: "new_file", data: "a", want: "a"},
		{name: "same_content_left_alone", existing: "a", data: "a", want: "a"},
		{name: "different_content_refused", existing: "a", data: "b", wantErr: ErrExists, want: "a"},
		{name: "different_content_overwritten", existing: "a", data: "b", overwrite: true, want: "b"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			p := filepath.Join(dir, "sub", "f.json")
			if tc.existing != "" {
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, []byte(tc.existing), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			err := Write(p, []byte(tc.data), tc.overwrite)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("Write() error = %v, want %v", err, tc.wantErr)
			}
			got, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.want {
				t.Errorf("content = %q, want %q", got, tc.want)
			}
			entries, _ := os.ReadDir(filepath.Dir(p))
			if len(entries) != 1 {
				t.Errorf("directory holds %d entries, want only the target (no temp files left)", len(entries))
			}
		})
	}
}

func TestWrite_unwritableDirectoryLeavesNothing(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	blocker := filepath.Join(dir, "file")
	if err := os.WriteFile(blocker, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	// A path below a regular file can never be created, even by root.
	if err := Write(filepath.Join(blocker, "x.json"), []byte("x"), false); err == nil {
		t.Fatal("Write() below a regular file succeeded")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries, want 1", len(entries))
	}
}

func TestWriteAll_nothingWrittenWhenOneTargetDiffers(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	a, b := filepath.Join(dir, "multiple.intoto.jsonl"), filepath.Join(dir, "multiple.sigstore.json")
	if err := os.WriteFile(b, []byte("other"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := WriteAll([]File{{a, []byte("new a")}, {b, []byte("new b")}}, false)
	if !errors.Is(err, ErrExists) {
		t.Fatalf("WriteAll = %v, want ErrExists", err)
	}
	if _, err := os.Stat(a); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("%s was written although the group failed (stat: %v)", a, err)
	}
	assertOnly(t, dir, "multiple.sigstore.json")
}

func TestWriteAll_renameFailureRollsBack(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	a, b, c := filepath.Join(dir, "a"), filepath.Join(dir, "b"), filepath.Join(dir, "c")
	if err := os.WriteFile(a, []byte("old a"), 0o644); err != nil {
		t.Fatal(err)
	}
	// c is a non-empty directory: its rename fails after a and b moved.
	if err := os.MkdirAll(filepath.Join(c, "x"), 0o755); err != nil {
		t.Fatal(err)
	}
	err := WriteAll([]File{{a, []byte("new a")}, {b, []byte("new b")}, {c, []byte("new c")}}, true)
	if err == nil {
		t.Fatal("WriteAll onto a directory succeeded")
	}
	if got, _ := os.ReadFile(a); string(got) != "old a" {
		t.Errorf("a = %q after the rollback, want its old content", got)
	}
	if _, err := os.Stat(b); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("b was left behind (stat: %v)", err)
	}
	assertOnly(t, dir, "a", "c")
}

func TestWriteAll_identicalLeftAlone(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	a := filepath.Join(dir, "a")
	if err := os.WriteFile(a, []byte("same"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := WriteAll([]File{{a, []byte("same")}, {filepath.Join(dir, "sub", "b"), []byte("b")}}, false); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(a); st.Mode().Perm() != 0o600 {
		t.Errorf("identical file was rewritten (mode %v)", st.Mode().Perm())
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "sub", "b")); string(got) != "b" {
		t.Errorf("b = %q", got)
	}
}

// assertOnly fails unless dir holds exactly the named entries: no
// temporary or backup file is left behind.
func assertOnly(t *testing.T, dir string, names ...string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range ents {
		got = append(got, e.Name())
	}
	if strings.Join(got, ",") != strings.Join(names, ",") {
		t.Errorf("directory holds %v, want %v", got, names)
	}
}
