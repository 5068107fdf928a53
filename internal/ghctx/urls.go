package ghctx

import (
	"fmt"
	"net/netip"
	"net/url"
	"strings"
)

// ServiceURL parses raw, the URL of a service provenant trusts or sends a
// credential to, named what in messages. It must be https, but for a
// loopback host (127.0.0.0/8, ::1, localhost), which tests use, and carry
// no user info, query or fragment. The check parses the URL: a prefix such
// as "http://localhost@evil.example" does not pass for loopback.
func ServiceURL(what, raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Opaque != "" {
		return nil, fmt.Errorf("%s %q is not an absolute URL", what, raw)
	}
	switch {
	case u.User != nil:
		return nil, fmt.Errorf("%s %q holds user info (before \"@\"); give the service's own URL", what, raw)
	case u.RawQuery != "" || u.Fragment != "":
		return nil, fmt.Errorf("%s %q has a query or fragment; give the service's base URL", what, raw)
	case u.Scheme == "https":
	case u.Scheme == "http" && IsLoopback(u.Hostname()):
	default:
		return nil, fmt.Errorf("%s %q must be an https URL", what, raw)
	}
	return u, nil
}

// IsLoopback reports whether host is "localhost" or a loopback IP address.
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.Unmap().IsLoopback()
}

// serverKind tells github.com, a GHE.com tenant and GitHub Enterprise
// Server apart by the server's host, and returns the tenant for GHE.com.
func serverKind(host string) (kind, tenant string) {
	host = strings.ToLower(host)
	switch {
	case host == "github.com":
		return "github.com", ""
	case strings.HasSuffix(host, ".ghe.com") && !strings.Contains(strings.TrimSuffix(host, ".ghe.com"), "."):
		return "ghe.com", strings.TrimSuffix(host, ".ghe.com")
	}
	return "ghes", ""
}

// CheckIssuer binds the server URL, which the environment states and any
// earlier step can change, to the issuer of the verified token: github.com
// goes with token.actions.githubusercontent.com, a GHE.com tenant
// <t>.ghe.com with token.actions.<t>.ghe.com, and a GitHub Enterprise
// Server <host> with <host>/_services/token. A loopback issuer is a test
// issuer, chosen explicitly with oidc-issuer, and binds to no server.
func CheckIssuer(serverURL, iss string) error {
	su, err := ServiceURL("the GitHub server URL (GITHUB_SERVER_URL)", serverURL)
	if err != nil {
		return err
	}
	iu, err := ServiceURL("the token issuer", iss)
	if err != nil {
		return err
	}
	if IsLoopback(iu.Hostname()) {
		return nil
	}
	want := ""
	switch kind, tenant := serverKind(su.Hostname()); kind {
	case "github.com":
		want = "token.actions.githubusercontent.com"
	case "ghe.com":
		want = "token.actions." + tenant + ".ghe.com"
	default:
		want = strings.ToLower(su.Host)
	}
	if !strings.EqualFold(iu.Host, want) {
		return &ForgedError{Mismatches: []string{fmt.Sprintf(
			"GITHUB_SERVER_URL: environment says %q, but the token was issued by %q, which belongs to another server", serverURL, iss)}}
	}
	return nil
}

// CheckAPIURL checks that the REST API URL belongs to the server, so that
// the GitHub token is never sent elsewhere: https://api.github.com for
// github.com, https://api.<t>.ghe.com for a GHE.com tenant, and
// <server>/api/v3 for GitHub Enterprise Server. A loopback API URL (a test
// server) is accepted.
func CheckAPIURL(serverURL, apiURL string) error {
	au, err := ServiceURL("the GitHub API URL (GITHUB_API_URL)", apiURL)
	if err != nil {
		return err
	}
	if IsLoopback(au.Hostname()) {
		return nil
	}
	su, err := ServiceURL("the GitHub server URL (GITHUB_SERVER_URL)", serverURL)
	if err != nil {
		return err
	}
	host, path := strings.ToLower(au.Host), strings.TrimRight(au.Path, "/")
	ok := false
	switch kind, tenant := serverKind(su.Hostname()); kind {
	case "github.com":
		ok = host == "api.github.com" && path == ""
	case "ghe.com":
		ok = host == "api."+tenant+".ghe.com" && path == ""
	default:
		ok = host == strings.ToLower(su.Host) && path == "/api/v3"
	}
	if !ok {
		return fmt.Errorf("the GitHub API URL (GITHUB_API_URL) %q does not belong to the server %q; "+
			"a step may have overwritten it through GITHUB_ENV, and the GitHub token is not sent there", apiURL, serverURL)
	}
	return nil
}
