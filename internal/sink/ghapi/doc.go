// Package ghapi is what provenant's GitHub REST API clients share: a
// go-github client for GITHUB_API_URL, and a Caller that retries server
// errors and rate limits as GitHub asks and describes failures without
// credentials or signed URLs.
package ghapi
