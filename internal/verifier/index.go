package verifier

import (
	"github.com/provenant/provenant/internal/intoto"
	"github.com/provenant/provenant/internal/verify"
)

// subjectIndex finds the bundles whose (not yet verified) statement names
// a digest, so that each artifact is verified only against the bundles
// that claim it: with one attestation per subject, checking every bundle
// for every artifact would be quadratic.
type subjectIndex struct {
	all      []verify.Candidate
	byDigest map[intoto.Digest][]verify.Candidate
}

func indexBySubject(cs []verify.Candidate) subjectIndex {
	idx := subjectIndex{all: cs, byDigest: map[intoto.Digest][]verify.Candidate{}}
	for _, c := range cs {
		b, err := intoto.ParseBundle(c.JSON)
		if err != nil {
			continue
		}
		st, err := b.Statement()
		if err != nil {
			continue
		}
		for _, d := range st.Digests() {
			idx.byDigest[d] = append(idx.byDigest[d], c)
		}
	}
	return idx
}

// covering returns the bundles that claim d or, when none does, all of
// them, so that the refusal reasons come from full verification.
func (idx subjectIndex) covering(d intoto.Digest) []verify.Candidate {
	if cs := idx.byDigest[d]; len(cs) > 0 {
		return cs
	}
	return idx.all
}
