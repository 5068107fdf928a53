package subject

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"

	"github.com/provenant/provenant/internal/input"
)

// Progress reports how far hashing the files matched by subject-path has
// got. Hashing starts with the first file matched, so while Matching is
// true the totals are those of the files matched so far and still grow.
type Progress struct {
	FilesDone, FilesTotal int
	BytesDone, BytesTotal int64
	Matching              bool
}

// Option configures Resolve.
type Option func(*options) error

type options struct {
	workspace   string
	paths       input.Workspace
	concurrency int
	progress    func(Progress)
}

// WithWorkspace sets the directory that subject-path patterns, the names of
// the files they match, and relative paths of input files (subject-checksums,
// base64-subjects-file) are relative to. No file outside it, even through a
// symlink, becomes a subject. The default is the process's working
// directory.
func WithWorkspace(dir string) Option {
	return func(o *options) error {
		if dir == "" {
			return errors.New("the workspace directory is empty")
		}
		abs, err := filepath.Abs(dir)
		if err != nil {
			return fmt.Errorf("making the workspace path absolute: %w", err)
		}
		o.workspace = abs
		o.paths.Dir = abs
		return nil
	}
}

// WithPaths sets the workspace and how input files (subject-checksums,
// base64-subjects-file) are confined to it, as input.Workspace says. The
// default confines them to the workspace, absolute paths included.
func WithPaths(w input.Workspace) Option {
	return func(o *options) error {
		if err := WithWorkspace(w.Dir)(o); err != nil {
			return err
		}
		w.Dir = o.workspace
		o.paths = w
		return nil
	}
}

// WithConcurrency sets how many files are hashed at the same time. The
// default is runtime.GOMAXPROCS(0).
func WithConcurrency(n int) Option {
	return func(o *options) error {
		if n < 1 {
			return fmt.Errorf("concurrency is %d; it must be at least 1", n)
		}
		o.concurrency = n
		return nil
	}
}

// WithProgress sets a function that is told how hashing is going: at most
// about five times a second while files are hashed, and once when hashing
// ends. Calls never overlap. It is not called when no file is hashed. The
// default is no reporting.
func WithProgress(f func(Progress)) Option {
	return func(o *options) error {
		o.progress = f
		return nil
	}
}

func newOptions(opts []Option) (*options, error) {
	o := &options{concurrency: runtime.GOMAXPROCS(0)}
	for _, opt := range opts {
		if err := opt(o); err != nil {
			return nil, fmt.Errorf("applying subject options: %w", err)
		}
	}
	if o.workspace == "" {
		wd, err := os.Getwd()
		if err != nil {
			return nil, fmt.Errorf("finding the working directory: %w", err)
		}
		o.workspace = wd
		o.paths.Dir = wd
	}
	return o, nil
}
