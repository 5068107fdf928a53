// Package faketuf is a TUF repository for tests: real go-tuf metadata
// (root, targets, snapshot, timestamp, each role with its own ed25519 key,
// consistent snapshots), generated in memory and served over HTTP, so that
// a TUF client can be pointed at it on loopback. It publishes targets such
// as trusted_root.json and can rotate its root, publish expired timestamp
// metadata, roll back to an older snapshot, or go down.
//
// It is test support: production code never imports it.
package faketuf
