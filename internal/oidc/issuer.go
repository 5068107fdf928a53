package oidc

import (
	"fmt"
	"strings"

	"github.com/provenant/provenant/internal/ghctx"
)

// GitHubIssuer is the issuer of tokens minted on github.com.
const GitHubIssuer = "https://token.actions.githubusercontent.com"

// DefaultIssuer returns the token issuer that belongs to a GitHub server:
// github.com → GitHubIssuer; a GHE.com tenant <t>.ghe.com →
// https://token.actions.<t>.ghe.com; any other host (GitHub Enterprise
// Server) → <server>/_services/token.
//
// The server URL must be https (or on a loopback host), so that a plain-http
// issuer is never trusted.
func DefaultIssuer(serverURL string) (string, error) {
	u, err := ghctx.ServiceURL("the GitHub server URL (GITHUB_SERVER_URL)", serverURL)
	if err != nil {
		return "", err
	}
	host := strings.ToLower(u.Hostname())
	switch {
	case host == "github.com":
		return GitHubIssuer, nil
	case strings.HasSuffix(host, ".ghe.com"):
		tenant := strings.TrimSuffix(host, ".ghe.com")
		if tenant == "" || strings.Contains(tenant, ".") {
			return "", fmt.Errorf("server URL %q is not a GHE.com tenant", serverURL)
		}
		return "https://token.actions." + host, nil
	default:
		return strings.TrimRight(serverURL, "/") + "/_services/token", nil
	}
}

// acceptedIssuer decides whether the unverified iss of a token may be used
// for discovery. It must equal the expected issuer or, when slugs are
// allowed, be the expected issuer followed by "/<enterprise-slug>" — the
// form GitHub uses for enterprises with a custom issuer.
func acceptedIssuer(iss, expected string, allowSlug bool) bool {
	if iss == expected {
		return true
	}
	if !allowSlug {
		return false
	}
	slug, ok := strings.CutPrefix(iss, expected+"/")
	return ok && slug != "" && !strings.ContainsAny(slug, "/?#@:") && !strings.Contains(slug, "..")
}
