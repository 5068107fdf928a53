package subject

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// pathFile is one regular file matched by subject-path.
type pathFile struct {
	rel  string // slash-separated, relative to the workspace
	real string // the file's path with symlinks resolved; this is what is read
	size int64
	line int // the line of subject-path whose pattern matched it first
}

// fromPaths resolves subject-path: it matches every pattern, hashes the
// matched files in parallel and names them. Only cancellation is returned as
// an error; input problems are recorded in r.
func (r *resolver) fromPaths(ctx context.Context, in Inputs, style NameStyle) ([]entry, error) {
	if blank(in.Paths) {
		return nil, nil
	}
	patterns := splitList(in.Paths)
	if len(patterns) == 0 {
		r.fail(inPaths, 0, "%s holds no patterns; give paths or globs separated by newlines or commas", quote(in.Paths))
		return nil, nil
	}
	ws, err := newWorkspace(r.opts.workspace)
	if err != nil {
		r.fail(inPaths, 0, "%v", err)
		return nil, nil
	}
	var files []pathFile
	seen := make(map[string]bool)
	for _, p := range patterns {
		matched, err := r.matchPattern(ctx, ws, p)
		if err != nil {
			return nil, err
		}
		for _, f := range matched {
			if !seen[f.rel] {
				seen[f.rel] = true
				files = append(files, f)
			}
		}
	}
	sums, errs, err := hashFiles(ctx, files, r.opts)
	if err != nil {
		return nil, err
	}
	return r.pathEntries(in, style, files, sums, errs), nil
}

// pathEntries names the hashed files and sorts them by name.
func (r *resolver) pathEntries(in Inputs, style NameStyle, files []pathFile, sums []string, errs []error) []entry {
	override := ""
	if blank(in.Digest) {
		override = strings.TrimSpace(in.Name)
	}
	entries := make([]entry, 0, len(files))
	for i, f := range files {
		if errs[i] != nil {
			r.fail(inPaths, f.line, "cannot read %s: %v", quote(f.rel), pathErrCause(errs[i]))
			continue
		}
		e := entry{name: f.rel, alg: sha256Alg, hex: sums[i], from: origin{input: inPaths, line: f.line, item: f.rel}}
		switch {
		case override != "":
			e.name, e.from.hint = override, hintOverride
		case style == NameBasename:
			e.name, e.from.hint = path.Base(f.rel), hintBasename
		}
		if override == "" {
			if err := checkName(e.name); err != nil {
				r.fail(inPaths, f.line, "file %s: %v", quote(f.rel), err)
				continue
			}
		}
		entries = append(entries, e)
	}
	slices.SortStableFunc(entries, func(a, b entry) int {
		return cmp.Or(strings.Compare(a.name, b.name), strings.Compare(a.from.item, b.from.item))
	})
	return entries
}

// workspace is the directory subject-path is relative to, as given and with
// its symlinks resolved.
type workspace struct {
	dir, real string
}

func newWorkspace(dir string) (workspace, error) {
	real, err := filepath.EvalSymlinks(dir)
	if err == nil {
		var fi fs.FileInfo
		if fi, err = os.Stat(real); err == nil && !fi.IsDir() {
			err = errors.New("not a directory")
		}
	}
	if err != nil {
		return workspace{}, fmt.Errorf("cannot use the workspace %s: %v", quote(dir), pathErrCause(err))
	}
	return workspace{dir: dir, real: real}, nil
}

func (w workspace) abs(rel string) string {
	return filepath.Join(w.dir, filepath.FromSlash(rel))
}

// relPattern turns a pattern into a clean, slash-separated path relative to
// the workspace, refusing patterns that leave it.
func (w workspace) relPattern(p string) (string, error) {
	if filepath.IsAbs(p) {
		rel, ok := within(w.dir, p)
		if !ok {
			rel, ok = within(w.real, p)
		}
		if !ok {
			return "", fmt.Errorf("absolute pattern %s is outside the workspace %s; use a path inside the workspace, "+
				"preferably relative to it", quote(p), quote(w.dir))
		}
		return rel, nil
	}
	c := path.Clean(filepath.ToSlash(p))
	if c == ".." || strings.HasPrefix(c, "../") {
		return "", fmt.Errorf("pattern %s leaves the workspace through %q; subject-path must stay inside the workspace", quote(p), "..")
	}
	return c, nil
}

// within returns target relative to base, slash-separated, if target lies
// inside base (or is base). Both must be absolute.
func within(base, target string) (string, bool) {
	rel, err := filepath.Rel(base, target)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", false
	}
	return filepath.ToSlash(rel), true
}

// matchKind classifies one match of a pattern.
type matchKind uint8

const (
	matchFile matchKind = iota
	matchDir
	matchBad // an error was recorded
)

