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
	if old, err := os.ReadFile(path); err == nil {
		if bytes.Equal(old, data) {
			return nil
		}
		if !overwrite {
			return fmt.Errorf("writing %s: %w", path, ErrExists)
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("creating directory %s: %w", dir, err)
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	name := tmp.Name()
	ok := false
	defer func() {
		if !ok {
			tmp.Close()
			os.Remove(name)
		}
	}()
	if _, err := tmp.Write(data); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("syncing %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("closing %s: %w", path, err)
	}
	if err := os.Rename(name, path); err != nil {
		return fmt.Errorf("renaming into %s: %w", path, err)
	}
	ok = true
	return nil
}
