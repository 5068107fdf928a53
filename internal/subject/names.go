package subject

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/provenant/provenant/internal/input"
)

const (
	// maxNameBytes is the longest subject name accepted, PATH_MAX on Linux.
	maxNameBytes = 4096
	// quoteLimit is how many bytes of a user's value an error message shows.
	quoteLimit = 80
)

// checkName returns an error saying what is wrong with a subject name, or
// nil. Names must be non-empty, at most maxNameBytes long, valid UTF-8 (the
// statement is JSON), free of control characters and of characters that
// disguise them (input.Deceptive), relative, and without a ".." element.
func checkName(name string) error {
	switch {
	case name == "":
		return errors.New("the subject name is empty; give every subject a name")
	case len(name) > maxNameBytes:
		return fmt.Errorf("name %s is %d bytes long; names may be at most %d bytes", quote(name), len(name), maxNameBytes)
	case !utf8.ValidString(name):
		return fmt.Errorf("name %s is not valid UTF-8; rename the artifact or give its name in UTF-8", quote(name))
	}
	if i := strings.IndexFunc(name, unicode.IsControl); i >= 0 {
		r, _ := utf8.DecodeRuneInString(name[i:])
		return fmt.Errorf("name %s contains the control character %q; names must be printable and on one line", quote(name), r)
	}
	if c, ok := input.Deceptive(name); ok {
		return fmt.Errorf("name %s contains %s, which changes how the name is displayed; rename the artifact without it", quote(name), c)
	}
	if isAbsName(name) {
		return fmt.Errorf("name %s is an absolute path; use a path relative to the workspace", quote(name))
	}
	if hasDotDot(name) {
		return fmt.Errorf("name %s has a %q path element; use a name without %q", quote(name), "..", "..")
	}
	return nil
}

// isAbsName reports whether name is absolute on Unix or Windows: a leading
// slash or backslash, or a drive letter followed by a separator.
func isAbsName(name string) bool {
	if name[0] == '/' || name[0] == '\\' {
		return true
	}
	return len(name) >= 3 && isASCIILetter(name[0]) && name[1] == ':' && (name[2] == '/' || name[2] == '\\')
}

func isASCIILetter(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// hasDotDot reports whether name has a ".." element, with either separator.
func hasDotDot(name string) bool {
	for i := strings.Index(name, ".."); i >= 0; {
		end := i + 2
		if (i == 0 || isSeparator(name[i-1])) && (end == len(name) || isSeparator(name[end])) {
			return true
		}
		next := strings.Index(name[i+1:], "..")
		if next < 0 {
			break
		}
		i += 1 + next
	}
	return false
}

func isSeparator(c byte) bool {
	return c == '/' || c == '\\'
}

// quote returns s as a Go string literal for an error message: control
// characters escaped, and cut to about quoteLimit bytes with a trailing "…".
func quote(s string) string {
	if len(s) <= quoteLimit {
		return strconv.Quote(s)
	}
	cut := quoteLimit
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return strconv.Quote(s[:cut]) + "…"
}

// sanitize escapes the control characters in a message from another package
// that may echo user input, so that it cannot break the job log.
func sanitize(s string) string {
	if strings.IndexFunc(s, unicode.IsControl) < 0 {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if unicode.IsControl(r) {
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