// matchPattern returns the regular files one pattern matches, recording
// every problem in r.
func (r *resolver) matchPattern(ctx context.Context, ws workspace, p listItem) ([]pathFile, error) {
	rel, err := ws.relPattern(p.text)
	if err != nil {
		r.fail(inPaths, p.line, "%v", err)
		return nil, nil
	}
	g, err := compileGlob(rel)
	if err != nil {
		r.fail(inPaths, p.line, "%v", err)
		return nil, nil
	}
	if g.literal() {
		if f, kind := r.classify(ws, p, rel, false); kind == matchFile {
			return []pathFile{f}, nil
		}
		return nil, nil
	}
	w := &globWalk{r: r, ws: ws, p: p, g: g}
	if err := w.run(ctx); err != nil {
		return nil, err
	}
	var files []pathFile
	dirs, bad := 0, w.failed
	for _, c := range w.found {
		switch f, kind := r.classify(ws, p, c, true); kind {
		case matchFile:
			files = append(files, f)
		case matchDir:
			dirs++
		default:
			bad++
		}
	}
	switch {
	case len(files) > 0 || bad > 0:
	case dirs > 0:
		r.fail(inPaths, p.line, "%s matched only directories (%d); subject-path needs files: add a file pattern such as %s",
			quote(p.text), dirs, quote(path.Join(rel, "*")))
	default:
		r.noMatch(ws, p, rel)
	}
	return files, nil
}

func (r *resolver) noMatch(ws workspace, p listItem, rel string) {
	looked := ""
	if rel != p.text {
		looked = fmt.Sprintf(" (looked for %s)", quote(rel))
	}
	r.fail(inPaths, p.line, "%s matched no files; check the path relative to the workspace %s%s", quote(p.text), quote(ws.dir), looked)
}

// classify stats one match. Directories are an error only for a plain path
// (fromGlob false); for a glob they are skipped, as actions/attest does.
func (r *resolver) classify(ws workspace, p listItem, rel string, fromGlob bool) (pathFile, matchKind) {
	abs := ws.abs(rel)
	fi, err := os.Stat(abs)
	if err != nil {
		r.statFailed(ws, p, rel, fromGlob, err)
		return pathFile{}, matchBad
	}
	switch {
	case fi.IsDir():
		if !fromGlob {
			r.fail(inPaths, p.line, "%s is a directory; subject-path needs files: use a glob such as %s to attest the files in it",
				quote(rel), quote(path.Join(rel, "**")))
		}
		return pathFile{}, matchDir
	case !fi.Mode().IsRegular():
		r.fail(inPaths, p.line, "%s is not a regular file (%s); only regular files can be subjects", quote(rel), fileKind(fi.Mode()))
		return pathFile{}, matchBad
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		r.fail(inPaths, p.line, "cannot resolve %s: %v", quote(rel), pathErrCause(err))
		return pathFile{}, matchBad
	}
	if _, ok := within(ws.real, real); !ok {
		r.fail(inPaths, p.line, "symlink points outside the workspace: %s resolves to %s; only files inside the workspace can be subjects",
			quote(rel), quote(real))
		return pathFile{}, matchBad
	}
	return pathFile{rel: rel, real: real, size: fi.Size(), line: p.line}, matchFile
}

func (r *resolver) statFailed(ws workspace, p listItem, rel string, fromGlob bool, err error) {
	if errors.Is(err, fs.ErrNotExist) {
		if target, lerr := os.Readlink(ws.abs(rel)); lerr == nil {
			r.fail(inPaths, p.line, "%s is a symlink to %s, which does not exist (dangling symlink); fix or remove the link",
				quote(rel), quote(target))
			return
		}
		if !fromGlob {
			r.noMatch(ws, p, rel)
			return
		}
	}
	r.fail(inPaths, p.line, "cannot read %s: %v", quote(rel), pathErrCause(err))
}

// globWalk finds the paths a glob matches. It follows symlinks in the
// pattern's literal prefix (as the OS does) but never walks into a
// symlinked directory, so it cannot loop or wander out of the workspace.
type globWalk struct {
	r      *resolver
	ws     workspace
	p      listItem
	g      glob
	found  []string // slash-separated, relative to the workspace, in walk order
	failed int      // directories that could not be read
}

func (w *globWalk) run(ctx context.Context) error {
	k := w.g.literalPrefix()
	base := path.Join(w.g.segs[:k]...)
	if base == "" {
		base = "."
	}
	if fi, err := os.Stat(w.ws.abs(base)); err != nil || !fi.IsDir() {
		return nil
	}
	return w.walk(ctx, base, w.g.start(k))
}

func (w *globWalk) walk(ctx context.Context, dir string, states []bool) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("matching subject-path: %w", err)
	}
	entries, err := os.ReadDir(w.ws.abs(dir))
	if err != nil {
		w.r.fail(inPaths, w.p.line, "cannot read directory %s: %v", quote(dir), pathErrCause(err))
		w.failed++
		return nil
	}
	for _, e := range entries {
		next := w.g.step(states, e.Name())
		rel := path.Join(dir, e.Name())
		if w.g.full(next) {
			w.found = append(w.found, rel)
		}
		if e.IsDir() && w.g.partial(next) {
			if err := w.walk(ctx, rel, next); err != nil {
				return err
			}
		}
	}
	return nil
}
