// Package oidc verifies GitHub Actions OIDC tokens with go-oidc (signature
// through the issuer's JWKS, issuer, audience, expiry) and returns their
// claims as ghctx.Claims. Nothing unverified leaves this package.
//
// Fetching the token from the Actions runtime is the front end's job; this
// package only verifies.
package oidc
