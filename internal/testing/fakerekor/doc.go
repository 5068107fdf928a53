// Package fakerekor is an in-process Rekor v1 transparency log for tests:
// a real RFC 6962 Merkle tree over canonical entry bodies, signed entry
// timestamps (SETs) and signed checkpoints made with an ECDSA P-256 key as
// Rekor v1 makes them, and the two read endpoints a verifier uses to find
// an entry:
//
//   - POST /api/v1/index/retrieve {"hash":"sha256:<hex>"}, answered with
//     the UUIDs of the entries indexed under that key;
//   - GET /api/v1/log/entries/{uuid}, answered with
//     {uuid: {body, integratedTime, logID, logIndex, verification}}.
//
// Entries are added in process with AddIntoto, which builds the intoto
// v0.0.2 entry Rekor stores for a DSSE envelope carrying its certificate
// (the upload slsa-github-generator v1 made), or with AddBody for any body
// under chosen index keys. Simplifications: one shard (the tree's log
// index is the global one), no uploads over HTTP, no consistency proofs.
//
// References: https://github.com/sigstore/rekor/blob/main/openapi.yaml for
// the API, RFC 6962 section 2.1 for the tree, and
// https://github.com/transparency-dev/formats/blob/main/log/README.md for
// the checkpoint.
//
// It is test support: it must never be imported by code that ships.
package fakerekor
