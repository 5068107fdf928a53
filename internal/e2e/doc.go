// Package e2e holds end-to-end tests only: provenant run as the GitHub
// Actions runner runs the action, against the real Sigstore services
// (Fulcio, CT log, Rekor v1/v2, timestamp authority) that TestMain starts on
// loopback with internal/testing/stack, inside a private network namespace,
// with every bundle checked by cosign and gh.
//
// The -stack flag (or STACK_MODE) picks the services; make e2e runs the
// three modes of its E2E_MODES. Without the pinned tools, or with -short,
// the tests skip and say how to run them: make e2e.
package e2e
