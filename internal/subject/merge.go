package subject

import (
	"github.com/provenant/provenant/internal/input"
	"github.com/provenant/provenant/internal/intoto"
)

// hint names the advice given when two entries of the same kind claim one
// name with different digests.
type hint uint8

const (
	hintNone hint = iota
	hintBasename
	hintOverride
	hintImage
)

var hintText = [...]string{
	hintNone:     "give each artifact its own name, or remove one of the two entries",
	hintBasename: "two different files share this base name; set subject-name-style to relative to keep their directories in the names",
	hintOverride: "subject-name gives every file subject-path matches the same name, so they must all have the same content; remove subject-name or narrow subject-path to one file",
	hintImage:    "one run can attest only one digest per image repository; attest the other digest in a separate run",
}

// merged is one subject being built: its name and, per algorithm, the entry
// that set that digest (nil: not set). The entries stay in their sources'
// slices; nothing is copied.
type merged struct {
	name string
	from [numAlgorithms]*entry
}

// merger folds entries into subjects, keeping first positions, merging
// agreeing and disjoint digests, and recording conflicts.
type merger struct {
	index map[string]int
	items []merged
	errs  []error
}

// newMerger returns a merger with room for n entries.
func newMerger(n int) *merger {
	return &merger{index: make(map[string]int, n), items: make([]merged, 0, n)}
}

func (m *merger) addAll(entries []entry) {
	for i := range entries {
		m.add(&entries[i])
	}
}

func (m *merger) add(e *entry) {
	i, ok := m.index[e.name]
	if !ok {
		m.index[e.name] = len(m.items)
		it := merged{name: e.name}
		it.from[e.alg] = e
		m.items = append(m.items, it)
		return
	}
	it := &m.items[i]
	switch prev := it.from[e.alg]; {
	case prev == nil:
		it.from[e.alg] = e
	case prev.hex != e.hex:
		m.errs = append(m.errs, conflict(prev, e))
	}
}

// conflict reports that b claims a's name with another digest.
func conflict(a, b *entry) error {
	h := hintNone
	if a.from.hint == b.from.hint {
		h = a.from.hint
	}
	return input.Errorf(b.from.input, b.from.line, "name %s has two different %s digests: %s from %s and %s from %s; %s",
		quote(b.name), b.alg, a.hex, a.from, b.hex, b.from, hintText[h])
}

func (m *merger) subjects() []intoto.Subject {
	out := make([]intoto.Subject, len(m.items))
	for i, it := range m.items {
		d := make(map[string]string, 1)
		for a, e := range it.from {
			if e != nil {
				d[algorithm(a).String()] = e.hex
			}
		}
		out[i] = intoto.Subject{Name: it.name, Digest: d}
	}
	return out
}
