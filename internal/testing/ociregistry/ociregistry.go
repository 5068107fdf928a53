package ociregistry

import (
	"io"
	"log"
	"net/http"

	"github.com/google/go-containerregistry/pkg/registry"
)

// New returns an in-memory registry. With referrers it serves
// GET /v2/<name>/referrers/<digest>, with each descriptor's artifactType
// taken from the referring manifest and the ?artifactType= filter applied;
// without, that path answers 404 as a registry without the API does.
//
// The registry logs nothing: it would otherwise log every request.
func New(referrers bool) http.Handler {
	return specReferrers(registry.New(
		registry.WithReferrersSupport(referrers),
		registry.Logger(log.New(io.Discard, "", 0)),
	))
}
