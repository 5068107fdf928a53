// Package policy decides whether a verified attestation is the one a
// release engineer expects: built from this repository, at this ref, by
// this builder. It checks the signing certificate's GitHub extensions and
// the SLSA predicate (v1.0 or v0.2), and that the two agree with each
// other, so a predicate cannot claim a build the certificate did not sign.
//
// The package is pure: the signature, certificate chain, log entries and
// timestamps are verified elsewhere (internal/verify) before Evaluate sees
// the evidence.
package policy
