package intoto

import (
	"slices"
	"strings"
)

// Statement and predicate type URIs.
const (
	// StatementV1 is the _type of an in-toto statement v1.
	StatementV1 = "https://in-toto.io/Statement/v1"
	// StatementV01 is the _type older tools (cosign, slsa-github-generator
	// v1) still write.
	StatementV01 = "https://in-toto.io/Statement/v0.1"
	// PayloadType is the DSSE payload type of an in-toto statement.
	PayloadType = "application/vnd.in-toto+json"

	// SLSAProvenanceV1 is the predicate type of SLSA provenance v1.0.
	SLSAProvenanceV1 = "https://slsa.dev/provenance/v1"
	// SLSAProvenanceV02 is the predicate type of SLSA provenance v0.2.
	SLSAProvenanceV02 = "https://slsa.dev/provenance/v0.2"

	// BundleMediaType03 is the media type of a Sigstore bundle v0.3.
	BundleMediaType03 = "application/vnd.dev.sigstore.bundle.v0.3+json"
	// BundleMediaType03Old is the older spelling of the same version.
	BundleMediaType03Old = "application/vnd.dev.sigstore.bundle+json;version=0.3"
)

// Digest algorithms, as in-toto names them.
const (
	SHA256 = "sha256"
	SHA384 = "sha384"
	SHA512 = "sha512"
)

// Algorithms lists the digest algorithms provenant computes and accepts,
// strongest preference first for checking: sha256 is what every tool
// computes, so it is tried first.
var Algorithms = []string{SHA256, SHA512, SHA384}

// DigestSet maps an algorithm ("sha256") to a lower-case hex digest.
type DigestSet map[string]string

// Preferred returns the first algorithm of Algorithms the set holds and its
// digest, or two empty strings.
func (d DigestSet) Preferred() (alg, hex string) {
	for _, a := range Algorithms {
		if h, ok := d[a]; ok {
			return a, h
		}
	}
	return "", ""
}

// Matches reports whether the set holds hex for alg, ignoring case.
func (d DigestSet) Matches(alg, hex string) bool {
	h, ok := d[alg]
	return ok && strings.EqualFold(h, hex)
}

// Subject is one artifact a statement is about.
type Subject struct {
	Name   string    `json:"name"`
	Digest DigestSet `json:"digest"`
}

// Digest is one algorithm and hex digest, usable as a map key.
type Digest struct {
	Alg string
	Hex string
}

// String renders the digest as alg:hex.
func (d Digest) String() string { return d.Alg + ":" + d.Hex }

// ParseDigest splits "alg:hex". It checks the algorithm and the length and
// alphabet of the hex, and returns the hex in lower case.
func ParseDigest(s string) (Digest, bool) {
	alg, h, ok := strings.Cut(s, ":")
	if !ok || !slices.Contains(Algorithms, alg) || len(h) != HexLen(alg) {
		return Digest{}, false
	}
	h = strings.ToLower(h)
	for _, c := range h {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return Digest{}, false
		}
	}
	return Digest{Alg: alg, Hex: h}, true
}

// HexLen is the length of a hex digest of alg, or 0 for an unknown one.
func HexLen(alg string) int {
	switch alg {
	case SHA256:
		return 64
	case SHA384:
		return 96
	case SHA512:
		return 128
	}
	return 0
}
