package oci

import (
	"github.com/google/go-containerregistry/pkg/authn"

	textredact "github.com/provenant/provenant/internal/redact"
)

// redact scrubs err's text (see redact.Error): user info and query values
// in URLs (signed blob URLs, tokens in redirects), Authorization-style
// credentials, and the keychain's own secrets in every encoded form. The
// original error stays reachable for errors.Is and errors.As.
func redact(err error, k authn.Keychain) error {
	return textredact.Error(err, secretsOf(k)...)
}

// secretsOf returns the secrets a keychain built by Keychain holds: each
// password, and each user:password pair, whose base64 is a Basic
// credential.
func secretsOf(k authn.Keychain) []string {
	kc, ok := k.(*keychain)
	if !ok {
		return nil
	}
	var s []string
	for _, c := range []*authn.AuthConfig{kc.static, kc.ghcr} {
		if c != nil {
			s = append(s, c.Password, c.Username+":"+c.Password)
		}
	}
	return s
}
