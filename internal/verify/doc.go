// Package verify checks Sigstore bundles against a trusted root and an
// identity policy with sigstore-go. `provenant attest` uses it on every
// bundle it makes, before anything is written or uploaded.
package verify
