package verify

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"strings"

	"github.com/secure-systems-lab/go-securesystemslib/dsse"
	"github.com/sigstore/sigstore/pkg/signature"
)

// legacyEnvelope reports whether b is a bare DSSE envelope whose signature
// carries its certificate, the line format of the .intoto.jsonl files
// slsa-github-generator wrote before v2.1.0. Such a line holds no
// transparency log entry: the entry must be found in Rekor.
func legacyEnvelope(b []byte) bool {
	var env legacyJSON
	if json.Unmarshal(b, &env) != nil || env.PayloadType == "" || env.Payload == "" || len(env.Signatures) == 0 {
		return false
	}
	return strings.Contains(env.Signatures[0].Cert, "BEGIN CERTIFICATE")
}

type legacyJSON struct {
	PayloadType string `json:"payloadType"`
	Payload     string `json:"payload"`
	Signatures  []struct {
		KeyID string `json:"keyid"`
		Sig   string `json:"sig"`
		Cert  string `json:"cert"`
	} `json:"signatures"`
}

// Legacy is a slsa-github-generator v1 line: a DSSE envelope signed once,
// with the signing certificate in the signature's cert field. It carries
// no log entry and no timestamp; Bundle joins it with its Rekor v1 entry
// into a bundle Verify takes.
type Legacy struct {
	payloadType string
	payload     []byte
	keyID       string
	sig         string // base64, as in the envelope
	cert        *x509.Certificate
}

// IsLegacy reports whether b is a slsa-github-generator v1 line.
func IsLegacy(b []byte) bool { return legacyEnvelope(b) }

// ParseLegacy reads a slsa-github-generator v1 line and checks its
// signature with its certificate's key, so that a changed line is refused
// as ErrSignature before its log entry is looked for. Other refusals are
// ErrMalformed.
func ParseLegacy(b []byte) (*Legacy, error) {
	var env legacyJSON
	if err := json.Unmarshal(b, &env); err != nil {
		return nil, &Error{Check: ErrMalformed, Err: err}
	}
	if len(env.Signatures) != 1 {
		return nil, refuse(ErrMalformed, "the DSSE envelope has %d signatures, want 1", len(env.Signatures))
	}
	s := env.Signatures[0]
	block, _ := pem.Decode([]byte(s.Cert))
	if block == nil || block.Type != "CERTIFICATE" {
		return nil, refuse(ErrMalformed, "the signature's cert field holds no PEM certificate")
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return nil, refuse(ErrMalformed, "the signature's certificate: %w", err)
	}
	payload, err := base64.StdEncoding.DecodeString(env.Payload)
	if err != nil {
		return nil, refuse(ErrSignature, "the DSSE payload is not base64: %w", err)
	}
	raw, err := base64.StdEncoding.DecodeString(s.Sig)
	if err != nil {
		return nil, refuse(ErrSignature, "the DSSE signature is not base64: %w", err)
	}
	v, err := signature.LoadDefaultVerifier(cert.PublicKey)
	if err != nil {
		return nil, refuse(ErrSignature, "the certificate's key: %w", err)
	}
	if err := v.VerifySignature(bytes.NewReader(raw), bytes.NewReader(dsse.PAE(env.PayloadType, payload))); err != nil {
		return nil, refuse(ErrSignature, "the DSSE signature does not verify with the key of the line's certificate: %w", err)
	}
	return &Legacy{payloadType: env.PayloadType, payload: payload, keyID: s.KeyID, sig: s.Sig, cert: cert}, nil
}

// Statement returns the signed payload (not yet verified beyond the
// signature: the certificate is not checked).
func (l *Legacy) Statement() []byte { return l.payload }

// PayloadDigest is "sha256:<hex>" of the payload: the key Rekor indexes
// an intoto entry under.
func (l *Legacy) PayloadDigest() string {
	s := sha256.Sum256(l.payload)
	return "sha256:" + hex.EncodeToString(s[:])
}

// CertificateDigest is "sha256:<hex>" of the certificate in PEM, as Rekor
// indexes the entries a key or certificate signed.
func (l *Legacy) CertificateDigest() string {
	s := sha256.Sum256(l.certPEM())
	return "sha256:" + hex.EncodeToString(s[:])
}

func (l *Legacy) certPEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: l.cert.Raw})
}
