// Package fakeoidc is a faithful stand-in for GitHub Actions' side of OIDC:
// the issuer (discovery document and JWKS) and the token service a job
// reaches through ACTIONS_ID_TOKEN_REQUEST_URL.
//
// Unit tests run it in process with NewTestServer and point go-oidc or
// go-githubactions at it. The loopback stack (internal/testing/stack) runs
// the same handler in process and scripts run it as the fakeoidc command;
// there a real Fulcio verifies its tokens. The tokens
// carry the claims of a tag push in octo-org/octo-repo, the set Fulcio's
// github-workflow issuer type requires, as GitHub's tokens do; see
// https://docs.github.com/en/actions/reference/security/oidc.
//
// Tokens are RS256 JWTs signed by hand. The package imports nothing but the
// standard library, so that any test in the module may use it without
// pulling in a JOSE library. It is test support: it must never be imported
// by code that ships.
package fakeoidc
