// Package e2e holds end-to-end tests only: provenant run as the GitHub
// Actions runner runs the action, against the real Sigstore services
// (Fulcio, CT log, Rekor v1/v2, timestamp authority) started on loopback by
// scripts/sigstore-stack.sh, with every bundle checked by cosign and gh.
//
// Without the stack the tests skip and say how to run them: make e2e.
package e2e
