// Package ghctx holds the facts about a GitHub Actions run that provenance is
// made of: the verified OIDC token claims, the server URL and the event
// payload, and the checks that tie the runner's environment to those claims.
//
// It is pure: no I/O, no network, no os.Getenv. Fetching and verifying the
// token is package oidc's job; reading files and the environment is the
// front ends' job.
package ghctx
