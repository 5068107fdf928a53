package subject

import "strings"

// eachLine calls fn with every line of s and its 1-based number. Lines end at
// "\n", and a "\r" before it (CRLF) is dropped. A last line without "\n"
// counts; the empty string after a final "\n" does not.
func eachLine(s string, fn func(n int, line string)) {
	for n := 1; len(s) > 0; n++ {
		line := s
		if i := strings.IndexByte(s, '\n'); i >= 0 {
			line, s = s[:i], s[i+1:]
		} else {
			s = ""
		}
		fn(n, strings.TrimSuffix(line, "\r"))
	}
}

// listItem is one element of a list input and the line it sits on.
type listItem struct {
	line int
	text string
}

// splitList splits a list input (subject-path, image) on newlines and
// commas, trims the spaces around each element and drops empty ones.
func splitList(s string) []listItem {
	var out []listItem
	eachLine(s, func(n int, line string) {
		for f := range strings.SplitSeq(line, ",") {
			if f = strings.TrimSpace(f); f != "" {
				out = append(out, listItem{line: n, text: f})
			}
		}
	})
	return out
}

// blank reports whether an input value counts as not given.
func blank(s string) bool {
	return strings.TrimSpace(s) == ""
}
