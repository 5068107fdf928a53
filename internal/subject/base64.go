package subject

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/provenant/provenant/internal/input"
)

// fromBase64 resolves base64-subjects.
func (r *resolver) fromBase64(in Inputs) []entry {
	if blank(in.Base64) {
		return nil
	}
	return r.base64Subjects(inBase64, []byte(in.Base64))
}

// fromBase64File resolves base64-subjects-file, the path of a file holding
// what base64-subjects would hold.
func (r *resolver) fromBase64File(in Inputs) []entry {
	p := strings.TrimSpace(in.Base64File)
	if p == "" {
		return nil
	}
	data, err := readInputFile(r.opts.paths, p)
	if err != nil {
		r.fail(inBase64File, 0, "%v", err)
		return nil
	}
	return r.base64Subjects(inBase64File, data)
}

// base64Subjects decodes data and parses the sha256sum text inside. At its
// peak it holds data, the decoded bytes and one string copy of them; names
// and digests are substrings of that copy.
func (r *resolver) base64Subjects(name string, data []byte) []entry {
	dec, err := decodeBase64(name, data)
	if err != nil {
		r.errs = append(r.errs, err)
		return nil
	}
	entries, errs := parseSHA256Sum(name, string(dec))
	r.errs = append(r.errs, errs...)
	if len(entries) == 0 && len(errs) == 0 {
		r.fail(name, 0, "the decoded text holds no subjects; give the base64 of sha256sum output")
	}
	return entries
}

// decodeBase64 decodes standard, padded base64 that may be surrounded by
// white space and wrapped into lines. A decoding error names the line and
// column of the base64 text where it happened.
func decodeBase64(name string, data []byte) ([]byte, error) {
	const space = " \t\r\n"
	start := len(data) - len(bytes.TrimLeft(data, space))
	trimmed := bytes.TrimRight(data[start:], space)
	dst := make([]byte, base64.StdEncoding.DecodedLen(len(trimmed)))
	n, err := base64.StdEncoding.Decode(dst, trimmed) // skips \r and \n itself
	if err == nil {
		return dst[:n], nil
	}
	var bad base64.CorruptInputError
	if !errors.As(err, &bad) {
		return nil, input.Errorf(name, 0, "cannot decode base64: %v", err)
	}
	off := min(start+int(bad), start+len(trimmed))
	line := 1 + bytes.Count(data[:off], []byte{'\n'})
	col := off - bytes.LastIndexByte(data[:off], '\n')
	what := "the text ends in the middle of a base64 group (missing \"=\" padding, or cut short)"
	if !endsEarly(data[off : start+len(trimmed)]) {
		what = fmt.Sprintf("unexpected %q", data[off:off+1])
	}
	return nil, input.Errorf(name, line, "not valid base64 at column %d: %s; give the standard base64 encoding, with \"=\" padding, "+
		"of sha256sum output, for example from `sha256sum FILES | base64 -w0`", col, what)
}

// endsEarly reports whether the base64 text rest, where decoding failed, is
// a last, incomplete group of fewer than four valid characters.
func endsEarly(rest []byte) bool {
	n := 0
	for _, c := range rest {
		switch {
		case c == '\r' || c == '\n':
		case isBase64Char(c):
			n++
		default:
			return false
		}
	}
	return n < 4
}

func isBase64Char(c byte) bool {
	return isASCIILetter(c) || '0' <= c && c <= '9' || c == '+' || c == '/' || c == '='
}

// parseSHA256Sum parses decoded base64-subjects text the way
// slsa-github-generator does: each non-blank line splits at its first space
// or tab into exactly 64 hex characters and a name, whose leading spaces are
// dropped. Unlike slsa-github-generator, one leading "*" (sha256sum's binary
// mode marker) is dropped from the name too.
func parseSHA256Sum(name, text string) ([]entry, []error) {
	entries := make([]entry, 0, strings.Count(text, "\n")+1)
	var errs []error
	eachLine(text, func(n int, line string) {
		if blank(line) {
			return
		}
		e, err := parseSHA256SumLine(line)
		if err != nil {
			errs = append(errs, input.Errorf(name, n, "in the decoded sha256sum text: %v", err))
			return
		}
		e.from = origin{input: name, line: n}
		entries = append(entries, e)
	})
	return entries, errs
}

func parseSHA256SumLine(line string) (entry, error) {
	i := strings.IndexAny(line, " \t")
	if i < 0 {
		return entry{}, fmt.Errorf("line %s is not \"<sha256 hex>  <name>\"", quote(line))
	}
	h, err := normalizeHex(sha256Alg, line[:i])
	if err != nil {
		return entry{}, err
	}
	name := strings.TrimLeft(line[i+1:], " \t")
	name = strings.TrimPrefix(name, "*")
	if err := checkName(name); err != nil {
		return entry{}, err
	}
	return entry{name: name, alg: sha256Alg, hex: h}, nil
}
