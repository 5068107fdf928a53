package fakerekor

import "crypto/sha256"

// RFC 6962 section 2.1: leaves and interior nodes are hashed with distinct
// prefixes so that one cannot pass for the other.
func leafHash(b []byte) []byte {
	h := sha256.New()
	h.Write([]byte{0})
	h.Write(b)
	return h.Sum(nil)
}

func nodeHash(l, r []byte) []byte {
	h := sha256.New()
	h.Write([]byte{1})
	h.Write(l)
	h.Write(r)
	return h.Sum(nil)
}

// split is the largest power of two smaller than n (n > 1).
func split(n int) int {
	k := 1
	for k<<1 < n {
		k <<= 1
	}
	return k
}

// rootHash is MTH(D[n]) of the leaf hashes.
func rootHash(leaves [][]byte) []byte {
	switch len(leaves) {
	case 0:
		s := sha256.Sum256(nil)
		return s[:]
	case 1:
		return leaves[0]
	}
	k := split(len(leaves))
	return nodeHash(rootHash(leaves[:k]), rootHash(leaves[k:]))
}

// inclusionPath is PATH(m, D[n]): the sibling hashes from the leaf up.
func inclusionPath(m int, leaves [][]byte) [][]byte {
	if len(leaves) <= 1 {
		return nil
	}
	k := split(len(leaves))
	if m < k {
		return append(inclusionPath(m, leaves[:k]), rootHash(leaves[k:]))
	}
	return append(inclusionPath(m-k, leaves[k:]), rootHash(leaves[:k]))
}
