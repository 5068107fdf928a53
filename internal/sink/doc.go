// Package sink groups the places provenant delivers attestations to: OCI
// registries, GitHub release assets and the GitHub attestations API. Each
// sub-package implements one; none of them signs or verifies.
package sink
