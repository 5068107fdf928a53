// Package signing signs in-toto statements keylessly with Sigstore: an
// ephemeral P-256 key that lives only in memory, a certificate from Fulcio
// for the job's OIDC token, an entry in a transparency log (Rekor v1 or v2)
// and/or RFC 3161 timestamps, packed as a Sigstore bundle v0.3. It wraps
// sigstore-go behind the small Signer interface.
//
// It does not decide whether a bundle is acceptable; package verify does,
// before anything is written.
package signing
