package image

import (
	"errors"
	"fmt"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Paths inside the image, and the values the image config carries.
const (
	// BinaryPath is where the provenant binary lives; it is the entrypoint.
	BinaryPath = "/provenant"
	// CACertsPath is where Go's crypto/x509 looks first on Linux.
	CACertsPath = "/etc/ssl/certs/ca-certificates.crt"
	// DefaultSource is the org.opencontainers.image.source label when
	// Config.Source is empty.
	DefaultSource = "https://github.com/provenant/provenant"
	// DefaultMaxSize is the default budget for the uncompressed image, in
	// bytes: the action is pulled on every run that uses it. (GitHub's
	// built-in TUF client and root raised it past the earlier 25 MB.)
	DefaultMaxSize int64 = 28_000_000
	// defaultPath is what BuildKit records for an image built FROM scratch,
	// so the Dockerfile's image and ours have the same environment.
	defaultPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
)

// OCI annotation keys used as labels
// (https://github.com/opencontainers/image-spec/blob/main/annotations.md).
const (
	LabelSource   = "org.opencontainers.image.source"
	LabelVersion  = "org.opencontainers.image.version"
	LabelRevision = "org.opencontainers.image.revision"
)

// Config is what goes into one single-platform image.
type Config struct {
	// Binary is the static (CGO_ENABLED=0) provenant binary for Platform.
	Binary []byte
	// CACerts is the PEM bundle installed at CACertsPath.
	CACerts []byte
	// Platform is the binary's platform; OS defaults to linux, Architecture
	// is required.
	Platform v1.Platform
	// Version and Revision fill the OCI version and revision labels; empty
	// values leave the label out.
	Version, Revision string
	// Source fills the OCI source label; empty means DefaultSource.
	Source string
	// Created is the creation time of the config, the history entry and
	// every tar entry; the zero value means the Unix epoch.
	Created time.Time
}

// Option configures Build.
type Option func(*options) error

type options struct {
	maxSize int64
}

// WithMaxSize sets the budget for the uncompressed image in bytes; Build
// fails with a *SizeError above it. The default is DefaultMaxSize; 0 or less
// turns the check off.
func WithMaxSize(n int64) Option {
	return func(o *options) error {
		o.maxSize = n
		return nil
	}
}

// SizeError says the image is over its size budget.
type SizeError struct {
	Size, Max int64
}

func (e *SizeError) Error() string {
	return fmt.Sprintf("the image is %d bytes uncompressed, over its budget of %d bytes", e.Size, e.Max)
}

// Build assembles the image: an empty base, one layer with the binary and
// the CA bundle, and a config with the entrypoint and labels. It uses OCI
// media types throughout.
func Build(c Config, opts ...Option) (v1.Image, error) {
	o := options{maxSize: DefaultMaxSize}
	for _, opt := range opts {
		if err := opt(&o); err != nil {
			return nil, err
		}
	}
	if err := c.validate(); err != nil {
		return nil, err
	}
	created := c.created()
	tarball, err := layerTar(created, []file{
		{path: CACertsPath, mode: 0o644, data: c.CACerts},
		{path: BinaryPath, mode: 0o755, data: c.Binary},
	})
	if err != nil {
		return nil, fmt.Errorf("writing the layer: %w", err)
	}
	if o.maxSize > 0 && int64(len(tarball)) > o.maxSize {
		return nil, &SizeError{Size: int64(len(tarball)), Max: o.maxSize}
	}
	layer, err := newLayer(tarball)
	if err != nil {
		return nil, fmt.Errorf("compressing the layer: %w", err)
	}
	base := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	base = mutate.ConfigMediaType(base, types.OCIConfigJSON)
	img, err := mutate.ConfigFile(base, c.configFile(created))
	if err != nil {
		return nil, fmt.Errorf("setting the config: %w", err)
	}
	img, err = mutate.Append(img, mutate.Addendum{
		Layer: layer,
		History: v1.History{
			Created:   v1.Time{Time: created},
			CreatedBy: "provenant image builder: " + BinaryPath + ", " + CACertsPath,
		},
	})
	if err != nil {
		return nil, fmt.Errorf("adding the layer: %w", err)
	}
	return img, nil
}

func (c Config) validate() error {
	var errs []error
	if len(c.Binary) == 0 {
		errs = append(errs, errors.New("the provenant binary is empty"))
	}
	if len(c.CACerts) == 0 {
		errs = append(errs, errors.New("the CA bundle is empty"))
	}
	if c.Platform.Architecture == "" {
		errs = append(errs, errors.New("the platform has no architecture"))
	}
	if c.Platform.OS != "" && c.Platform.OS != "linux" {
		errs = append(errs, fmt.Errorf("container actions run on Linux only, not %s", c.Platform.OS))
	}
	if len(c.Binary) > 0 && c.Platform.Architecture != "" {
		if err := checkStatic(c.Binary, c.Platform.Architecture); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (c Config) created() time.Time {
	if c.Created.IsZero() {
		return time.Unix(0, 0).UTC()
	}
	return c.Created.UTC().Truncate(time.Second)
}

func (c Config) configFile(created time.Time) *v1.ConfigFile {
	labels := map[string]string{LabelSource: c.Source}
	if c.Source == "" {
		labels[LabelSource] = DefaultSource
	}
	if c.Version != "" {
		labels[LabelVersion] = c.Version
	}
	if c.Revision != "" {
		labels[LabelRevision] = c.Revision
	}
	return &v1.ConfigFile{
		Architecture: c.Platform.Architecture,
		OS:           "linux",
		Variant:      c.Platform.Variant,
		Created:      v1.Time{Time: created},
		Config: v1.Config{
			Entrypoint: []string{BinaryPath},
			Env:        []string{defaultPath},
			Labels:     labels,
		},
		RootFS: v1.RootFS{Type: "layers"},
	}
}
