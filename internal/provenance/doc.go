// Package provenance builds in-toto statements carrying SLSA provenance for
// a GitHub Actions run: SLSA v1.0 with GitHub's workflow build type
// (https://actions.github.io/buildtypes/workflow/v1) in Statement v1, or SLSA
// v0.2 in Statement v0.1 with slsa-github-generator's field layout.
//
// It is pure: its input is a ghctx.Context and a list of subjects, its output
// is bytes. It must not import net/http, os, sigstore-go or
// go-containerregistry, nor read the environment or files; a test enforces
// this.
package provenance
