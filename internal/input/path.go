package input

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Workspace confines the paths a user gives (input files, the output
// directory) to the workspace. It is the one place that decides whether a
// path may be used; every input that names a file goes through it.
type Workspace struct {
	// Dir is the absolute workspace directory.
	Dir string
	// AllowAbsolute lets an absolute path name a file outside Dir. The
	// command line outside GitHub Actions sets it: there the person who
	// typed the path is the person who runs provenant. In Actions it stays
	// false, since an input may come from anyone who can start the
	// workflow.
	AllowAbsolute bool
	// Container says the process runs as a container action, which sees
	// only the workspace, /github/home, /github/workflow and the
	// file-command files. Refusals then say so.
	Container bool
}

// Resolve returns the path p (relative to Dir unless absolute) with every
// symlink resolved, or an error when it leaves the workspace: through "..",
// as an absolute path (unless AllowAbsolute), or through a symlink. The
// path need not exist; its existing part is resolved and the rest appended.
// A dangling symlink on the way is an error, since creating through it
// would write wherever it points.
func (w Workspace) Resolve(p string) (string, error) {
	if p == "" {
		return "", errors.New("the path is empty")
	}
	shown := strconv.Quote(p)
	if !filepath.IsAbs(p) {
		if c := filepath.ToSlash(filepath.Clean(p)); c == ".." || strings.HasPrefix(c, "../") {
			return "", fmt.Errorf("%s leaves the workspace through %q; %s", shown, "..", w.advice())
		}
	}
	wsReal, err := filepath.EvalSymlinks(w.Dir)
	if err != nil {
		return "", fmt.Errorf("cannot use the workspace %q: %v", w.Dir, cause(err))
	}
	full := p
	if !filepath.IsAbs(full) {
		full = filepath.Join(w.Dir, p)
	}
	real, err := evalExisting(filepath.Clean(full))
	if err != nil {
		return "", fmt.Errorf("cannot resolve %s: %v", shown, err)
	}
	if Within(wsReal, real) || Within(w.Dir, real) {
		return real, nil
	}
	if filepath.IsAbs(p) {
		if w.AllowAbsolute {
			return real, nil
		}
		return "", fmt.Errorf("%s is outside the workspace %q; %s", shown, w.Dir, w.advice())
	}
	return "", fmt.Errorf("%s resolves through a symlink to %q, outside the workspace; %s", shown, real, w.advice())
}

func (w Workspace) advice() string {
	if w.Container {
		return "a container action sees only the workspace (/github/workspace), /github/home, /github/workflow " +
			"and the file-command files, and provenant reads and writes only inside the workspace: put the file there " +
			"and give its path relative to the workspace"
	}
	if w.AllowAbsolute {
		return "give a path inside the workspace, or an absolute path"
	}
	return "in GitHub Actions only paths inside the workspace are accepted: put the file there and give its path " +
		"relative to the workspace"
}

// Within reports whether target lies inside base or is base. Both must be
// absolute and clean.
func Within(base, target string) bool {
	rel, err := filepath.Rel(base, target)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

// evalExisting resolves the symlinks of the longest existing prefix of p,
// an absolute clean path, and appends the rest.
func evalExisting(p string) (string, error) {
	rest := ""
	for {
		r, err := filepath.EvalSymlinks(p)
		if err == nil {
			return filepath.Join(r, rest), nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return "", cause(err)
		}
		if fi, lerr := os.Lstat(p); lerr == nil && fi.Mode()&fs.ModeSymlink != 0 {
			target, _ := os.Readlink(p)
			return "", fmt.Errorf("%q is a symlink to %q, which does not exist (dangling symlink)", p, target)
		}
		parent := filepath.Dir(p)
		if parent == p {
			return filepath.Join(p, rest), nil
		}
		rest = filepath.Join(filepath.Base(p), rest)
		p = parent
	}
}

func cause(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
