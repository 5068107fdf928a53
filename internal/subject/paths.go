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
	size int64  // known only when progress is reported
	line int    // the line of subject-path whose pattern matched it first
}

// fromPaths resolves subject-path: it matches every pattern and hands each
// matched file to the hashing workers as soon as it is found, so hashing
// overlaps matching, then names the files. Only cancellation is returned as
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
	h := newHasher(ctx, r.opts)
	seen := make(map[string]bool)
	emit := func(f pathFile) error {
		if seen[f.rel] {
			return nil
		}
		seen[f.rel] = true
		return h.add(f)
	}
	for _, p := range patterns {
		if err := r.matchPattern(ctx, ws, p, emit); err != nil {
			if _, herr := h.wait(); herr != nil {
				return nil, herr
			}
			return nil, err
		}
	}
	jobs, err := h.wait()
	if err != nil {
		return nil, err
	}
	return r.pathEntries(in, style, jobs), nil
}

// pathEntries names the hashed files and sorts them by name.
func (r *resolver) pathEntries(in Inputs, style NameStyle, jobs []*hashJob) []entry {
	override := ""
	if blank(in.Digest) {
		override = strings.TrimSpace(in.Name)
	}
	entries := make([]entry, 0, len(jobs))
	for _, j := range jobs {
		f := j.file
		if j.err != nil {
			r.fail(inPaths, f.line, "cannot read %s: %v", quote(f.rel), pathErrCause(j.err))
			continue
		}
		e := entry{name: f.rel, alg: sha256Alg, hex: j.sum, from: origin{input: inPaths, line: f.line, item: f.rel}}
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

// matchPattern passes each regular file one pattern matches to emit, in
// walk order, recording every problem in r. It returns only emit's error
// or cancellation.
func (r *resolver) matchPattern(ctx context.Context, ws workspace, p listItem, emit func(pathFile) error) error {
	rel, err := ws.relPattern(p.text)
	if err != nil {
		r.fail(inPaths, p.line, "%v", err)
		return nil
	}
	g, err := compileGlob(rel)
	if err != nil {
		r.fail(inPaths, p.line, "%v", err)
		return nil
	}
	if g.literal() {
		if f, kind := r.classify(ws, p, rel, false); kind == matchFile {
			return emit(f)
		}
		return nil
	}
	w := &globWalk{r: r, ws: ws, p: p, g: g, emit: emit}
	if err := w.run(ctx); err != nil {
		return err
	}
	switch {
	case w.files > 0 || w.bad > 0:
	case w.dirs > 0:
		r.fail(inPaths, p.line, "%s matched only directories (%d); subject-path needs files: add a file pattern such as %s",
			quote(p.text), w.dirs, quote(path.Join(rel, "*")))
	default:
		r.noMatch(ws, p, rel)
	}
	return nil
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

// globWalk finds the paths a glob matches and classifies each as it is
// found. It follows symlinks in the pattern's literal prefix (as the OS
// does) but never walks into a symlinked directory, so it cannot loop or
// wander out of the workspace.
type globWalk struct {
	r    *resolver
	ws   workspace
	p    listItem
	g    glob
	emit func(pathFile) error

	files, dirs, bad int // matches by kind; bad includes unreadable directories
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
	// The walk descends only into real directories, so below base every
	// path's real path is base's real path joined with the rest. An empty
	// realBase sends every match through classify.
	realBase, err := filepath.EvalSymlinks(w.ws.abs(base))
	if err != nil {
		realBase = ""
	}
	return w.walk(ctx, base, realBase, w.g.start(k))
}

// walk reads dir, whose real path is realDir ("" when unknown), and goes
// down into the directories the glob may still match below.
func (w *globWalk) walk(ctx context.Context, dir, realDir string, states []bool) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("matching subject-path: %w", err)
	}
	entries, err := os.ReadDir(w.ws.abs(dir))
	if err != nil {
		w.r.fail(inPaths, w.p.line, "cannot read directory %s: %v", quote(dir), pathErrCause(err))
		w.bad++
		return nil
	}
	for _, e := range entries {
		next := w.g.step(states, e.Name())
		rel := path.Join(dir, e.Name())
		realPath := ""
		if realDir != "" {
			realPath = filepath.Join(realDir, e.Name())
		}
		if w.g.full(next) {
			if err := w.match(rel, realPath, e); err != nil {
				return err
			}
		}
		if e.IsDir() && w.g.partial(next) {
			if err := w.walk(ctx, rel, realPath, next); err != nil {
				return err
			}
		}
	}
	return nil
}

// match classifies one path the glob matched and emits it if it is a file.
func (w *globWalk) match(rel, realPath string, e fs.DirEntry) error {
	f, ok := w.regular(rel, realPath, e)
	kind := matchFile
	if !ok {
		f, kind = w.r.classify(w.ws, w.p, rel, true)
	}
	switch kind {
	case matchFile:
		w.files++
		return w.emit(f)
	case matchDir:
		w.dirs++
	default:
		w.bad++
	}
	return nil
}

// regular is classify's shortcut for the common case, a regular file (not a
// symlink) whose real path the walk knows and which lies in the workspace:
// such a file needs neither a stat nor filepath.EvalSymlinks, which lstats
// every element of the path. Its size, which only progress reports use, is
// read only when they are wanted. Anything else, and any doubt, returns
// false and goes through classify, which reports problems.
func (w *globWalk) regular(rel, realPath string, e fs.DirEntry) (pathFile, bool) {
	if realPath == "" || !e.Type().IsRegular() {
		return pathFile{}, false
	}
	if _, ok := within(w.ws.real, realPath); !ok {
		return pathFile{}, false
	}
	f := pathFile{rel: rel, real: realPath, line: w.p.line}
	if w.r.opts.progress != nil {
		fi, err := e.Info()
		if err != nil || !fi.Mode().IsRegular() {
			return pathFile{}, false
		}
		f.size = fi.Size()
	}
	return f, true
}
