package attest

import (
	"context"
	"errors"

	"github.com/provenant/provenant/internal/config"
	"github.com/provenant/provenant/internal/ghctx"
	"github.com/provenant/provenant/internal/oidc"
)

// identify fetches and verifies the OIDC token, checks the environment and
// event payload against its claims, and returns the context and the token,
// which Fulcio needs.
func identify(ctx context.Context, cfg *config.Config, env Environment, extra ...oidc.Option) (ghctx.Context, string, error) {
	vopts, err := verifierOptions(cfg, env.ServerURL)
	if err != nil {
		return ghctx.Context{}, "", err
	}
	v, err := oidc.NewVerifier(append(vopts, extra...)...)
	if err != nil {
		return ghctx.Context{}, "", err
	}
	tok, err := env.Token(ctx, oidc.Audience)
	if err != nil {
		return ghctx.Context{}, "", err
	}
	claims, err := v.Verify(ctx, tok)
	if err != nil {
		return ghctx.Context{}, "", err
	}
	getenv := env.Getenv
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	if err := errors.Join(ghctx.CheckEnv(claims, getenv), ghctx.CheckEvent(claims, env.Event)); err != nil {
		return ghctx.Context{}, "", err
	}
	gc := ghctx.Context{ServerURL: ghctx.TrimServerURL(env.ServerURL), Claims: claims, Event: env.Event}
	if err := gc.Validate(); err != nil {
		return ghctx.Context{}, "", err
	}
	return gc, tok, nil
}

func verifierOptions(cfg *config.Config, serverURL string) ([]oidc.Option, error) {
	if cfg.OIDCIssuer != "" {
		return []oidc.Option{oidc.WithIssuer(cfg.OIDCIssuer)}, nil
	}
	iss, err := oidc.DefaultIssuer(serverURL)
	if err != nil {
		return nil, err
	}
	return []oidc.Option{oidc.WithDefaultIssuer(iss)}, nil
}
