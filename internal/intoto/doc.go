// Package intoto is the vocabulary the rest of provenant shares: in-toto
// subjects and digest sets, the statement and predicate type URIs, and one
// parser each for statements and Sigstore bundles.
//
// It is pure: it does no I/O and imports no network, Sigstore or registry
// package. Parsing here never verifies anything; internal/verify does.
//
// Specifications: https://github.com/in-toto/attestation/blob/main/spec/v1/statement.md
// and https://github.com/sigstore/protobuf-specs (the bundle).
package intoto
