package ghapi

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/google/go-github/v84/github"
)

// DefaultAPIURL is GITHUB_API_URL on github.com.
const DefaultAPIURL = "https://api.github.com"

// ClientTimeout bounds every request NewClient's client makes, body
// included.
const ClientTimeout = 2 * time.Minute

// NewClient returns a go-github client for the REST API at apiURL, the
// value of GITHUB_API_URL: https://api.github.com on github.com,
// https://api.<tenant>.ghe.com on GHE.com, <server>/api/v3 on GitHub
// Enterprise Server. "" means github.com. Requests carry token as a bearer
// token, go through rt (http.DefaultTransport when nil) and time out after
// ClientTimeout.
//
// The client's upload URL is derived from apiURL (uploads.github.com,
// uploads.<tenant>.ghe.com, <server>/api/uploads); release uploads use
// each release's own upload_url instead.
func NewClient(apiURL, token string, rt http.RoundTripper) (*github.Client, error) {
	if token == "" {
		return nil, errors.New("creating GitHub client: the token is empty")
	}
	base, upload, err := endpoints(apiURL)
	if err != nil {
		return nil, fmt.Errorf("creating GitHub client: %w", err)
	}
	if rt == nil {
		rt = http.DefaultTransport
	}
	c := github.NewClient(&http.Client{Transport: rt, Timeout: ClientTimeout}).WithAuthToken(token)
	c.BaseURL, c.UploadURL = base, upload
	c.UserAgent = "provenant"
	return c, nil
}

// endpoints returns the API base URL and the upload base URL, both with a
// trailing slash as go-github requires.
func endpoints(apiURL string) (base, upload *url.URL, err error) {
	if apiURL == "" {
		apiURL = DefaultAPIURL
	}
	u, err := url.Parse(apiURL)
	if err != nil {
		return nil, nil, errors.New("GITHUB_API_URL is not a URL")
	}
	switch {
	case u.Scheme != "https" && u.Scheme != "http":
		return nil, nil, fmt.Errorf("GITHUB_API_URL %s is not an http or https URL", u.Redacted())
	case u.Host == "":
		return nil, nil, fmt.Errorf("GITHUB_API_URL %s has no host", u.Redacted())
	case u.User != nil || u.RawQuery != "" || u.Fragment != "":
		return nil, nil, fmt.Errorf("GITHUB_API_URL %s must not carry credentials, a query or a fragment", u.Redacted())
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	u.RawPath = ""
	up := *u
	host := strings.ToLower(u.Hostname())
	switch {
	case host == "api.github.com":
		up.Host = "uploads.github.com"
	case strings.HasPrefix(host, "api.") && strings.HasSuffix(host, ".ghe.com"):
		up.Host = "uploads." + strings.TrimPrefix(u.Host, "api.")
	case strings.HasSuffix(u.Path, "/api/v3"):
		up.Path = strings.TrimSuffix(u.Path, "/v3") + "/uploads"
	}
	u.Path += "/"
	up.Path += "/"
	return u, &up, nil
}
