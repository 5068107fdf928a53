// Package stack runs the real Sigstore services on loopback for end-to-end
// tests: the pinned Fulcio, TesseraCT (CT log), rekor-tiles (Rekor v2),
// rekor-server with Trillian and MariaDB (Rekor v1) and timestamp-server
// binaries, Debian's docker-registry, and in process the project's fake
// GitHub OIDC issuer and go-containerregistry's registry with the referrers
// API. It waits for each to answer, writes the trusted root and the signing
// config that describe them, and stops exactly the processes it started.
//
// The services use fixed ports and some of them open listeners on all
// interfaces, so Start only runs inside a private network namespace; Isolate
// re-runs the current binary in one. A TestMain does both:
//
//	if code, reexeced, err := stack.Isolate(); err != nil || reexeced { … exit with code }
//	st, err := stack.Start(ctx, cfg)
//	defer st.Stop()
//
// The binaries come from scripts/install-tools.sh; MissingTools says which
// of them a Config needs and lacks, so tests can skip with a clear message.
//
// It is test support: code that ships never imports it (internal/archtest
// checks this).
package stack
