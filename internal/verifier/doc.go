// Package verifier runs `provenant verify`: it finds the artifacts (files,
// digests, images), reads the attestations and indexes them by the subject
// digests they claim (or lists them from the GitHub attestations API),
// joins slsa-github-generator v1 lines with their Rekor v1 entry, chooses
// the trusted roots, verifies each artifact
// against the bundles that claim it (internal/verify), evaluates the
// policy (internal/policy) and returns a Report. Printing the report and
// parsing flags are the front end's job (internal/cli).
//
// Its errors name no command-line flags: the refusals a front end words
// in its own terms are typed (ErrNothingToVerify, *NoAttestationError,
// *DigestError, the root errors of roots.go).
//
// It must not import internal/cli or internal/action.
package verifier
