package oci

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// ghcrHost is the GitHub Container Registry, where the job's GitHub token
// is a credential.
const ghcrHost = "ghcr.io"

// Keychain builds the default keychain, consulted in this order:
//
//  1. registryUser/registryPassword (the registry-username and
//     registry-password inputs) for the registries in registryHosts only,
//     so that a password is never sent to another registry; docker.io
//     and index.docker.io are the same host;
//  2. githubToken for ghcr.io, with githubActor as the user name (GHCR
//     ignores it; "provenant" when empty);
//  3. authn.DefaultKeychain: the Docker configuration under DOCKER_CONFIG
//     or HOME, with credential helpers. In a container action HOME is an
//     empty directory, so this usually finds nothing.
//
// The first source that has credentials for a registry wins. Empty values
// switch a source off. Errors from this package never contain the password
// or the token.
func Keychain(registryUser, registryPassword string, registryHosts []string, githubActor, githubToken string) authn.Keychain {
	k := &keychain{}
	if registryUser != "" && registryPassword != "" {
		k.static = &authn.AuthConfig{Username: registryUser, Password: registryPassword}
		for _, h := range registryHosts {
			k.hosts = append(k.hosts, normalizeHost(h))
		}
	}
	if githubToken != "" {
		user := githubActor
		if user == "" {
			user = "provenant"
		}
		k.ghcr = &authn.AuthConfig{Username: user, Password: githubToken}
	}
	return k
}

type keychain struct {
	static *authn.AuthConfig
	hosts  []string
	ghcr   *authn.AuthConfig
}

var _ authn.Keychain = (*keychain)(nil)

// Resolve returns the credentials for target's registry.
func (k *keychain) Resolve(target authn.Resource) (authn.Authenticator, error) {
	host := normalizeHost(target.RegistryStr())
	switch {
	case k.static != nil && slices.Contains(k.hosts, host):
		return authn.FromConfig(*k.static), nil
	case k.ghcr != nil && host == ghcrHost:
		return authn.FromConfig(*k.ghcr), nil
	}
	return authn.DefaultKeychain.Resolve(target)
}

// normalizeHost spells a registry host the way ggcr does (docker.io is
// index.docker.io), in lower case.
func normalizeHost(h string) string {
	h = strings.ToLower(strings.TrimSpace(h))
	if r, err := name.NewRegistry(h); err == nil {
		return r.RegistryStr()
	}
	return h
}

// AuthError means a registry refused the credentials it was given, or
// asked for some when none were configured.
type AuthError struct {
	Registry   string // host[:port]
	StatusCode int    // 401 or 403
	Err        error  // the registry's answer, redacted
	// Read is set when only reading was refused (Fetch): the hint is then
	// about read access, not push access.
	Read bool
}

func (e *AuthError) Error() string {
	if e.Read {
		hint := "log in with `docker login " + e.Registry + "` with an account that can read the repository " +
			"(provenant reads the docker config, DOCKER_CONFIG, and its credential helpers)"
		if e.Registry == ghcrHost {
			hint = "for a private package, `docker login ghcr.io` with a token that has read:packages"
		}
		return fmt.Sprintf("registry %s denied read access (HTTP %d): %s: %v", e.Registry, e.StatusCode, hint, e.Err)
	}
	hint := "provide registry-username and registry-password for " + e.Registry + " (an account that can push to the repository)"
	if e.Registry == ghcrHost {
		hint = "provide a github-token with packages: write permission (the job's GITHUB_TOKEN with `permissions: packages: write`, " +
			"and the package must grant this repository write access), or registry-username and registry-password"
	}
	return fmt.Sprintf("registry %s denied access (HTTP %d): %s: %v", e.Registry, e.StatusCode, hint, e.Err)
}

func (e *AuthError) Unwrap() error { return e.Err }

// explainReadAuth is explainAuth for reads.
func explainReadAuth(err error, registry string) error {
	err = explainAuth(err, registry)
	if ae, ok := err.(*AuthError); ok {
		ae.Read = true
	}
	return err
}

// explainAuth turns a 401 or 403 from registry into an *AuthError.
func explainAuth(err error, registry string) error {
	var terr *transport.Error
	if errors.As(err, &terr) && (terr.StatusCode == http.StatusUnauthorized || terr.StatusCode == http.StatusForbidden) {
		return &AuthError{Registry: registry, StatusCode: terr.StatusCode, Err: err}
	}
	return err
}

// WithCredentials sets the credentials Keychain builds: registryUser and
// registryPassword for the registries of refs (image references), the
// GitHub token for ghcr.io, then the Docker configuration. Build the
// options once and share them between Platforms and New.
func WithCredentials(registryUser, registryPassword, githubActor, githubToken string, refs []string) Option {
	hosts := make([]string, 0, len(refs))
	for _, r := range refs {
		if ref, err := name.ParseReference(r); err == nil {
			hosts = append(hosts, ref.Context().RegistryStr())
		}
	}
	return WithKeychain(Keychain(registryUser, registryPassword, hosts, githubActor, githubToken))
}
