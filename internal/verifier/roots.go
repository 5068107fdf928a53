package verifier

import (
	"context"
	"errors"
	"fmt"

	"github.com/provenant/provenant/internal/signing"
	"github.com/provenant/provenant/internal/verify"
)

// RootSource says where trust comes from: trusted root files, or a named
// Sigstore instance whose root is fetched with TUF.
type RootSource struct {
	// Paths are trusted root JSON files, or JSON Lines of several. When
	// given, they alone decide and nothing is fetched.
	Paths []string
	// Sigstore is the instance without Paths: "" or public-good, or
	// github; its trusted root is fetched through its TUF repository.
	Sigstore string
	// CacheDir holds the TUF cache of the built-in instances.
	CacheDir string
	// Instance replaces built-in TUF repositories (signing.WithTUF), for
	// tests. The default is none.
	Instance []signing.InstanceOption
}

// Errors of Roots that a front end words in its own terms.
var (
	// ErrInstanceWithRoot means both trusted root files and an instance
	// other than public-good were named.
	ErrInstanceWithRoot = errors.New("a Sigstore instance and trusted root files were both given: the trusted root decides")
	// ErrGitHubNeedsRoot is no longer returned: GitHub's trusted root is
	// fetched through GitHub's TUF repository. Kept for callers.
	ErrGitHubNeedsRoot = errors.New("GitHub's Sigstore instance needs its trusted root: `gh attestation trusted-root` prints it")
)

// UnknownInstanceError is a Sigstore instance Roots cannot fetch trust for.
type UnknownInstanceError struct{ Name string }

func (e *UnknownInstanceError) Error() string {
	return fmt.Sprintf("sigstore %q: only the trusted roots of public-good and github can be fetched; give the trusted root", e.Name)
}

// TrustUnavailableError means the trusted root could not be fetched, as
// when offline.
type TrustUnavailableError struct{ Err error }

func (e *TrustUnavailableError) Error() string { return e.Err.Error() }
func (e *TrustUnavailableError) Unwrap() error { return e.Err }

// Roots chooses the trusted roots: the files when any are given,
// otherwise the named instance's root from its TUF repository (cached in
// CacheDir).
func Roots(ctx context.Context, src RootSource) ([]verify.Root, error) {
	if len(src.Paths) > 0 {
		if src.Sigstore != "" && src.Sigstore != signing.PublicGood {
			return nil, ErrInstanceWithRoot
		}
		var out []verify.Root
		for _, p := range src.Paths {
			rs, err := verify.ReadTrustedRoots(p)
			if err != nil {
				return nil, err
			}
			out = append(out, rs...)
		}
		return out, nil
	}
	name := src.Sigstore
	switch name {
	case "":
		name = signing.PublicGood
	case signing.PublicGood, signing.GitHub:
	default:
		return nil, &UnknownInstanceError{Name: src.Sigstore}
	}
	inst, err := signing.LoadInstance(ctx, signing.Source{Sigstore: name, CacheDir: src.CacheDir}, src.Instance...)
	if err != nil {
		return nil, &TrustUnavailableError{Err: err}
	}
	return []verify.Root{{Name: name, Trusted: inst.TrustedRoot}}, nil
}
