// Package verify checks Sigstore bundles with sigstore-go: the DSSE
// signature, the certificate chain to a trusted root, the transparency log
// entries, the timestamps, the certificate transparency proofs, the signer's
// identity and that the statement names the artifact. There is one
// verifier; `provenant attest` runs it on every bundle it makes, through
// Bundle, and `provenant verify` through Verify.
//
// Every refusal is an *Error whose Check is one of the Err sentinels, so
// callers branch with errors.Is and never on message text.
//
// It reads files only in read.go (attestations and trusted roots given by
// path) and does no network I/O: trusted material is passed in. It must not
// import internal/cli, internal/action or any sink.
package verify
