package subject

import (
	"fmt"
	"path/filepath"
	"strings"
)

// glob is a compiled subject-path pattern: slash-separated segments, each
// either "**", which matches any number of directories including none, or a
// filepath.Match pattern for one path element. "**" inside a segment (as in
// "a**b") is just two "*".
type glob struct {
	segs []string
}

// compileGlob splits a cleaned, slash-separated pattern into segments,
// collapses repeated "**" and checks the syntax of every segment.
func compileGlob(pattern string) (glob, error) {
	var segs []string
	for s := range strings.SplitSeq(pattern, "/") {
		if s == "**" {
			if len(segs) > 0 && segs[len(segs)-1] == "**" {
				continue
			}
		} else if _, err := filepath.Match(s, ""); err != nil {
			return glob{}, fmt.Errorf("pattern %s has a syntax error in %s: %v", quote(pattern), quote(s), err)
		}
		segs = append(segs, s)
	}
	return glob{segs: segs}, nil
}

func hasMeta(s string) bool {
	return strings.ContainsAny(s, `*?[\`)
}

// literalPrefix returns how many leading segments hold no wildcard.
func (g glob) literalPrefix() int {
	for i, s := range g.segs {
		if hasMeta(s) {
			return i
		}
	}
	return len(g.segs)
}

// literal reports whether the pattern is a plain path.
func (g glob) literal() bool {
	return g.literalPrefix() == len(g.segs)
}

// The matcher is a small NFA over segment positions: state i means "the
// segments before i have matched". A state set has len(segs)+1 entries.

// start returns the state set after the first k (literal) segments matched.
func (g glob) start(k int) []bool {
	s := make([]bool, len(g.segs)+1)
	s[k] = true
	g.closure(s)
	return s
}

// closure adds the states reachable by letting a "**" match nothing.
func (g glob) closure(s []bool) {
	for i, seg := range g.segs {
		if s[i] && seg == "**" {
			s[i+1] = true
		}
	}
}

// step returns the states reachable from s by matching one path element.
func (g glob) step(s []bool, elem string) []bool {
	next := make([]bool, len(s))
	for i, seg := range g.segs {
		switch {
		case !s[i]:
		case seg == "**":
			next[i] = true
		default:
			if ok, _ := filepath.Match(seg, elem); ok {
				next[i+1] = true
			}
		}
	}
	g.closure(next)
	return next
}

// full reports whether s accepts: the path so far matches the whole pattern.
func (g glob) full(s []bool) bool {
	return s[len(g.segs)]
}

// partial reports whether a longer path could still match after s, so a
// directory in state s is worth walking into.
func (g glob) partial(s []bool) bool {
	for _, on := range s[:len(g.segs)] {
		if on {
			return true
		}
	}
	return false
}

// match reports whether the slash-separated relative path p matches.
func (g glob) match(p string) bool {
	s := g.start(0)
	for elem := range strings.SplitSeq(p, "/") {
		if s = g.step(s, elem); !g.full(s) && !g.partial(s) {
			return false
		}
	}
	return g.full(s)
}
