package verify

import (
	"errors"
	"fmt"
)

// The checks a bundle can fail. Each refusal from Verify and Bundle is an
// *Error that matches exactly one of them with errors.Is. Their text is
// the start of the refusal message that `provenant verify` prints.
var (
	// ErrMalformed means the input is not a Sigstore bundle provenant can
	// verify (bad JSON, no DSSE envelope, no Fulcio certificate).
	ErrMalformed = errors.New("not a valid Sigstore bundle")
	// ErrLegacyEnvelope means the input is a bare DSSE envelope with its
	// certificate, as slsa-github-generator wrote before v2.1.0: it needs
	// its Rekor entry, which it does not carry. It is also the refusal when
	// that entry could not be found.
	ErrLegacyEnvelope = errors.New("slsa-github-generator v1 DSSE envelope: needs its Rekor entry")
	// ErrSignature means the DSSE signature does not verify with the key
	// of the bundle's certificate: the payload, the signature or the
	// certificate was changed.
	ErrSignature = errors.New("signature")
	// ErrTransparencyLog means a required transparency log entry is
	// missing, is not from a log of the trusted root, or does not match
	// the signature.
	ErrTransparencyLog = errors.New("transparency log entry")
	// ErrTimestamp means no trusted signing time could be established, or
	// the certificate was not valid at that time.
	ErrTimestamp = errors.New("timestamp")
	// ErrCertificateChain means the signing certificate does not chain to
	// a certificate authority of the trusted root.
	ErrCertificateChain = errors.New("certificate does not chain to the trusted root")
	// ErrCertificateTransparency means the certificate carries no valid
	// signed certificate timestamp from a CT log of the trusted root.
	ErrCertificateTransparency = errors.New("certificate transparency")
	// ErrArtifactNotInStatement means the signed statement does not name
	// the artifact's digest among its subjects.
	ErrArtifactNotInStatement = errors.New("artifact not in the statement's subjects")
	// ErrIdentity means the certificate names another signer than the one
	// required (SAN, issuer or a GitHub extension differs).
	ErrIdentity = errors.New("identity")
)

// Error is one refusal: the check that failed and why.
type Error struct {
	// Check is one of the Err sentinels of this package.
	Check error
	// Root names the trusted root the bundle was checked against, when
	// there were several; empty otherwise.
	Root string
	// Err is the underlying reason, often sigstore-go's error.
	Err error
}

func (e *Error) Error() string {
	if e.Root != "" {
		return fmt.Sprintf("%v (trusted root %s): %v", e.Check, e.Root, e.Err)
	}
	return fmt.Sprintf("%v: %v", e.Check, e.Err)
}

// Unwrap returns the check and the reason, so that errors.Is finds the
// sentinel and errors.As finds sigstore-go's typed errors.
func (e *Error) Unwrap() []error { return []error{e.Check, e.Err} }

// refuse builds an *Error for check.
func refuse(check error, format string, args ...any) *Error {
	return &Error{Check: check, Err: fmt.Errorf(format, args...)}
}
