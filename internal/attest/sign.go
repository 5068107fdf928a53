package attest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/sigstore/sigstore-go/pkg/fulcio/certificate"

	"github.com/provenant/provenant/internal/config"
	"github.com/provenant/provenant/internal/ghctx"
	"github.com/provenant/provenant/internal/signing"
	"github.com/provenant/provenant/internal/verify"
)

// instance is the Sigstore instance chosen by the configuration.
type instance struct {
	*signing.Instance
	rekorVersion uint32
}

func loadInstance(cfg *config.Config, env Environment) (*instance, error) {
	src := signing.Source{Sigstore: cfg.Sigstore, TrustedRoot: cfg.TrustedRoot}
	for _, p := range []*string{&src.TrustedRoot} {
		if *p != "" && !filepath.IsAbs(*p) {
			*p = filepath.Join(env.Workspace, *p)
		}
	}
	if src.Sigstore != signing.PublicGood && src.Sigstore != signing.GitHub && src.Sigstore != "" && !filepath.IsAbs(src.Sigstore) {
		src.Sigstore = filepath.Join(env.Workspace, src.Sigstore)
	}
	tmp := env.TempDir
	if tmp == "" {
		tmp = os.TempDir()
	}
	src.CacheDir = filepath.Join(tmp, "provenant-tuf")
	inst, err := signing.LoadInstance(src)
	if err != nil {
		return nil, err
	}
	return &instance{Instance: inst, rekorVersion: cfg.RekorVersion}, nil
}

// allowVisibility refuses to publish a private repository's identity to a
// public log unless the user opted in. It runs before any Sigstore service
// is contacted.
func allowVisibility(cfg *config.Config, gc ghctx.Context) error {
	vis := gc.Claims.RepositoryVisibility
	if !signing.IsPublic(cfg.Sigstore) || vis == "public" || cfg.PrivateRepository {
		return nil
	}
	if vis == "" {
		vis = "of unknown visibility"
	}
	return fmt.Errorf("the repository %s is %s, and signing on %s would publish its name, workflow and commit in a public "+
		"transparency log; use sigstore: github (GitHub's instance for private repositories) or a private instance, "+
		"or set private-repository: true to publish anyway", gc.Claims.Repository, vis, signing.PublicGood)
}

// identity is the signer every bundle must name: the builder, as Fulcio
// puts it in the certificate, with the source facts of the verified token.
func identity(gc ghctx.Context) verify.Identity {
	c := gc.Claims
	return verify.Identity{
		SAN:    gc.BuilderID(),
		Issuer: c.Issuer,
		Extensions: certificate.Extensions{
			BuildSignerURI:         gc.BuilderID(),
			SourceRepositoryURI:    gc.RepositoryURL(),
			SourceRepositoryDigest: c.SHA,
			SourceRepositoryRef:    c.Ref,
			RunInvocationURI:       gc.InvocationID(),
		},
	}
}

// signAll signs every statement and verifies each bundle before accepting it.
func signAll(ctx context.Context, inst *instance, token string, res *Result, now time.Time) error {
	services, err := signing.SelectServices(inst.SigningConfig, now, inst.rekorVersion)
	if err != nil {
		return err
	}
	signer, err := signing.New(services, inst.TrustedRoot, token)
	if err != nil {
		return err
	}
	versions := make([]uint32, len(services.Logs))
	for i, l := range services.Logs {
		versions[i] = l.Version
	}
	req := verify.RequirementsFor(versions, len(services.TSAs), inst.TrustedRoot)
	res.Identity, res.Instance = identity(res.Context), inst.Name
	for _, st := range res.Statements {
		b, err := signer.Sign(ctx, st)
		if err != nil {
			return err
		}
		alg, digest := firstDigest(st)
		if _, err := verify.Bundle(b, inst.TrustedRoot, alg, digest, res.Identity, req); err != nil {
			return fmt.Errorf("the new attestation did not verify, so nothing was written: %w", err)
		}
		idx, logURL := logEntry(b, services, inst.Name)
		sum := sha256.Sum256(b)
		res.Bundles = append(res.Bundles, Bundle{JSON: b, Digest: "sha256:" + hex.EncodeToString(sum[:]), LogIndex: idx, LogURL: logURL})
	}
	return nil
}

// firstDigest returns the first subject's digest, which the verifier checks
// against the statement.
func firstDigest(statement []byte) (string, string) {
	var st struct {
		Subject []struct {
			Digest map[string]string `json:"digest"`
		} `json:"subject"`
	}
	if json.Unmarshal(statement, &st) != nil || len(st.Subject) == 0 {
		return "", ""
	}
	for _, alg := range []string{"sha256", "sha512", "sha384"} {
		if d, ok := st.Subject[0].Digest[alg]; ok {
			return alg, d
		}
	}
	return "", ""
}

// logEntry reads the log index from a bundle and says where to look it up.
func logEntry(bundleJSON []byte, services signing.Services, instance string) (int64, string) {
	var b struct {
		VerificationMaterial struct {
			TlogEntries []struct {
				LogIndex string `json:"logIndex"`
			} `json:"tlogEntries"`
		} `json:"verificationMaterial"`
	}
	if json.Unmarshal(bundleJSON, &b) != nil || len(b.VerificationMaterial.TlogEntries) == 0 || len(services.Logs) == 0 {
		return -1, ""
	}
	idx, _ := strconv.ParseInt(b.VerificationMaterial.TlogEntries[0].LogIndex, 10, 64) // absent means entry 0
	log := services.Logs[0]
	switch {
	case instance == signing.PublicGood:
		return idx, fmt.Sprintf("https://search.sigstore.dev/?logIndex=%d", idx)
	case log.Version == 1:
		return idx, fmt.Sprintf("%s/api/v1/log/entries?logIndex=%d", log.URL, idx)
	default:
		return idx, log.URL
	}
}
