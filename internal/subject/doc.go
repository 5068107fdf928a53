// Package subject turns every subject input a user can give into one
// deduplicated list of names with their digest sets: the subject field of an
// in-toto Statement
// (https://github.com/in-toto/attestation/blob/main/spec/v1/resource_descriptor.md).
//
// The inputs are files and globs (subject-path), a digest and name pair,
// name@digest lines, sha256sum-style checksums files (GNU and BSD), the
// base64 sha256sum text slsa-github-generator takes, and image references.
// Resolve combines all of them, checks every name and digest, and reports
// every problem at once as *input.Error values joined with errors.Join.
//
// The package reads the files it is pointed at and nothing else: it never
// reads the environment, never logs and never touches the network (image
// references are parsed, not resolved). It imports the standard library,
// internal/input, golang.org/x/sync/errgroup and go-containerregistry's
// pkg/name only; it must not import any other provenant package.
package subject
