// Package attest is the pipeline behind `provenant attest`, shared by every
// front end: resolve the subjects, verify the OIDC token and tie the run's
// environment to it, build the statement, and write it.
//
// It does no logging and reads no environment: front ends pass an
// Environment in and report the Result.
package attest
