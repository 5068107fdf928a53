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
		st, err := claimedStatement(c.JSON)
		if err != nil {
			continue
		}
		for _, d := range st.Digests() {
			idx.byDigest[d] = append(idx.byDigest[d], c)
		}
	}
	return idx
}

// claimedStatement is the statement a bundle, or a slsa-github-generator
// v1 line, carries, unverified.
func claimedStatement(b []byte) (*intoto.Statement, error) {
	if verify.IsLegacy(b) {
		l, err := verify.ParseLegacy(b)
		if err != nil {
			return nil, err
		}
		return intoto.ParseStatement(l.Statement())
	}
	bd, err := intoto.ParseBundle(b)
	if err != nil {
		return nil, err
	}
	return bd.Statement()
}

// covering returns the bundles that claim d or, when none does, all of
// them, so that the refusal reasons come from full verification.
func (idx subjectIndex) covering(d intoto.Digest) []verify.Candidate {
	if cs := idx.byDigest[d]; len(cs) > 0 {
		return cs
	}
	return idx.all
}

// algorithms are the digest algorithms the statements name, of those
// provenant computes, in intoto.Algorithms order; sha256 always, so that
// an artifact no statement names is still reported by its sha256.
func (idx subjectIndex) algorithms() []string {
	out := []string{intoto.SHA256}
	for _, a := range intoto.Algorithms[1:] {
		for d := range idx.byDigest {
			if d.Alg == a {
				out = append(out, a)
				break
			}
		}
	}
	return out
}

// claimed picks, among an artifact's digests (algorithm to hex), the
// first in intoto.Algorithms order that a statement names, or the sha256.
func (idx subjectIndex) claimed(sums map[string]string) intoto.Digest {
	for _, a := range intoto.Algorithms {
		d := intoto.Digest{Alg: a, Hex: sums[a]}
		if sums[a] != "" && len(idx.byDigest[d]) > 0 {
			return d
		}
	}
	return intoto.Digest{Alg: intoto.SHA256, Hex: sums[intoto.SHA256]}
}
