package subject

import (
	"context"
	"errors"
	"fmt"
	"github.com/provenant/provenant/internal/intoto"
	"strings"

	"github.com/provenant/provenant/internal/input"
)

// NameStyle says how files matched by subject-path are named.
type NameStyle string

const (
	// NameRelative names a file by its slash-separated path relative to the
	// workspace, for example "dist/linux/app.tar.gz".
	NameRelative NameStyle = "relative"
	// NameBasename names a file by its last element, for example
	// "app.tar.gz", as actions/attest does.
	NameBasename NameStyle = "basename"
)

// Inputs holds the raw values of the subject inputs, one field per input. An
// empty or all-blank field counts as not given. Every field may be combined
// with every other one.
type Inputs struct {
	Paths       string    // subject-path: globs separated by newlines and/or commas; "**" matches any number of directories
	NameStyle   NameStyle // subject-name-style: relative or basename in any case; "" means NameRelative
	Digest      string    // subject-digest: one alg:hex (requires Name)
	Name        string    // subject-name: the name for Digest, or for every file Paths matches when Digest is empty
	Subjects    string    // subjects: lines of name@alg:hex
	Checksums   string    // subject-checksums: a path to a checksums file, or the checksums text inline
	Base64      string    // base64-subjects: base64 of sha256sum output
	Base64File  string    // base64-subjects-file: path to a file holding the same base64 text
	Images      string    // image: references separated by newlines/commas, each registry/repo[:tag]@sha256:hex
	ImageDigest string    // digest: sha256:hex; Images is then exactly one name without tag or digest
}

// Input names, as the user writes them and as *input.Error reports them.
const (
	inPaths       = "subject-path"
	inNameStyle   = "subject-name-style"
	inDigest      = "subject-digest"
	inName        = "subject-name"
	inSubjects    = "subjects"
	inChecksums   = "subject-checksums"
	inBase64      = "base64-subjects"
	inBase64File  = "base64-subjects-file"
	inImage       = "image"
	inImageDigest = "digest"
)

// Resolve reads, hashes and parses every subject input in in and returns the
// subjects in this order: files matched by subject-path (sorted by name),
// the subject-digest and subject-name pair, subjects lines, checksums,
// base64-subjects, base64-subjects-file, images. A name that appears again
// keeps its first position; its digests merge when they agree or use other
// algorithms, and are an error when they disagree.
//
// Every problem with the inputs is an *input.Error, and Resolve reports all
// of them at once, joined with errors.Join, and no subjects. Other errors
// (cancellation, bad options) are returned as they are.
func Resolve(ctx context.Context, in Inputs, opts ...Option) ([]intoto.Subject, error) {
	o, err := newOptions(opts)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("resolving subjects: %w", err)
	}
	r := &resolver{opts: o}
	style := r.nameStyle(in.NameStyle)
	paths, err := r.fromPaths(ctx, in, style)
	if err != nil {
		return nil, err
	}
	sources := [][]entry{
		paths, r.fromPair(in), r.fromSubjects(in), r.fromChecksums(in),
		r.fromBase64(in), r.fromBase64File(in), r.fromImages(in),
	}
	n := 0
	for _, src := range sources {
		n += len(src)
	}
	m := newMerger(n)
	for _, src := range sources {
		m.addAll(src)
	}
	r.errs = append(r.errs, m.errs...)
	if len(r.errs) == 0 && len(m.items) == 0 {
		r.fail(inPaths, 0, "no subjects given; set at least one of subject-path, subject-digest with subject-name, "+
			"subjects, subject-checksums, base64-subjects, base64-subjects-file or image")
	}
	if len(r.errs) > 0 {
		return nil, errors.Join(r.errs...)
	}
	return m.subjects(), nil
}

// resolver collects the input errors of one Resolve call.
type resolver struct {
	opts *options
	errs []error
}

func (r *resolver) fail(name string, line int, format string, args ...any) {
	r.errs = append(r.errs, input.Errorf(name, line, format, args...))
}

// nameStyle validates subject-name-style. Case and surrounding space do not
// matter, as for the boolean options: "BASENAME" is "basename".
func (r *resolver) nameStyle(s NameStyle) NameStyle {
	switch NameStyle(strings.ToLower(strings.TrimSpace(string(s)))) {
	case "", NameRelative:
		return NameRelative
	case NameBasename:
		return NameBasename
	}
	r.fail(inNameStyle, 0, "is %s; use %s or %s", quote(string(s)), NameRelative, NameBasename)
	return NameRelative
}

// entry is one (name, digest) pair read from one place in one input.
type entry struct {
	name string
	alg  algorithm
	hex  string
	from origin
}

// origin says where an entry came from, for error messages.
type origin struct {
	input string
	line  int
	item  string // the matched file (relative to the workspace) or image reference, when the line holds several
	hint  hint   // how to fix a name conflict between two entries with the same hint
}

func (o origin) String() string {
	s := o.input
	if o.line > 0 {
		s = fmt.Sprintf("%s line %d", s, o.line)
	}
	if o.item != "" {
		s = fmt.Sprintf("%s (%s)", quote(o.item), s)
	}
	return s
}
