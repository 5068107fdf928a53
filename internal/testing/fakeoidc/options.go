package fakeoidc

import (
	"crypto/rsa"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// options holds what New builds a Server from.
type options struct {
	issuer       string
	claims       map[string]any
	fixedJTI     bool
	requestToken string
	jobsEndpoint bool
	clock        func() time.Time
	lifetime     time.Duration
	key          *rsa.PrivateKey
	keyID        string
}

// Option configures a Server.
type Option func(*options) error

// WithIssuer sets the issuer URL: the iss claim of every token and the
// issuer field of the discovery document. It must be an absolute http or
// https URL without a trailing slash, because Fulcio compares it byte for
// byte. A path is allowed (GitHub Enterprise issuers have one); the
// discovery document and the JWKS are then served under that path too.
//
// New has no default and fails without it. NewTestServer defaults to the
// test server's own URL.
func WithIssuer(u string) Option {
	return func(o *options) error {
		if err := checkIssuer(u); err != nil {
			return err
		}
		o.issuer = u
		return nil
	}
}

// WithClaims merges m over the claims the server puts in every token. A key
// whose value is nil removes that claim, which is how tests build tokens
// with a claim missing. Values are marshalled as JSON; GitHub sends only
// strings. Several WithClaims apply in order.
//
// The default is DefaultClaims, with a fresh jti in each token. Setting jti
// here fixes it for every token.
func WithClaims(m map[string]any) Option {
	return func(o *options) error {
		if _, ok := m["jti"]; ok {
			o.fixedJTI = true
		}
		o.claims = merge(o.claims, m)
		return nil
	}
}

// WithRequestToken sets the bearer value the token endpoint demands, the
// fake's ACTIONS_ID_TOKEN_REQUEST_TOKEN.
//
// The default, "", accepts any non-empty bearer value. Either way a request
// without an Authorization: Bearer header gets 401, as it does at GitHub.
func WithRequestToken(tok string) Option {
	return func(o *options) error {
		o.requestToken = tok
		return nil
	}
}

// WithJobsEndpoint turns on POST /_jobs (see Handler), with which a
// process that holds the configured request token registers jobs. It is
// off by default: most tests hand that token to the process under test,
// which must not be able to mint tokens of other runs.
func WithJobsEndpoint() Option {
	return func(o *options) error {
		o.jobsEndpoint = true
		return nil
	}
}

// WithClock sets the clock that iat, nbf and exp are taken from. Set it in
// the past to mint expired tokens. The default is time.Now.
func WithClock(now func() time.Time) Option {
	return func(o *options) error {
		if now == nil {
			return errors.New("WithClock: the clock is nil")
		}
		o.clock = now
		return nil
	}
}

// WithTokenLifetime sets the time from iat to exp. It must be positive. The
// default is 10 minutes.
func WithTokenLifetime(d time.Duration) Option {
	return func(o *options) error {
		if d <= 0 {
			return fmt.Errorf("WithTokenLifetime: lifetime %v is not positive", d)
		}
		o.lifetime = d
		return nil
	}
}

// WithKey sets the RSA key tokens are signed with; its public half is the
// only key in the JWKS. The default is a fresh RSA-2048 key per Server.
func WithKey(k *rsa.PrivateKey) Option {
	return func(o *options) error {
		if k == nil {
			return errors.New("WithKey: the key is nil")
		}
		o.key = k
		return nil
	}
}

// WithKeyID sets the key id: the kid of the token header and of the JWKS
// entry. The default is "k1".
func WithKeyID(kid string) Option {
	return func(o *options) error {
		if kid == "" {
			return errors.New("WithKeyID: the key id is empty")
		}
		o.keyID = kid
		return nil
	}
}

// checkIssuer reports why u cannot be an issuer URL, or nil.
func checkIssuer(u string) error {
	p, err := url.Parse(u)
	switch {
	case err != nil:
		return fmt.Errorf("WithIssuer: parsing %q: %w", u, err)
	case p.Scheme != "http" && p.Scheme != "https":
		return fmt.Errorf("WithIssuer: %q is not an http or https URL", u)
	case p.Host == "":
		return fmt.Errorf("WithIssuer: %q has no host", u)
	case p.RawQuery != "" || p.Fragment != "" || p.User != nil:
		return fmt.Errorf("WithIssuer: %q must not carry a query, fragment or user info", u)
	case strings.HasSuffix(u, "/"):
		return fmt.Errorf("WithIssuer: %q ends in a slash; OIDC clients and Fulcio compare the issuer byte for byte", u)
	}
	return nil
}
