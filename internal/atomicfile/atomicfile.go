// Package atomicfile writes files so that readers see either the old file,
// or the new one complete and synced, never a half-written one.
package atomicfile

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// ErrExists is returned by Write when the target holds different content
// and overwriting was not allowed.
var ErrExists = errors.New("file exists with different content")

// Write writes data to path through a temporary file in the same directory
// (created with O_EXCL), synced and renamed into place. If path already
// holds exactly data, it is left alone; if it holds something else, Write
// fails with ErrExists unless overwrite is true. Files get mode 0644: they
// are provenance meant to be published, never secrets.
func Write(path string, data []byte, overwrite bool) error {
	return WriteAll([]File{{Path: path, Data: data}}, overwrite)
}

// File is one file of a group written by WriteAll.
type File struct {
	Path string
	Data []byte
}

// WriteAll writes a group of files all or nothing. It first checks every
// target (ErrExists for one holding different content, unless overwrite),
// then writes each to a synced temporary file beside it, then renames them
// into place. On any failure it removes its temporary files, puts back the
// files it had already replaced or removes those it had created, and
// returns the error: the directory then holds what it held before. Targets
// that already hold exactly their data are left alone.
func WriteAll(files []File, overwrite bool) error {
	var todo []File
	for _, f := range files {
		same, err := check(f, overwrite)
		if err != nil {
			return err
		}
		if !same {
			todo = append(todo, f)
		}
	}
	tmps := make([]string, 0, len(todo))
	defer func() {
		for _, t := range tmps {
			os.Remove(t)
		}
	}()
	for _, f := range todo {
		t, err := writeTemp(f.Path, f.Data)
		if err != nil {
			return err
		}
		tmps = append(tmps, t)
	}
	return renameAll(todo, tmps)
}

// check reports whether f.Path already holds f.Data, and fails when it
// holds something else and overwrite is false.
func check(f File, overwrite bool) (bool, error) {
	old, err := os.ReadFile(f.Path)
	switch {
	case err == nil && bytes.Equal(old, f.Data):
		return true, nil
	case err == nil && !overwrite:
		return false, fmt.Errorf("writing %s: %w", f.Path, ErrExists)
	case err != nil && !errors.Is(err, os.ErrNotExist):
		return false, fmt.Errorf("writing %s: %w", f.Path, err)
	}
	return false, nil
}

// renameAll moves each temporary file onto its target. When a rename
// fails it undoes the earlier ones: a target that existed gets its old
// content back (kept in a backup link), a new one is removed.
func renameAll(files []File, tmps []string) error {
	type undo struct{ path, backup string }
	var done []undo
	rollback := func() {
		for i := len(done) - 1; i >= 0; i-- {
			if done[i].backup != "" {
				os.Rename(done[i].backup, done[i].path)
			} else {
				os.Remove(done[i].path)
			}
		}
	}
	for i, f := range files {
		backup := ""
		if _, err := os.Lstat(f.Path); err == nil {
			backup = tmps[i] + ".old"
			if err := os.Link(f.Path, backup); err != nil {
				rollback()
				return fmt.Errorf("keeping a copy of %s: %w", f.Path, err)
			}
		}
		if err := os.Rename(tmps[i], f.Path); err != nil {
			if backup != "" {
				os.Remove(backup)
			}
			rollback()
			return fmt.Errorf("renaming into %s: %w", f.Path, err)
		}
		done = append(done, undo{f.Path, backup})
	}
	for _, d := range done {
		if d.backup != "" {
			os.Remove(d.backup)
		}
	}
	return nil
}

// writeTemp writes data to a synced temporary file beside path and returns
// its name.
func writeTemp(path string, data []byte) (string, error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("creating directory %s: %w", dir, err)
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return "", fmt.Errorf("writing %s: %w", path, err)
	}
	name := tmp.Name()
	err = errors.Join(write(tmp, data), tmp.Close())
	if err != nil {
		os.Remove(name)
		return "", fmt.Errorf("writing %s: %w", path, err)
	}
	return name, nil
}

func write(f *os.File, data []byte) error {
	if _, err := f.Write(data); err != nil {
		return err
	}
	if err := f.Chmod(0o644); err != nil {
		return err
	}
	return f.Sync()
}
