package verify

import (
	"bytes"
	"crypto"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/secure-systems-lab/go-securesystemslib/dsse"
	"github.com/sigstore/sigstore-go/pkg/bundle"
	"github.com/sigstore/sigstore-go/pkg/root"
	sgverify "github.com/sigstore/sigstore-go/pkg/verify"
	"github.com/sigstore/sigstore/pkg/signature"

	"github.com/provenant/provenant/internal/policy"
)

// Digest is an artifact digest: algorithm and hex.
type Digest struct {
	Alg, Hex string
}

func (d Digest) String() string { return d.Alg + ":" + d.Hex }

// Root is one trusted root and a name for messages.
type Root struct {
	Name    string
	Trusted root.TrustedMaterial
}

// Verified is a bundle whose signature, certificate chain, log entries and
// timestamps verified under one of the roots, and whose statement names
// the artifact. Nothing about who signed has been checked yet: that is the
// policy's job, from Evidence.
type Verified struct {
	Root     string
	Evidence policy.Evidence
}

// Attestation verifies bundleJSON for the artifact digest under the first
// root that accepts it. What evidence a bundle must carry comes from the
// root, never from the bundle: a transparency log entry whenever the root
// has logs, an SCT whenever it has CT logs, and always a trusted time (a
// log's integrated time or an RFC 3161 timestamp).
func Attestation(bundleJSON []byte, roots []Root, artifact Digest) (*Verified, error) {
	if len(roots) == 0 {
		return nil, errors.New("no trusted root to verify against")
	}
	var b bundle.Bundle
	if err := b.UnmarshalJSON(bundleJSON); err != nil {
		return nil, fmt.Errorf("not a valid Sigstore bundle: %w", err)
	}
	digest, err := hex.DecodeString(artifact.Hex)
	if err != nil {
		return nil, fmt.Errorf("artifact digest %s is not hex", artifact)
	}
	// The signature first, with the key of the bundle's own certificate:
	// a tampered signature or a swapped certificate is then named as such,
	// not as a log entry or timestamp that no longer matches it.
	sc, err := b.SignatureContent()
	if err != nil {
		return nil, fmt.Errorf("signature: %w", err)
	}
	vc, err := b.VerificationContent()
	if err != nil {
		return nil, fmt.Errorf("signature: %w", err)
	}
	if vc.Certificate() == nil {
		return nil, errors.New("signature: the bundle is not signed with a Fulcio certificate")
	}
	if err := envelopeSignedBy(sc, vc.Certificate().PublicKey); err != nil {
		return nil, fmt.Errorf("signature: %w", err)
	}
	var errs []error
	for _, r := range roots {
		v, err := sgverify.NewVerifier(r.Trusted, requirementsOf(r.Trusted)...)
		if err != nil {
			return nil, fmt.Errorf("trusted root %s: %w", r.Name, err)
		}
		res, err := v.Verify(&b, sgverify.NewPolicy(sgverify.WithArtifactDigest(artifact.Alg, digest), sgverify.WithoutIdentitiesUnsafe()))
		if err != nil {
			errs = append(errs, explain(err, r.Name, len(roots)))
			continue
		}
		out := &Verified{Root: r.Name}
		if res.Signature != nil && res.Signature.Certificate != nil {
			c := res.Signature.Certificate
			out.Evidence.Certificate = policy.Certificate{
				SAN: c.SubjectAlternativeName, Issuer: c.Extensions.Issuer,
				SourceRepositoryURI: c.Extensions.SourceRepositoryURI, SourceRepositoryRef: c.Extensions.SourceRepositoryRef,
				SourceRepositoryDigest: c.Extensions.SourceRepositoryDigest, RunnerEnvironment: c.Extensions.RunnerEnvironment,
				RunInvocationURI: c.Extensions.RunInvocationURI,
			}
		} else {
			return nil, errors.New("the bundle is not signed with a Fulcio certificate")
		}
		env, err := b.Envelope()
		if err != nil || env.RawEnvelope() == nil {
			return nil, errors.New("the bundle holds no DSSE envelope")
		}
		if out.Evidence.Statement, err = base64.StdEncoding.DecodeString(env.RawEnvelope().Payload); err != nil {
			return nil, fmt.Errorf("the DSSE payload is not base64: %w", err)
		}
		return out, nil
	}
	return nil, errors.Join(errs...)
}

// envelopeSignedBy checks the DSSE signature with the certificate's key
// alone; the chain, logs and timestamps are checked afterwards.
func envelopeSignedBy(sc sgverify.SignatureContent, key crypto.PublicKey) error {
	ec := sc.EnvelopeContent()
	if ec == nil || ec.RawEnvelope() == nil {
		return errors.New("the bundle holds no DSSE envelope")
	}
	env := ec.RawEnvelope()
	payload, err := base64.StdEncoding.DecodeString(env.Payload)
	if err != nil {
		return fmt.Errorf("the DSSE payload is not base64: %w", err)
	}
	if len(env.Signatures) != 1 {
		return fmt.Errorf("the DSSE envelope has %d signatures, want 1", len(env.Signatures))
	}
	sig, err := base64.StdEncoding.DecodeString(env.Signatures[0].Sig)
	if err != nil {
		return fmt.Errorf("the DSSE signature is not base64: %w", err)
	}
	v, err := signature.LoadDefaultVerifier(key)
	if err != nil {
		return fmt.Errorf("the certificate's key: %w", err)
	}
	if err := v.VerifySignature(bytes.NewReader(sig), bytes.NewReader(dsse.PAE(env.PayloadType, payload))); err != nil {
		return fmt.Errorf("the DSSE signature does not verify with the key of the bundle's certificate: %w", err)
	}
	return nil
}

func requirementsOf(tm root.TrustedMaterial) []sgverify.VerifierOption {
	opts := []sgverify.VerifierOption{sgverify.WithObserverTimestamps(1)}
	if len(tm.RekorLogs()) > 0 {
		opts = append(opts, sgverify.WithTransparencyLog(1))
	}
	if len(tm.CTLogs()) > 0 {
		opts = append(opts, sgverify.WithSignedCertificateTimestamps(1))
	}
	return opts
}

// explain prefixes sigstore-go's error with the part of verification it
// belongs to.
func explain(err error, rootName string, roots int) error {
	msg := err.Error()
	part := "signature"
	switch {
	case strings.Contains(msg, "artifact digest"), strings.Contains(msg, "subject"):
		part = "artifact not in the statement's subjects"
	case strings.Contains(msg, "certificate chain"), strings.Contains(msg, "leaf certificate"), strings.Contains(msg, "x509"):
		part = "certificate does not chain to the trusted root"
	case strings.Contains(msg, "failed to verify timestamps"), strings.Contains(msg, "timestamp"):
		part = "timestamp"
	case strings.Contains(msg, "transparency log"), strings.Contains(msg, "tlog"), strings.Contains(msg, "inclusion"), strings.Contains(msg, "entry"):
		part = "transparency log entry"
	case strings.Contains(msg, "SCT"), strings.Contains(msg, "certificate timestamp"):
		part = "certificate transparency"
	}
	if roots > 1 {
		return fmt.Errorf("%s (trusted root %s): %w", part, rootName, err)
	}
	return fmt.Errorf("%s: %w", part, err)
}
