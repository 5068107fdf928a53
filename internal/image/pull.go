package image

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
	"github.com/google/go-containerregistry/pkg/v1/validate"
)

// PrivateError says a registry refused to serve an image without
// credentials: what every runner that uses the action sees.
type PrivateError struct {
	Ref        string // the digest reference that was pulled
	StatusCode int    // 401 or 403
	Err        error
}

func (e *PrivateError) Error() string {
	hint := "make the package public"
	if e.StatusCode == http.StatusUnauthorized || e.StatusCode == http.StatusForbidden {
		hint = "a new ghcr.io package is private until its visibility is changed to public " +
			"(the package's settings, Danger Zone, Change visibility; see RELEASING.md)"
	}
	return fmt.Sprintf("%s cannot be pulled without credentials (HTTP %d): %s: %v", e.Ref, e.StatusCode, hint, e.Err)
}

func (e *PrivateError) Unwrap() error { return e.Err }

// PullAnonymously pulls what d names as a runner does for a container
// action, with no credentials: the manifest or index, every platform's
// manifest and config, and every layer, checking each against its digest.
// opts are ggcr's remote options (a transport, a context); any
// authentication among them is overridden. A refusal for lack of
// credentials is a *PrivateError.
func PullAnonymously(ctx context.Context, d name.Digest, opts ...remote.Option) error {
	opts = append(opts, remote.WithContext(ctx), remote.WithAuth(authn.Anonymous))
	desc, err := remote.Get(d, opts...)
	if err != nil {
		return pullError(d, err)
	}
	if desc.MediaType.IsIndex() {
		idx, err := desc.ImageIndex()
		if err != nil {
			return pullError(d, err)
		}
		if err := validate.Index(idx); err != nil {
			return pullError(d, err)
		}
		return nil
	}
	img, err := desc.Image()
	if err != nil {
		return pullError(d, err)
	}
	if err := validate.Image(img); err != nil {
		return pullError(d, err)
	}
	return nil
}

func pullError(d name.Digest, err error) error {
	var te *transport.Error
	if errors.As(err, &te) && (te.StatusCode == http.StatusUnauthorized || te.StatusCode == http.StatusForbidden) {
		return &PrivateError{Ref: d.String(), StatusCode: te.StatusCode, Err: err}
	}
	return fmt.Errorf("pulling %s without credentials: %w", d, err)
}
