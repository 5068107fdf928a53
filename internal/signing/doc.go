// Package signing signs in-toto statements keylessly with Sigstore: an
// ephemeral P-256 key that lives only in memory, a certificate from Fulcio
// for the job's OIDC token, an entry in a transparency log (Rekor v1 or v2)
// and/or RFC 3161 timestamps, packed as a Sigstore bundle v0.3. It wraps
// sigstore-go behind the small Signer interface.
//
// It also loads the Sigstore instance to sign on: the built-in public-good
// and GitHub instances take their trusted roots from their TUF
// repositories, whose initial roots are built in. Only Go options
// (WithTUF, WithSigningConfig) change those; the package reads no
// environment variables.
//
// It does not decide whether a bundle is acceptable; package verify does,
// before anything is written.
package signing
