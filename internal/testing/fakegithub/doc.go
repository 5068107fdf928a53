// Package fakegithub is an in-process fake of the parts of GitHub's REST API
// that provenant uses: releases, release assets (including the upload host
// and asset downloads) and the artifact attestations API.
//
// It aims to answer as GitHub does: the same status codes, the same JSON
// error bodies ({"message", "errors", "documentation_url", "status"}), the
// rate-limit and request-id headers, Link-header pagination, the RFC 6570
// upload_url template, drafts that GET-by-tag does not see, and the 422s
// for duplicate asset names and immutable releases. Where it simplifies,
// the doc comment says so.
//
// Tests seed state through the Go API (CreateRepo, CreateRelease, AddAsset),
// script failures with FailEndpoint and FailPath (5xx, secondary and
// primary rate limits, 429, a broken upload) and assert on what happened
// with Releases, Attestations and Requests. NewTestServer runs it on a
// loopback httptest server; the fakegithub command runs the same handler
// for shell scripts.
//
// Reference: https://docs.github.com/rest/releases and
// https://docs.github.com/rest/repos/attestations.
//
// It imports nothing but the standard library. It is test support: it must
// never be imported by code that ships.
package fakegithub
