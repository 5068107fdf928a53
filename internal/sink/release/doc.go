// Package release publishes provenance files as assets of a GitHub release,
// the delivery slsa-github-generator calls upload-assets.
//
// Upload finds the release for a tag (drafts included), creates it when
// asked, and makes each asset present with exactly the given content:
// an identical asset is left alone, a different one is replaced only with
// Options.Overwrite, and a name is never duplicated, even when two runs
// race. It retries what GitHub asks to retry (5xx, 429, secondary rate
// limits, a primary limit that resets within a minute) and explains what
// it cannot fix: an immutable release, a missing permission, a spent rate
// limit.
//
// It talks to the API through go-github
// (https://docs.github.com/rest/releases). It does not sign, build or
// verify anything, and it must not import internal/action or internal/cli.
package release
