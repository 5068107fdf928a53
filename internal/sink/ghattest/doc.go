// Package ghattest stores Sigstore bundles with GitHub's artifact
// attestations API (POST /repos/{owner}/{repo}/attestations, see
// https://docs.github.com/rest/repos/attestations#create-an-attestation),
// so that `gh attestation verify` finds them without a bundle file.
//
// It sends the bundle as a JSON object under "bundle", retries what
// GitHub asks to retry, and tells a plan refusal (ErrPlan: private
// repositories outside GitHub Enterprise Cloud) from other failures. It
// does not sign or verify, and it must not import internal/action or
// internal/cli.
package ghattest
