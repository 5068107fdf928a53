package subject

import (
	"errors"
	"fmt"
	"strings"

	"github.com/provenant/provenant/internal/input"
)

// fromChecksums resolves subject-checksums. The value is the checksums text
// itself when, trimmed, it has more than one line or its only line is a
// checksum line; otherwise it is the path of a checksums file.
func (r *resolver) fromChecksums(in Inputs) []entry {
	if blank(in.Checksums) {
		return nil
	}
	text := in.Checksums
	if !isInlineChecksums(text) {
		data, err := readInputFile(r.opts.paths, strings.TrimSpace(text))
		if err != nil {
			r.fail(inChecksums, 0, "%v", err)
			return nil
		}
		text = strings.TrimPrefix(string(data), "\uFEFF")
	}
	entries, errs := parseChecksums(inChecksums, text)
	r.errs = append(r.errs, errs...)
	if len(entries) == 0 && len(errs) == 0 {
		r.fail(inChecksums, 0, "no checksum lines found; give lines such as \"<sha256 hex>  <name>\"")
	}
	return entries
}

// isInlineChecksums tells checksums text from a path. One line counts as
// text when it parses as a checksum line, or looks enough like one (a long
// hex field, or "TAG (…) = …") that a parse error helps more than "no such
// file".
func isInlineChecksums(v string) bool {
	t := strings.TrimSpace(v)
	if strings.Contains(t, "\n") {
		return true
	}
	if _, err := parseChecksumLine(t); err == nil {
		return true
	}
	t = strings.TrimPrefix(t, `\`)
	if first, _, ok := strings.Cut(t, " "); ok && len(first) >= 32 && isHex(first) {
		return true
	}
	_, bsd := bsdOpen(t)
	return bsd && strings.Contains(t, ")") && strings.Contains(t, "=")
}

// parseChecksums parses sha256sum/sha384sum/sha512sum output in GNU (text,
// binary, or single-space) or BSD ("SHA256 (name) = hex") style, with GNU's
// backslash escaping. Blank lines and lines starting with "#" are skipped.
// Errors are reported against the input called name.
func parseChecksums(name, text string) ([]entry, []error) {
	var entries []entry
	var errs []error
	eachLine(text, func(n int, line string) {
		l := strings.TrimLeft(line, " \t")
		if l == "" || l[0] == '#' {
			return
		}
		e, err := parseChecksumLine(l)
		if err == nil {
			err = checkName(e.name)
		}
		if err != nil {
			errs = append(errs, input.Errorf(name, n, "%v", err))
			return
		}
		e.from = origin{input: name, line: n}
		entries = append(entries, e)
	})
	return entries, errs
}

// parseChecksumLine parses one non-blank checksum line. It checks the syntax
// and digest only; the caller checks the name.
func parseChecksumLine(l string) (entry, error) {
	escaped := strings.HasPrefix(l, `\`)
	body := l
	if escaped {
		body = l[1:]
	}
	var e entry
	var err error
	if open, ok := bsdOpen(body); ok {
		e, err = parseBSD(body, open)
	} else {
		e, err = parseGNU(body)
	}
	if err != nil {
		return entry{}, err
	}
	if escaped {
		if e.name, err = unescapeName(e.name); err != nil {
			return entry{}, fmt.Errorf("line %s: %v", quote(l), err)
		}
	}
	return e, nil
}

// bsdOpen returns the index of the "(" of a BSD-style line "TAG (name) = hex"
// or "TAG(name)= hex". A GNU line whose name starts with "(" is not mistaken
// for one, since its first field is a hex digest.
func bsdOpen(l string) (int, bool) {
	i := strings.IndexByte(l, '(')
	if i <= 0 {
		return 0, false
	}
	tag := strings.TrimSuffix(l[:i], " ")
	if tag == "" || (isHex(tag) && len(tag) >= 32) {
		return 0, false
	}
	for _, c := range []byte(tag) {
		if !isASCIILetter(c) && !('0' <= c && c <= '9') && c != '-' {
			return 0, false
		}
	}
	return i, true
}

func parseBSD(l string, open int) (entry, error) {
	tag := strings.TrimSuffix(l[:open], " ")
	a, ok := algorithmNamed(tag)
	if !ok {
		return entry{}, fmt.Errorf("unsupported algorithm %s in BSD-style line %s; use SHA256, SHA384 or SHA512", quote(tag), quote(l))
	}
	rest := l[open+1:]
	closing := strings.LastIndexByte(rest, ')')
	if closing < 0 {
		return entry{}, malformedBSD(l)
	}
	tail := strings.TrimPrefix(rest[closing+1:], " ")
	if !strings.HasPrefix(tail, "=") {
		return entry{}, malformedBSD(l)
	}
	h, err := normalizeHex(a, strings.TrimPrefix(tail[1:], " "))
	if err != nil {
		return entry{}, fmt.Errorf("BSD-style line %s: %v", quote(l), err)
	}
	return entry{name: rest[:closing], alg: a, hex: h}, nil
}

func malformedBSD(l string) error {
	return fmt.Errorf("malformed BSD-style checksum line %s; expected \"SHA256 (<name>) = <hex>\"", quote(l))
}

// parseGNU parses "hex  name" (text mode), "hex *name" (binary mode) or
// "hex name". The algorithm follows from the length of hex.
func parseGNU(l string) (entry, error) {
	i := strings.IndexByte(l, ' ')
	if i < 0 || !isHex(l[:i]) {
		return entry{}, fmt.Errorf("line %s is neither a GNU checksum line (\"<hex>  <name>\") nor a BSD one (\"SHA256 (<name>) = <hex>\")", quote(l))
	}
	h, name := l[:i], l[i+1:]
	if name != "" && (name[0] == ' ' || name[0] == '*') {
		name = name[1:]
	}
	a, ok := algorithmForLen(len(h))
	if !ok {
		return entry{}, fmt.Errorf("digest %s has %d hex characters; only sha256 (64), sha384 (96) and sha512 (128) are supported", quote(h), len(h))
	}
	h, err := normalizeHex(a, h)
	if err != nil {
		return entry{}, err
	}
	return entry{name: name, alg: a, hex: h}, nil
}

// unescapeName undoes GNU coreutils' escaping of names in lines that start
// with a backslash: "\\" is a backslash, "\n" a newline, "\r" a carriage
// return.
func unescapeName(s string) (string, error) {
	if !strings.Contains(s, `\`) {
		return s, nil
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' {
			b.WriteByte(s[i])
			continue
		}
		if i++; i == len(s) {
			return "", errors.New("the escaped name ends in a lone backslash")
		}
		switch s[i] {
		case '\\':
			b.WriteByte('\\')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		default:
			return "", fmt.Errorf("unknown escape %q in the name; only \\\\, \\n and \\r are allowed", s[i-1:i+1])
		}
	}
	return b.String(), nil
}
