package oidc

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"

	"github.com/provenant/provenant/internal/ghctx"
	"github.com/provenant/provenant/internal/redact"
)

// Audience is the audience provenant requests: the one Fulcio expects.
const Audience = "sigstore"

// Verifier checks GitHub Actions OIDC tokens.
type Verifier struct {
	issuer    string
	allowSlug bool
	audience  string
	client    *http.Client
	now       func() time.Time
	insecure  string
}

type options struct {
	issuer    string
	allowSlug bool
	audience  string
	client    *http.Client
	now       func() time.Time
	insecure  string
}

// Option configures a Verifier.
type Option func(*options) error

// WithIssuer sets the exact issuer tokens must carry. The default is
// GitHubIssuer, where an enterprise slug suffix ("/<slug>") is also
// accepted. An explicit issuer is matched exactly.
func WithIssuer(iss string) Option {
	return func(o *options) error {
		iss = strings.TrimRight(iss, "/")
		if _, err := ghctx.ServiceURL("the OIDC issuer", iss); err != nil {
			return err
		}
		o.issuer, o.allowSlug = iss, false
		return nil
	}
}

// WithDefaultIssuer sets the issuer expected by default, allowing an
// enterprise slug suffix. The default is GitHubIssuer.
func WithDefaultIssuer(iss string) Option {
	return func(o *options) error {
		o.issuer, o.allowSlug = strings.TrimRight(iss, "/"), true
		return nil
	}
}

// WithDiscoveryURL makes discovery happen at url while tokens still must
// name the configured issuer. Tests use it to serve a real issuer name from
// a loopback server; the default is discovery at the issuer itself.
func WithDiscoveryURL(url string) Option {
	return func(o *options) error { o.insecure = url; return nil }
}

// NewVerifier returns a Verifier.
func NewVerifier(opts ...Option) (*Verifier, error) {
	o := options{
		issuer:    GitHubIssuer,
		allowSlug: true,
		audience:  Audience,
		client:    &http.Client{Timeout: 30 * time.Second},
		now:       time.Now,
	}
	for _, opt := range opts {
		if err := opt(&o); err != nil {
			return nil, err
		}
	}
	return &Verifier{issuer: o.issuer, allowSlug: o.allowSlug, audience: o.audience, client: o.client, now: o.now, insecure: o.insecure}, nil
}

// Verify checks the token's signature against the issuer's published keys,
// its issuer, audience and expiry, and returns its claims. Error text never
// contains the token.
func (v *Verifier) Verify(ctx context.Context, token string) (ghctx.Claims, error) {
	iss, err := unverifiedIssuer(token)
	if err != nil {
		return ghctx.Claims{}, err
	}
	if !acceptedIssuer(iss, v.issuer, v.allowSlug) {
		return ghctx.Claims{}, fmt.Errorf("verifying OIDC token: issuer is %q, expected %q; set the oidc-issuer input for GitHub Enterprise", iss, v.issuer)
	}
	ctx = gooidc.ClientContext(ctx, v.client)
	discovery := iss
	if v.insecure != "" {
		ctx = gooidc.InsecureIssuerURLContext(ctx, iss)
		discovery = v.insecure
	}
	provider, err := gooidc.NewProvider(ctx, discovery)
	if err != nil {
		return ghctx.Claims{}, fmt.Errorf("verifying OIDC token: discovering issuer %s: %w", iss, err)
	}
	idt, err := provider.Verifier(&gooidc.Config{ClientID: v.audience, Now: v.now}).Verify(ctx, token)
	var expired *gooidc.TokenExpiredError
	switch {
	case errors.As(err, &expired) && expired.Expiry.IsZero():
		return ghctx.Claims{}, errors.New("verifying OIDC token: the token has no exp claim, so it would never expire; " +
			"GitHub's tokens always have one: check the oidc-issuer")
	case errors.As(err, &expired):
		return ghctx.Claims{}, fmt.Errorf("verifying OIDC token: the token expired at %s (now %s); tokens live minutes: "+
			"re-run the job, and check the runner's clock", expired.Expiry.UTC().Format(time.RFC3339), v.now().UTC().Format(time.RFC3339))
	case err != nil:
		return ghctx.Claims{}, fmt.Errorf("verifying OIDC token: %w", redact.Error(err, token))
	}
	var raw json.RawMessage
	if err := idt.Claims(&raw); err != nil {
		return ghctx.Claims{}, fmt.Errorf("verifying OIDC token: reading claims: %w", err)
	}
	return ghctx.ParseClaims(raw)
}

// unverifiedIssuer reads iss from the token payload without trusting it; it
// only picks the discovery URL, which must still be an accepted issuer.
func unverifiedIssuer(token string) (string, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return "", errors.New("verifying OIDC token: not a JWT (expected three dot-separated parts)")
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return "", errors.New("verifying OIDC token: payload is not base64url")
	}
	var c struct {
		Iss string `json:"iss"`
	}
	if err := json.Unmarshal(payload, &c); err != nil || c.Iss == "" {
		return "", errors.New("verifying OIDC token: payload has no iss claim")
	}
	return c.Iss, nil
}
