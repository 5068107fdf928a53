package attest

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/provenant/provenant/internal/config"
	"github.com/provenant/provenant/internal/sink/ghapi"
	"github.com/provenant/provenant/internal/sink/ghattest"
	"github.com/provenant/provenant/internal/sink/oci"
	"github.com/provenant/provenant/internal/sink/release"
)

// deliver stores the verified bundles everywhere the configuration asks.
// Only bundles that passed verification reach this point.
func deliver(ctx context.Context, cfg *config.Config, env Environment, inst *instance, res *Result) error {
	d := cfg.Delivery
	if d.PushToRegistry {
		if err := pushToRegistries(ctx, cfg, env, inst, res); err != nil {
			return err
		}
	}
	if d.UploadAssets {
		if err := uploadAssets(ctx, cfg, env, res); err != nil {
			return err
		}
	}
	if d.GitHubAttestations {
		if err := storeWithGitHub(ctx, cfg, env, res); err != nil {
			return err
		}
	}
	return nil
}

// bundleFor returns the bundle that covers the subject at index i.
func bundleFor(res *Result, i int) []byte {
	if len(res.Bundles) == len(res.Subjects) && len(res.Bundles) > 1 {
		return res.Bundles[i].JSON
	}
	return res.Bundles[0].JSON
}

func pushToRegistries(ctx context.Context, cfg *config.Config, env Environment, inst *instance, res *Result) error {
	d := cfg.Delivery
	kc := registryKeychain(cfg, res.Context.Claims.Actor, res.Images)
	opts := []oci.Option{oci.WithKeychain(kc), oci.WithLegacyAtt(d.LegacyAtt)}
	if d.AttestationRepository != "" {
		opts = append(opts, oci.WithAttestationRepository(d.AttestationRepository))
	}
	p, err := oci.New(opts...)
	if err != nil {
		return err
	}
	for _, ref := range res.Images {
		idx := subjectIndex(res, ref)
		b := bundleFor(res, max(idx, 0))
		st, err := p.Attach(ctx, ref, b, chainPEM(b, inst))
		if err != nil {
			return err
		}
		note := "OCI 1.1 referrer (referrers API)"
		if !st.ReferrersAPI {
			note = "OCI 1.1 referrer, listed in the fallback tag " + st.FallbackTag
		}
		res.Stored = append(res.Stored, Stored{Kind: "registry", Where: st.Referrer, Note: note})
		if st.LegacyTag != "" {
			res.Stored = append(res.Stored, Stored{Kind: "registry", Where: st.LegacyTag, Note: "cosign legacy .att layout"})
		}
	}
	return nil
}

// subjectIndex finds the subject an image reference stands for.
func subjectIndex(res *Result, ref string) int {
	repo, digest, _ := strings.Cut(ref, "@sha256:")
	for i, s := range res.Subjects {
		if s.Name == repo && s.Digest["sha256"] == digest {
			return i
		}
	}
	return -1
}

// releaseTag is the tag whose release gets the assets.
func releaseTag(cfg *config.Config, res *Result) (string, error) {
	if t := cfg.Delivery.UploadTagName; t != "" {
		return t, nil
	}
	if t, ok := strings.CutPrefix(res.Context.Claims.Ref, "refs/tags/"); ok {
		return t, nil
	}
	return "", fmt.Errorf("upload-assets needs a release tag, but this run's ref is %s: run on a tag push or release, or set upload-tag-name", res.Context.Claims.Ref)
}

func ownerRepo(res *Result) (string, string) {
	owner, repo, _ := strings.Cut(res.Context.Claims.Repository, "/")
	return owner, repo
}

func uploadAssets(ctx context.Context, cfg *config.Config, env Environment, res *Result) error {
	tag, err := releaseTag(cfg, res)
	if err != nil {
		return err
	}
	client, err := ghapi.NewClient(apiURL(env), cfg.Delivery.GitHubToken, nil)
	if err != nil {
		return err
	}
	owner, repo := ownerRepo(res)
	assets := []release.Asset{{Name: res.ProvenanceName, Data: jsonl(res), ContentType: "application/jsonl"}}
	for _, b := range res.Bundles {
		assets = append(assets, release.Asset{Name: baseName(b.Path), Data: b.JSON, ContentType: "application/json"})
	}
	up, err := release.New(client, owner, repo).Upload(ctx, release.Options{
		Tag: tag, Draft: cfg.Delivery.DraftRelease, Overwrite: cfg.Delivery.OverwriteAssets, Create: true,
		Commit: res.Context.Claims.SHA,
	}, assets)
	if err != nil {
		return fmt.Errorf("uploading release assets to %s: %w", tag, err)
	}
	res.ReleaseID = up.ReleaseID
	for _, a := range up.Assets {
		res.Stored = append(res.Stored, Stored{Kind: "release", Where: tag + "/" + a.Name, URL: a.URL, Note: a.Action})
	}
	return nil
}

func storeWithGitHub(ctx context.Context, cfg *config.Config, env Environment, res *Result) error {
	client, err := ghapi.NewClient(apiURL(env), cfg.Delivery.GitHubToken, nil)
	if err != nil {
		return err
	}
	owner, repo := ownerRepo(res)
	c := ghattest.New(client, owner, repo)
	for _, b := range res.Bundles {
		id, err := c.Upload(ctx, b.JSON)
		if errors.Is(err, ghattest.ErrPlan) && !cfg.Delivery.FailOnStorageError {
			res.Warnings = append(res.Warnings, fmt.Sprintf("the GitHub attestations API did not store the attestation: %v "+
				"(the files and other copies are unaffected; set fail-on-storage-error: true to make this an error)", err))
			return nil
		}
		if err != nil {
			return fmt.Errorf("storing the attestation with the GitHub attestations API: %w", err)
		}
		u := ghattest.URL(res.Context.ServerURL, owner, repo, id)
		if res.AttestationID == 0 {
			res.AttestationID, res.AttestationURL = id, u
		}
		res.Stored = append(res.Stored, Stored{Kind: "attestations-api", Where: fmt.Sprintf("attestation %d", id), URL: u})
	}
	return nil
}

func apiURL(env Environment) string {
	if env.APIURL != "" {
		return env.APIURL
	}
	return "https://api.github.com"
}

func baseName(p string) string {
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		return p[i+1:]
	}
	return p
}
