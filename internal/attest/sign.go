package attest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/sync/errgroup"

	"github.com/provenant/provenant/internal/config"
	"github.com/provenant/provenant/internal/ghctx"
	"github.com/provenant/provenant/internal/intoto"
	"github.com/provenant/provenant/internal/signing"
	"github.com/provenant/provenant/internal/timing"
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
// It is given no trusted root to check bundles with: signAll verifies
// every bundle itself, more strictly (identity, requirements, artifact).
func keyless(services signing.Services, _ *signing.Instance, token string) (signing.Signer, error) {
	return signing.New(services, nil, token)
}

// signedBundle is one signed bundle that passed verification.
type signedBundle struct {
	json     []byte
	digest   string
	logIndex int64
	logURL   string
	subjects []intoto.Subject
}

// signConcurrency is how many statements are signed at once. Signing is
// round trips to the log and the timestamp authority (a Rekor v2 log
// answers only once a checkpoint holds the entry, about a second), not CPU.
const signConcurrency = 8

// signAll signs every statement, several at once, and verifies each bundle
// against the trusted root and the expected identity before accepting it.
// The bundles keep the statements' order.
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
	out := make([]signedBundle, len(sts.each))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(signConcurrency)
	for i, st := range sts.each {
		g.Go(func() error {
			end := timing.Start(gctx, "sign")
			b, err := signer.Sign(gctx, st)
			end()
			if err != nil {
				return err
			}
			alg, digest := sts.groups[i][0].Digest.Preferred()
			end = timing.Start(gctx, "self-verify")
			_, err = verify.Bundle(b, inst.TrustedRoot, alg, digest, want, req)
			end()
			if err != nil {
				return fmt.Errorf("the new attestation did not verify, so nothing was written: %w", err)
			}
			idx, logURL := inst.LogEntry(b, services)
			sum := sha256.Sum256(b)
			out[i] = signedBundle{json: b, digest: "sha256:" + hex.EncodeToString(sum[:]), logIndex: idx, logURL: logURL, subjects: sts.groups[i]}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return out, nil
}
