// Package verifytest is an in-process Sigstore instance for tests: a
// Fulcio-like certificate authority that issues GitHub Actions signing
// certificates and an RFC 3161 timestamp authority, with no transparency
// log, like GitHub's instance for private repositories. It signs in-toto
// statements into real Sigstore bundles and gives the trusted root that
// verifies them, so the whole verify path runs offline in `go test`.
//
// It is test support: production code must not import it. It does no
// network or file I/O.
package verifytest
