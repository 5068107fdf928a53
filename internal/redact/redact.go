package redact

import (
	"cmp"
	"encoding/base64"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"unicode"
)

// Placeholder is what a redacted value is replaced with.
const Placeholder = "REDACTED"

// MinLength is the length below which a secret is not replaced in text:
// replacing a two-letter "secret" would garble every message and hide
// nothing.
const MinLength = 4

// Forms returns the ways secret can appear in text: as it is; in standard
// and URL-safe base64, each with and without padding; and query-escaped
// and path-escaped, as in a URL. The longest come first, so that replacing
// them in order never leaves part of a longer form behind. Forms of "" is
// nil.
func Forms(secret string) []string {
	if secret == "" {
		return nil
	}
	b := []byte(secret)
	forms := []string{
		secret,
		base64.StdEncoding.EncodeToString(b),
		base64.RawStdEncoding.EncodeToString(b),
		base64.URLEncoding.EncodeToString(b),
		base64.RawURLEncoding.EncodeToString(b),
		url.QueryEscape(secret),
		url.PathEscape(secret),
	}
	slices.SortStableFunc(forms, func(a, b string) int { return cmp.Compare(len(b), len(a)) })
	return slices.Compact(forms)
}

// Secrets replaces every form (see Forms) of every secret in s with
// Placeholder. Secrets shorter than MinLength are left alone.
func Secrets(s string, secrets ...string) string {
	for _, sec := range secrets {
		if len(sec) < MinLength {
			continue
		}
		for _, f := range Forms(sec) {
			s = strings.ReplaceAll(s, f, Placeholder)
		}
	}
	return s
}

// Text is Secrets, followed by URLs (user info and query values, see URL)
// and the credential after "Bearer" or "Basic" anywhere in s.
func Text(s string, secrets ...string) string {
	s = Secrets(s, secrets...)
	s = urlPattern.ReplaceAllStringFunc(s, URL)
	return authPattern.ReplaceAllStringFunc(s, credential)
}

var (
	urlPattern  = regexp.MustCompile(`[a-zA-Z][a-zA-Z0-9+.-]*://[^\s"'<>]+`)
	authPattern = regexp.MustCompile(`(?i)\b(bearer|basic)\s+([A-Za-z0-9._~+/=-]{8,})`)
)

// harmlessQuery are query parameters that carry no secret and help to
// read an error: registry token scopes, blob mounts, paging, and the name
// and label of a release asset upload.
var harmlessQuery = map[string]bool{
	"scope": true, "service": true, "digest": true, "mount": true, "from": true, "n": true, "last": true,
	"page": true, "per_page": true, "name": true, "label": true,
}

// URL returns raw with its user info replaced by Placeholder, the values
// of its query parameters replaced by Placeholder (but for a few known to
// be harmless, such as scope and page), and its fragment dropped. A signed
// download URL thus keeps its host and path but loses its signature.
// Something that does not parse as a URL comes back as Placeholder.
func URL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return Placeholder
	}
	if u.User != nil {
		u.User = url.User(Placeholder)
	}
	if u.RawQuery != "" {
		q := u.Query()
		for k := range q {
			if !harmlessQuery[k] {
				q[k] = []string{Placeholder}
			}
		}
		u.RawQuery = q.Encode()
	}
	u.Fragment, u.RawFragment = "", ""
	return u.String()
}

// credential hides the credential after "Bearer" or "Basic" but leaves
// prose such as "basic authentication" alone: a credential is long or
// holds a character other than a letter.
func credential(m string) string {
	sub := authPattern.FindStringSubmatch(m)
	if len(sub[2]) < 20 && strings.IndexFunc(sub[2], func(r rune) bool { return !unicode.IsLetter(r) }) < 0 {
		return m
	}
	return sub[1] + " " + Placeholder
}

// Error returns err with its text passed through Text. When nothing needed
// redacting it returns err itself; otherwise the result carries the
// redacted text and unwraps to err, so errors.Is and errors.As still see
// the original. Error(nil) is nil.
func Error(err error, secrets ...string) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	if red := Text(msg, secrets...); red != msg {
		return &redactedError{msg: red, err: err}
	}
	return err
}

// redactedError carries a redacted message and the error it came from.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }
