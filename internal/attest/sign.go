package attest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"

	"github.com/provenant/provenant/internal/config"
	"github.com/provenant/provenant/internal/ghctx"
	"github.com/provenant/provenant/internal/intoto"
	"github.com/provenant/provenant/internal/signing"
	"github.com/provenant/provenant/internal/verify"
)

// instanceInput is what the instance choice needs from the configuration.
type instanceInput struct {
	sigstore, trustedRoot string
	privateRepository     bool
}

func instanceInputOf(cfg *config.Config) instanceInput {
	return instanceInput{sigstore: cfg.Sigstore, trustedRoot: cfg.TrustedRoot, privateRepository: cfg.PrivateRepository}
}

// chooseInstance picks the Sigstore instance (auto: by the verified
// repository visibility), refuses to publish a private repository's
// identity to a public log unless the user opted in, then loads the
// instance. It returns why the instance was chosen. The refusal comes
// before any Sigstore service is contacted.
func chooseInstance(ctx context.Context, in instanceInput, env Environment, gc ghctx.Context,
	opts ...signing.InstanceOption) (*signing.Instance, string, error) {
	choice := signing.Choose(in.sigstore, gc.Claims.RepositoryVisibility)
	if err := allowVisibility(choice.Sigstore, in.privateRepository, gc); err != nil {
		return nil, "", err
	}
	inst, err := signing.LoadInstance(ctx, instanceSource(choice.Sigstore, in.trustedRoot, env), opts...)
	if err != nil {
		return nil, "", err
	}
	return inst, choice.Reason, nil
}

// instanceSource resolves workspace-relative paths and the TUF cache.
func instanceSource(sigstore, trustedRoot string, env Environment) signing.Source {
	src := signing.Source{Sigstore: sigstore, TrustedRoot: trustedRoot}
	if src.TrustedRoot != "" && !filepath.IsAbs(src.TrustedRoot) {
		src.TrustedRoot = filepath.Join(env.Workspace, src.TrustedRoot)
	}
	if src.Sigstore != signing.PublicGood && src.Sigstore != signing.GitHub && src.Sigstore != "" && !filepath.IsAbs(src.Sigstore) {
		src.Sigstore = filepath.Join(env.Workspace, src.Sigstore)
	}
	tmp := env.TempDir
	if tmp == "" {
		tmp = os.TempDir()
	}
	src.CacheDir = filepath.Join(tmp, "provenant-tuf")
	return src
}

func allowVisibility(sigstore string, optedIn bool, gc ghctx.Context) error {
	vis := gc.Claims.RepositoryVisibility
	if !signing.IsPublic(sigstore) || vis == "public" || optedIn {
		return nil
	}
	if vis == "" {
		vis = "of unknown visibility"
	}
	return fmt.Errorf("the repository %s is %s, and signing on %s would publish its name, workflow and commit in a public "+
		"transparency log; use sigstore: auto or github (GitHub's instance for private repositories) or a private instance, "+
		"or set private-repository: true to publish anyway", gc.Claims.Repository, vis, signing.PublicGood)
}

// expectedIdentity is the signer every bundle must name: the builder, as
// Fulcio puts it in the certificate, with the source facts of the verified
// token.
func expectedIdentity(gc ghctx.Context) verify.Identity {
	c := gc.Claims
	id := verify.Identity{SAN: gc.BuilderID(), Issuer: c.Issuer}
	id.Extensions.BuildSignerURI = gc.BuilderID()
	id.Extensions.SourceRepositoryURI = gc.RepositoryURL()
	id.Extensions.SourceRepositoryDigest = c.SHA
	id.Extensions.SourceRepositoryRef = c.Ref
	id.Extensions.RunInvocationURI = gc.InvocationID()
	return id
}

// keyless is the default signer: sigstore-go with the instance's services.
func keyless(services signing.Services, inst *signing.Instance, token string) (signing.Signer, error) {
	return signing.New(services, inst.TrustedRoot, token)
}

// signedBundle is one signed bundle that passed verification.
type signedBundle struct {
	json     []byte
	digest   string
	logIndex int64
	logURL   string
	subjects []intoto.Subject
}

// signAll signs every statement and verifies each bundle against the
// trusted root and the expected identity before accepting it.
func signAll(ctx context.Context, o options, inst *signing.Instance, id identity, sts statements, rekorVersion uint32) ([]signedBundle, error) {
	services, err := signing.SelectServices(inst.SigningConfig, o.now(), rekorVersion)
	if err != nil {
		return nil, err
	}
	signer, err := o.signer(services, inst, id.token)
	if err != nil {
		return nil, err
	}
	req := verify.RequirementsFor(services.LogVersions(), len(services.TSAs), inst.TrustedRoot)
	want := expectedIdentity(id.gc)
	out := make([]signedBundle, 0, len(sts.each))
	for i, st := range sts.each {
		b, err := signer.Sign(ctx, st)
		if err != nil {
			return nil, err
		}
		alg, digest := sts.groups[i][0].Digest.Preferred()
		if _, err := verify.Bundle(b, inst.TrustedRoot, alg, digest, want, req); err != nil {
			return nil, fmt.Errorf("the new attestation did not verify, so nothing was written: %w", err)
		}
		idx, logURL := inst.LogEntry(b, services)
		sum := sha256.Sum256(b)
		out = append(out, signedBundle{json: b, digest: "sha256:" + hex.EncodeToString(sum[:]), logIndex: idx, logURL: logURL, subjects: sts.groups[i]})
	}
	return out, nil
}
