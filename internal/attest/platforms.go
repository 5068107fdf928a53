package attest

import (
	"context"
	"github.com/provenant/provenant/internal/intoto"
	"strings"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"

	"github.com/provenant/provenant/internal/config"
	"github.com/provenant/provenant/internal/sink/oci"
	"github.com/provenant/provenant/internal/subject"
)

// imageRefs returns the image references the run attests: those of the
// subject inputs and, with attest-platforms, the per-platform manifests of
// every image index among them, which are also added to subjects. A
// platform manifest shares its index's repository name, so the statement
// then holds one name with several digests, as registries do.
func imageRefs(ctx context.Context, cfg *config.Config, actor string, subjects []intoto.Subject) ([]string, []intoto.Subject, error) {
	refs := subject.ImageRefs(cfg.Subjects)
	if !cfg.Delivery.AttestPlatforms || len(refs) == 0 {
		return refs, subjects, nil
	}
	kc := registryKeychain(cfg, actor, refs)
	seen := map[string]bool{}
	for _, r := range refs {
		seen[r] = true
	}
	out := append([]string(nil), refs...)
	for _, r := range refs {
		platforms, err := oci.Platforms(ctx, r, oci.WithKeychain(kc))
		if err != nil {
			return nil, nil, err
		}
		for _, p := range platforms {
			if seen[p] {
				continue
			}
			seen[p] = true
			out = append(out, p)
			repo, hex, _ := strings.Cut(p, "@sha256:")
			subjects = append(subjects, intoto.Subject{Name: repo, Digest: map[string]string{"sha256": hex}})
		}
	}
	return out, subjects, nil
}

// registryKeychain is the credentials for the registries of refs: the
// explicit inputs, the GitHub token for ghcr.io, then the docker config.
func registryKeychain(cfg *config.Config, actor string, refs []string) authn.Keychain {
	d := cfg.Delivery
	hosts := make([]string, 0, len(refs))
	for _, r := range refs {
		if ref, err := name.ParseReference(r); err == nil {
			hosts = append(hosts, ref.Context().RegistryStr())
		}
	}
	return oci.Keychain(d.RegistryUsername, d.RegistryPassword, hosts, actor, d.GitHubToken)
}
