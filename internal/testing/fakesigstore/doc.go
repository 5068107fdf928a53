// Package fakesigstore is an in-process stand-in for the two Sigstore
// services that signing with a timestamp needs: a Fulcio certificate
// authority (POST /api/v2/signingCert) and an RFC 3161 timestamp authority
// (POST /api/v1/timestamp). sigstore-go's own clients, sign.NewFulcio and
// sign.NewTimestampAuthority, talk to it unchanged, and bundles signed
// through it verify with sigstore-go's verifier under the trusted root that
// TrustedRoot and TrustedRootJSON describe.
//
// It answers as Fulcio v1.8.8 without a CT log and timestamp-authority
// v2.1.3 do for the requests sigstore-go sends: the same JSON shapes, the
// same status codes and error messages, a leaf carrying every extension
// Fulcio's github-workflow issuer type writes, and a timestamping leaf with
// the critical EKU verifiers insist on. Where it simplifies, the doc
// comment says so. The most important simplification: it does not verify
// the OIDC token's signature, because it cannot know the issuer's keys.
// Callers that need that guarantee verify tokens themselves, as provenant
// does before it asks for a certificate.
//
// Tests run it with NewTestServer, script failures with FailNext and count
// requests with Requests. Pair it with fakeoidc for tokens.
//
// References: https://github.com/sigstore/fulcio/blob/main/docs/oid-info.md
// for the certificate extensions, RFC 3161 for timestamps, and
// https://github.com/sigstore/protobuf-specs for the trusted root and the
// signing config.
//
// It is test support: it must never be imported by code that ships, which
// internal/archtest checks.
package fakesigstore
