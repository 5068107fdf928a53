package oci

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"hash"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sigstore/sigstore-go/pkg/fulcio/certificate"
)

// signed is an attestation as the re-run check reads it: the statement,
// its DSSE signature and the certificate that signed it.
type signed struct {
	predicateType string
	subjects      []statementSubject
	payloadType   string
	payload       []byte
	sig           []byte
	leaf          *x509.Certificate
}

// run is what a Fulcio certificate says about the workflow run that
// signed: the OIDC issuer, the build signer (the SAN), the source
// repository (1.3.6.1.4.1.57264.1.12) and the run, the Run Invocation URI
// (1.3.6.1.4.1.57264.1.21) without its /attempts/<n>.
type run struct {
	issuer, signer, repository, run string
	attempt                         int // 0 when not a number
	issued                          time.Time
}

// runOf reads the run from a certificate's extensions; ok is false when
// the certificate does not name one (a key, a certificate from before
// Fulcio wrote the Run Invocation URI, another CI system).
func runOf(leaf *x509.Certificate) (r run, ok bool) {
	if leaf == nil {
		return run{}, false
	}
	s, err := certificate.SummarizeCertificate(leaf)
	if err != nil {
		return run{}, false
	}
	x := s.Extensions
	id, attempt, found := strings.Cut(x.RunInvocationURI, "/attempts/")
	if !found || !strings.Contains(id, "/actions/runs/") || x.SourceRepositoryURI == "" || x.Issuer == "" {
		return run{}, false
	}
	n, _ := strconv.Atoi(attempt)
	return run{issuer: x.Issuer, signer: s.SubjectAlternativeName, repository: x.SourceRepositoryURI, run: id, attempt: n, issued: leaf.NotBefore}, true
}

// replaces reports whether n, the attestation being stored, replaces old:
// old is a copy from an earlier attempt of the same workflow run (or an
// earlier try of the same step) about the same subjects with the same
// predicate type. Only the certificates decide the run, never the
// statement; old's statement must be signed by its certificate's key.
//
// Of two such attestations, the later replaces the earlier, whichever is
// stored first: the higher attempt in the Run Invocation URI, then the
// later certificate (Fulcio's NotBefore, to the second), then, as a tie
// break, the greater signature. So when two are stored at once, exactly
// one stays, never none.
func (n *signed) replaces(old *signed) bool {
	a, ok := runOf(n.leaf)
	if !ok {
		return false
	}
	b, ok := runOf(old.leaf)
	if !ok || a.issuer != b.issuer || a.signer != b.signer ||
		!strings.EqualFold(a.repository, b.repository) || !strings.EqualFold(a.run, b.run) {
		return false
	}
	if old.predicateType != n.predicateType || !sameDigests(old.subjects, n.subjects) {
		return false
	}
	if !signedBefore(b, a, old.sig, n.sig) {
		return false
	}
	return old.signedByLeaf()
}

// signedBefore orders two attestations of one run, a (signature sigA)
// and b (sigB).
func signedBefore(a, b run, sigA, sigB []byte) bool {
	switch {
	case a.attempt != b.attempt:
		return a.attempt < b.attempt
	case !a.issued.Equal(b.issued):
		return a.issued.Before(b.issued)
	}
	return bytes.Compare(sigA, sigB) < 0
}

// sameDigests reports whether two subject lists name the same digests,
// whatever the names and the order.
func sameDigests(a, b []statementSubject) bool {
	return slices.Equal(digestKeys(a), digestKeys(b))
}

func digestKeys(subjects []statementSubject) []string {
	var out []string
	for _, s := range subjects {
		for alg, hex := range s.Digest {
			out = append(out, alg+":"+strings.ToLower(hex))
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// signedByLeaf checks the DSSE signature over the statement with the
// certificate's key, so that the statement's subjects and predicate type
// belong to the run the certificate names. The certificate chain is not
// checked: whoever can write a forged copy into the repository can delete
// copies anyway.
func (s *signed) signedByLeaf() bool {
	msg := pae(s.payloadType, s.payload)
	switch k := s.leaf.PublicKey.(type) {
	case *ecdsa.PublicKey:
		h := hashFor(k.Curve)
		if h == nil {
			return false
		}
		h.Write(msg)
		return ecdsa.VerifyASN1(k, h.Sum(nil), s.sig)
	case ed25519.PublicKey:
		return ed25519.Verify(k, msg, s.sig)
	}
	return false
}

func hashFor(c elliptic.Curve) hash.Hash {
	switch c {
	case elliptic.P256():
		return sha256.New()
	case elliptic.P384():
		return sha512.New384()
	case elliptic.P521():
		return sha512.New()
	}
	return nil
}

// pae is the DSSE pre-authentication encoding.
func pae(payloadType string, payload []byte) []byte {
	return fmt.Appendf(nil, "DSSEv1 %d %s %d %s", len(payloadType), payloadType, len(payload), payload)
}

// parseLeafPEM parses the first certificate of a PEM block list.
func parseLeafPEM(p []byte) *x509.Certificate {
	block, _ := pem.Decode(p)
	if block == nil || block.Type != "CERTIFICATE" {
		return nil
	}
	c, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return nil
	}
	return c
}
