package subject

import (
	"errors"
	"fmt"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
)

// fromImages resolves image, and digest when it is set.
func (r *resolver) fromImages(in Inputs) []entry {
	refs := splitList(in.Images)
	if dig := strings.TrimSpace(in.ImageDigest); dig != "" {
		return r.fromImageAndDigest(refs, dig)
	}
	if len(refs) == 0 && !blank(in.Images) {
		r.fail(inImage, 0, "no image references found; give references such as ghcr.io/acme/app@sha256:<hex>")
	}
	entries := make([]entry, 0, len(refs))
	for _, ref := range refs {
		e, err := imageEntry(ref.text)
		if err != nil {
			r.fail(inImage, ref.line, "%v", err)
			continue
		}
		e.from = origin{input: inImage, line: ref.line, item: ref.text, hint: hintImage}
		entries = append(entries, e)
	}
	return entries
}

// imageEntry parses registry/repo[:tag]@sha256:hex. The subject's name is
// the repository without tag or digest, as go-containerregistry prints it.
func imageEntry(ref string) (entry, error) {
	_, dig, ok := strings.Cut(ref, "@")
	if !ok {
		if _, err := name.ParseReference(ref); err != nil {
			return entry{}, fmt.Errorf("image reference %s is not valid: %s", quote(ref), sanitize(err.Error()))
		}
		return entry{}, fmt.Errorf("image %s has no digest; provenance must name the image by digest, not by tag. "+
			"Get the digest with `crane digest %s` or `docker buildx imagetools inspect %s --format '{{json .Manifest}}'`, "+
			"or take the digest output of docker/build-push-action, and pass %s@sha256:<hex>", quote(ref), ref, ref, ref)
	}
	if err := checkImageDigestAlg(dig); err != nil {
		return entry{}, fmt.Errorf("image %s: %v", quote(ref), err)
	}
	d, err := name.NewDigest(ref)
	if err != nil {
		return entry{}, fmt.Errorf("image reference %s is not valid: %s; write it as registry/repository[:tag]@sha256:<64 lower-case hex>", quote(ref), sanitize(err.Error()))
	}
	return entry{name: d.Context().Name(), alg: sha256Alg, hex: strings.TrimPrefix(d.DigestStr(), "sha256:")}, nil
}

// checkImageDigestAlg refuses image digests that are not sha256 with a
// clearer message than the reference parser gives.
func checkImageDigestAlg(dig string) error {
	alg, _, _ := strings.Cut(dig, ":")
	switch strings.ToLower(alg) {
	case "sha256":
		return nil
	case "sha384", "sha512":
		return fmt.Errorf("the digest uses %s; only sha256 image digests are supported", alg)
	}
	return fmt.Errorf("digest %s is not sha256:<hex>; only sha256 image digests are supported", quote(dig))
}

// fromImageAndDigest resolves slsa-github-generator's container style: image
// is one name without tag or digest, and digest is sha256:hex.
func (r *resolver) fromImageAndDigest(refs []listItem, dig string) []entry {
	hex, err := parseImageDigest(dig)
	if err != nil {
		r.fail(inImageDigest, 0, "%v", err)
	}
	if len(refs) != 1 {
		if len(refs) == 0 {
			r.fail(inImage, 0, "digest is set but image is empty; set image to the image name without tag or digest, for example ghcr.io/acme/app")
		} else {
			r.fail(inImage, 0, "with digest set, image must be exactly one image name, but it has %d; "+
				"to attest several images, leave digest empty and give each image as <name>@sha256:<hex>", len(refs))
		}
		return nil
	}
	repo, rerr := plainRepository(refs[0].text)
	if rerr != nil {
		r.fail(inImage, refs[0].line, "%v", rerr)
	}
	if err != nil || rerr != nil {
		return nil
	}
	return []entry{{name: repo.Name(), alg: sha256Alg, hex: hex, from: origin{input: inImage, line: refs[0].line, hint: hintImage}}}
}

func parseImageDigest(dig string) (string, error) {
	a, h, err := parseDigest(dig)
	if err == nil && (a != sha256Alg || !strings.Contains(dig, ":")) {
		err = errors.New("it must be sha256: followed by 64 hex characters")
	}
	if err != nil {
		return "", fmt.Errorf("digest %s is not valid: %v", quote(dig), err)
	}
	return h, nil
}

// plainRepository parses an image name that must have neither tag nor digest.
func plainRepository(ref string) (name.Repository, error) {
	if strings.Contains(ref, "@") {
		return name.Repository{}, fmt.Errorf("with digest set, image must be a name without digest, but %s has one; "+
			"remove the @… part or leave digest empty", quote(ref))
	}
	repo, err := name.NewRepository(ref)
	if err == nil {
		return repo, nil
	}
	if t, terr := name.NewTag(ref); terr == nil {
		return name.Repository{}, fmt.Errorf("with digest set, image must be a name without tag, but %s has the tag %s; use %s",
			quote(ref), quote(t.TagStr()), t.Context().Name())
	}
	return name.Repository{}, fmt.Errorf("image name %s is not valid: %s", quote(ref), sanitize(err.Error()))
}

// ImageRefs returns the image subjects of in as registry/repo@sha256:<hex>
// references, in input order, for delivery to registries. It assumes in
// passed Resolve and skips anything that does not parse.
func ImageRefs(in Inputs) []string {
	var out []string
	if dig := strings.TrimSpace(in.ImageDigest); dig != "" {
		refs := splitList(in.Images)
		hex, err := parseImageDigest(dig)
		if len(refs) != 1 || err != nil {
			return nil
		}
		repo, err := plainRepository(refs[0].text)
		if err != nil {
			return nil
		}
		return []string{repo.Name() + "@sha256:" + hex}
	}
	for _, ref := range splitList(in.Images) {
		if e, err := imageEntry(ref.text); err == nil {
			out = append(out, e.name+"@sha256:"+e.hex)
		}
	}
	return out
}
