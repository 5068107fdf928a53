package fakesigstore

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// options holds what New builds a Sigstore from.
type options struct {
	clock     func() time.Time
	serverURL *url.URL
	audience  string
}

// Option configures a Sigstore.
type Option func(*options) error

// WithClock sets the clock that certificate validity and timestamps are
// taken from. The CAs are valid from an hour before the clock's reading in
// New to a day after it; each leaf for ten minutes from its issue; each
// timestamp is the clock's reading. The TSA's certificates also cover the
// wall clock, because the timestamp's PKCS #7 signature carries a signing
// time taken from it that verifiers check. A token whose exp has passed by
// this clock is refused. The default is time.Now.
func WithClock(now func() time.Time) Option {
	return func(o *options) error {
		if now == nil {
			return errors.New("WithClock: the clock is nil")
		}
		o.clock = now
		return nil
	}
}

// WithServerURL sets the GitHub server URL that the SAN and the URI
// extensions are built on, for GitHub Enterprise tests. It must be an
// absolute http or https URL without a trailing slash. The default is
// https://github.com, which Fulcio v1.8.8 hard-codes for github-workflow
// issuers.
func WithServerURL(u string) Option {
	return func(o *options) error {
		p, err := url.Parse(u)
		switch {
		case err != nil:
			return fmt.Errorf("WithServerURL: parsing %q: %w", u, err)
		case p.Scheme != "http" && p.Scheme != "https", p.Host == "":
			return fmt.Errorf("WithServerURL: %q is not an absolute http or https URL", u)
		case strings.HasSuffix(u, "/"), p.RawQuery != "", p.Fragment != "":
			return fmt.Errorf("WithServerURL: %q must not end in a slash or carry a query or fragment", u)
		}
		o.serverURL = p
		return nil
	}
}

// WithAudience sets the audience a token must carry, Fulcio's client ID.
// An empty audience accepts any. The default is "sigstore", the client ID
// of the public-good Fulcio.
func WithAudience(aud string) Option {
	return func(o *options) error {
		o.audience = aud
		return nil
	}
}
