package oci

import (
	"encoding/base64"
	"net/url"
	"regexp"
	"strings"
	"unicode"

	"github.com/google/go-containerregistry/pkg/authn"
)

var (
	urlPattern  = regexp.MustCompile(`[a-zA-Z][a-zA-Z0-9+.-]*://[^\s"'<>]+`)
	authPattern = regexp.MustCompile(`(?i)\b(bearer|basic)\s+([A-Za-z0-9._~+/=-]{8,})`)
)

// harmlessQuery are the registry query parameters that carry no secret and
// help to read an error.
var harmlessQuery = map[string]bool{"scope": true, "service": true, "digest": true, "mount": true, "from": true, "n": true, "last": true}

// redactedError carries a sanitized message while keeping the original
// error reachable for errors.Is and errors.As.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// redact scrubs err's text: user info and query values in URLs (signed
// blob URLs, tokens in redirects), Authorization-style credentials, and
// the keychain's own secrets in plain, base64 and URL-escaped form.
func redact(err error, k authn.Keychain) error {
	if err == nil {
		return nil
	}
	msg := redactText(err.Error(), secretsOf(k))
	return &redactedError{msg: msg, err: err}
}

func redactText(s string, secrets []string) string {
	for _, sec := range secrets {
		if len(sec) < 4 {
			continue
		}
		for _, form := range []string{sec, url.QueryEscape(sec), base64.StdEncoding.EncodeToString([]byte(sec))} {
			s = strings.ReplaceAll(s, form, "REDACTED")
		}
	}
	s = urlPattern.ReplaceAllStringFunc(s, redactURL)
	return authPattern.ReplaceAllStringFunc(s, redactCredential)
}

// redactCredential hides the credential after "Bearer" or "Basic", but
// leaves prose such as "basic authentication" alone: a credential is long
// or has a character other than a letter.
func redactCredential(m string) string {
	sub := authPattern.FindStringSubmatch(m)
	if len(sub[2]) < 20 && strings.IndexFunc(sub[2], func(r rune) bool { return !unicode.IsLetter(r) }) < 0 {
		return m
	}
	return sub[1] + " REDACTED"
}

func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "REDACTED-URL"
	}
	if u.User != nil {
		u.User = url.User("REDACTED")
	}
	if u.RawQuery != "" {
		q := u.Query()
		for k := range q {
			if !harmlessQuery[k] {
				q[k] = []string{"REDACTED"}
			}
		}
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// secretsOf returns the secrets a keychain built by Keychain holds.
func secretsOf(k authn.Keychain) []string {
	if kc, ok := k.(*keychain); ok {
		return kc.secrets()
	}
	return nil
}
