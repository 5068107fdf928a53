// Package ociregistry serves go-containerregistry's in-memory OCI registry,
// optionally with the OCI 1.1 referrers API answered as the distribution
// spec says. The loopback stack (internal/testing/stack) runs it beside
// Debian's docker-registry, which has no referrers API, so that OCI code is
// tested against two registries this project did not write.
//
// It is test support: code that ships never imports it.
package ociregistry
