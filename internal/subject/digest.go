package subject

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// algorithm is one of the digest algorithms a subject may carry.
type algorithm uint8

const (
	sha256Alg algorithm = iota
	sha384Alg
	sha512Alg
	numAlgorithms
)

var (
	algorithmNames   = [numAlgorithms]string{"sha256", "sha384", "sha512"}
	algorithmHexLens = [numAlgorithms]int{64, 96, 128}
)

// String returns the algorithm's DigestSet key, for example "sha256".
func (a algorithm) String() string { return algorithmNames[a] }

func (a algorithm) hexLen() int { return algorithmHexLens[a] }

// algorithmNamed returns the algorithm called s, ignoring case.
func algorithmNamed(s string) (algorithm, bool) {
	for a, n := range algorithmNames {
		if strings.EqualFold(s, n) {
			return algorithm(a), true
		}
	}
	return 0, false
}

// algorithmForLen returns the algorithm whose hex digests have n characters.
func algorithmForLen(n int) (algorithm, bool) {
	for a, l := range algorithmHexLens {
		if l == n {
			return algorithm(a), true
		}
	}
	return 0, false
}

// parseDigest parses "alg:hex" (alg is sha256, sha384 or sha512 in any case)
// or a bare hex digest, whose algorithm follows from its length. It returns
// the hex in lower case.
func parseDigest(s string) (algorithm, string, error) {
	if s == "" {
		return 0, "", errors.New("the digest is empty; write it as sha256:<hex>")
	}
	prefix, hexPart, ok := strings.Cut(s, ":")
	if !ok {
		a, known := algorithmForLen(len(s))
		if !known {
			if err := checkHexChars(s); err != nil {
				return 0, "", err
			}
			return 0, "", fmt.Errorf("cannot tell the algorithm of digest %s from its length %d; write it as sha256:<64 hex>, sha384:<96 hex> or sha512:<128 hex>", quote(s), len(s))
		}
		h, err := normalizeHex(a, s)
		return a, h, err
	}
	a, known := algorithmNamed(prefix)
	if !known {
		return 0, "", fmt.Errorf("unknown digest algorithm %s in %s; use sha256, sha384 or sha512", quote(prefix), quote(s))
	}
	h, err := normalizeHex(a, hexPart)
	return a, h, err
}

// normalizeHex checks that s is a hex digest of the right length for a and
// returns it in lower case. It allocates only when s has upper-case letters.
func normalizeHex(a algorithm, s string) (string, error) {
	upper := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case '0' <= c && c <= '9', 'a' <= c && c <= 'f':
		case 'A' <= c && c <= 'F':
			upper = true
		default:
			return "", checkHexChars(s)
		}
	}
	if len(s) != a.hexLen() {
		return "", fmt.Errorf("a %s digest has %d hex characters, but %s has %d", a, a.hexLen(), quote(s), len(s))
	}
	if upper {
		s = strings.ToLower(s)
	}
	return s, nil
}

// checkHexChars returns an error naming the first character of s that is not
// a hex digit.
func checkHexChars(s string) error {
	for i := 0; i < len(s); i++ {
		if !isHexDigit(s[i]) {
			r, _ := utf8.DecodeRuneInString(s[i:])
			return fmt.Errorf("digest %s is not hex: %q at position %d", quote(s), r, i+1)
		}
	}
	return nil
}

func isHexDigit(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// isHex reports whether s is non-empty and all hex digits.
func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isHexDigit(s[i]) {
			return false
		}
	}
	return s != ""
}
