package atomicfile

import (
	"errors"
	"os"
	"path/filepath"
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
