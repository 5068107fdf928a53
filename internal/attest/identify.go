package attest

import (
	"context"

	"github.com/provenant/provenant/internal/ghctx"
	"github.com/provenant/provenant/internal/oidc"
)

// identityInput is what the identity stage needs.
type identityInput struct {
	// issuer is the oidc-issuer input, or "" for the server's default.
	issuer string
	env    Environment
}

// identity is the run's verified identity: the context built from the
// verified token's claims, and the token itself, which Fulcio needs.
type identity struct {
	gc    ghctx.Context
	token string
}

// identify fetches and verifies the OIDC token, checks the environment and
// event payload against its claims, and returns the identity.
func identify(ctx context.Context, in identityInput, extra ...oidc.Option) (identity, error) {
	vopts, err := verifierOptions(in.issuer, in.env.ServerURL)
	if err != nil {
		return identity{}, err
	}
	v, err := oidc.NewVerifier(append(vopts, extra...)...)
	if err != nil {
		return identity{}, err
	}
	tok, err := in.env.Token(ctx, oidc.Audience)
	if err != nil {
		return identity{}, err
	}
	claims, err := v.Verify(ctx, tok)
	if err != nil {
		return identity{}, err
	}
	getenv := in.env.Getenv
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	if err := ghctx.CheckRun(claims, getenv, in.env.Event); err != nil {
		return identity{}, err
	}
	gc := ghctx.Context{ServerURL: ghctx.TrimServerURL(in.env.ServerURL), Claims: claims, Event: in.env.Event}
	if err := gc.Validate(); err != nil {
		return identity{}, err
	}
	return identity{gc: gc, token: tok}, nil
}

func verifierOptions(issuer, serverURL string) ([]oidc.Option, error) {
	if issuer != "" {
		return []oidc.Option{oidc.WithIssuer(issuer)}, nil
	}
	iss, err := oidc.DefaultIssuer(serverURL)
	if err != nil {
		return nil, err
	}
	return []oidc.Option{oidc.WithDefaultIssuer(iss)}, nil
}
