package attest

import (
	"context"
	"strings"

	"github.com/provenant/provenant/internal/config"
	"github.com/provenant/provenant/internal/intoto"
	"github.com/provenant/provenant/internal/sink/oci"
)

// registries reaches the registries of the image subjects with one set of
// credentials, built once: the explicit inputs, the GitHub token for
// ghcr.io, then the docker config.
type registries struct {
	refs []string
	opts []oci.Option
}

func newRegistries(d config.Delivery, actor string, refs []string) *registries {
	return &registries{refs: refs, opts: []oci.Option{oci.WithCredentials(d.RegistryUsername, d.RegistryPassword, actor, d.GitHubToken, refs)}}
}

// expand returns the image references the run attests: those of the subject
// inputs and, with platforms, the per-platform manifests of every image
// index among them, which are also added to subjects. A platform manifest
// shares its index's repository name, so the statement then holds one name
// with several digests, as registries do.
func (r *registries) expand(ctx context.Context, platforms bool, subjects []intoto.Subject) ([]string, []intoto.Subject, error) {
	if !platforms || len(r.refs) == 0 {
		return r.refs, subjects, nil
	}
	seen := map[string]bool{}
	for _, ref := range r.refs {
		seen[ref] = true
	}
	out := append([]string(nil), r.refs...)
	for _, ref := range r.refs {
		ps, err := oci.Platforms(ctx, ref, r.opts...)
		if err != nil {
			return nil, nil, err
		}
		for _, p := range ps {
			if seen[p] {
				continue
			}
			seen[p] = true
			out = append(out, p)
			repo, hex, _ := strings.Cut(p, "@sha256:")
			subjects = append(subjects, intoto.Subject{Name: repo, Digest: intoto.DigestSet{intoto.SHA256: hex}})
		}
	}
	return out, subjects, nil
}

// sink returns the registry sink for the images.
func (r *registries) sink(d config.Delivery, images []string, chain func([]byte) []byte) (*oci.Sink, error) {
	opts := append(append([]oci.Option(nil), r.opts...), oci.WithLegacyAtt(d.LegacyAtt))
	if d.AttestationRepository != "" {
		opts = append(opts, oci.WithAttestationRepository(d.AttestationRepository))
	}
	p, err := oci.New(opts...)
	if err != nil {
		return nil, err
	}
	return oci.NewSink(p, images, chain), nil
}
