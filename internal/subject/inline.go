package subject

import (
	"fmt"
	"strings"
)

// fromPair resolves subject-digest and subject-name. Both or neither must be
// set, except that subject-name alone renames the files subject-path matches.
func (r *resolver) fromPair(in Inputs) []entry {
	dig, name := strings.TrimSpace(in.Digest), strings.TrimSpace(in.Name)
	switch {
	case dig == "" && name == "":
		return nil
	case name == "":
		r.fail(inName, 0, "subject-digest is set but subject-name is missing; give the artifact's name in subject-name")
		return nil
	case dig == "" && !blank(in.Paths):
		if err := checkName(name); err != nil {
			r.fail(inName, 0, "%v", err)
		}
		return nil
	case dig == "":
		r.fail(inDigest, 0, "subject-name is set but subject-digest is missing; give the digest as sha256:<hex>, "+
			"or use subject-name with subject-path to name the matched files")
		return nil
	}
	a, h, err := parseDigest(dig)
	if err != nil {
		r.fail(inDigest, 0, "%v", err)
	}
	if nerr := checkName(name); nerr != nil {
		r.fail(inName, 0, "%v", nerr)
		return nil
	}
	if err != nil {
		return nil
	}
	return []entry{{name: name, alg: a, hex: h, from: origin{input: inDigest}}}
}

// fromSubjects resolves the subjects input: one name@alg:hex per line.
func (r *resolver) fromSubjects(in Inputs) []entry {
	if blank(in.Subjects) {
		return nil
	}
	var entries []entry
	eachLine(in.Subjects, func(n int, line string) {
		if line = strings.TrimSpace(line); line == "" {
			return
		}
		e, err := parseSubjectLine(line)
		if err != nil {
			r.fail(inSubjects, n, "%v", err)
			return
		}
		e.from = origin{input: inSubjects, line: n}
		entries = append(entries, e)
	})
	return entries
}

// parseSubjectLine parses "name@alg:hex", splitting at the last "@" so that
// names may contain "@".
func parseSubjectLine(line string) (entry, error) {
	i := strings.LastIndexByte(line, '@')
	if i < 0 {
		return entry{}, fmt.Errorf("%s is not name@alg:hex; write each subject as <name>@sha256:<hex>", quote(line))
	}
	name, dig := line[:i], line[i+1:]
	a, h, err := parseDigest(dig)
	if err != nil {
		return entry{}, err
	}
	if err := checkName(name); err != nil {
		return entry{}, err
	}
	return entry{name: name, alg: a, hex: h}, nil
}
