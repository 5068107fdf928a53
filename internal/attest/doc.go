// Package attest is the pipeline behind `provenant attest`, shared by every
// front end. It is a straight line of stages, each taking the narrow input
// it needs and returning a value:
//
//	subjects   ResolveSubjects: the subject inputs → []intoto.Subject
//	identity   identify: the OIDC token, verified, tied to the runner's
//	           environment and event payload → claims and token
//	statements buildStatements: one statement, or one per subject
//	signed     signAll: each statement signed by a signing.Signer and the
//	           bundle verified against the trusted root and the identity
//	files      writeFiles: .intoto.jsonl and .sigstore.json, all or none
//	stored     deliver: a loop over the configured sink.Interface values
//	           (registries, release assets, the attestations API)
//
// Run assembles the Result from those values at the end. The seams are
// signing.Signer (WithSigner) and sink.Interface (WithSinks); attest itself
// imports no Sigstore or registry library (archtest checks this), does no
// logging and reads no environment: front ends pass an Environment in and
// report the Result.
package attest
