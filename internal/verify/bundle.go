package verify

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"

	"github.com/sigstore/sigstore-go/pkg/bundle"
	"github.com/sigstore/sigstore-go/pkg/fulcio/certificate"
	"github.com/sigstore/sigstore-go/pkg/root"
	sgverify "github.com/sigstore/sigstore-go/pkg/verify"
)

// Identity is who must have signed: the certificate's SAN and issuer, and
// the GitHub extensions that must hold exactly these values (empty fields
// are not checked).
type Identity struct {
	SAN        string
	Issuer     string
	Extensions certificate.Extensions
}

// Requirements say which evidence a bundle must carry. They come from how
// it was meant to be signed, never from the bundle itself.
type Requirements struct {
	// TransparencyLog requires a verified log entry.
	TransparencyLog bool
	// SignedTimestamps requires a verified RFC 3161 timestamp.
	SignedTimestamps bool
	// IntegratedTime accepts a Rekor v1 integrated time as the signing time
	// when there is no RFC 3161 timestamp.
	IntegratedTime bool
	// SCT requires a signed certificate timestamp from a CT log.
	SCT bool
}

// RequirementsFor derives the requirements for a bundle made with logs of
// the given API versions and the given number of timestamp authorities,
// under a trusted root: SCTs are required whenever the root lists CT logs.
func RequirementsFor(logVersions []uint32, tsas int, trusted root.TrustedMaterial) Requirements {
	r := Requirements{TransparencyLog: len(logVersions) > 0, SignedTimestamps: tsas > 0, SCT: len(trusted.CTLogs()) > 0}
	if tsas == 0 {
		for _, v := range logVersions {
			if v == 1 {
				r.IntegratedTime = true
			}
		}
	}
	return r
}

// Result is what a verified bundle says.
type Result struct {
	Statement  []byte
	Extensions certificate.Extensions
	SAN        string
}

// Bundle verifies bundleJSON: signature, certificate chain to the trusted
// root, the required log entries and timestamps, the identity, and that the
// statement's subjects include the artifact digest (alg, hex).
func Bundle(bundleJSON []byte, trusted root.TrustedMaterial, alg, digestHex string, id Identity, req Requirements) (*Result, error) {
	var b bundle.Bundle
	if err := b.UnmarshalJSON(bundleJSON); err != nil {
		return nil, fmt.Errorf("verifying the bundle: not a valid Sigstore bundle: %w", err)
	}
	var vopts []sgverify.VerifierOption
	if req.TransparencyLog {
		vopts = append(vopts, sgverify.WithTransparencyLog(1))
	}
	switch {
	case req.SignedTimestamps:
		vopts = append(vopts, sgverify.WithSignedTimestamps(1))
	case req.IntegratedTime:
		vopts = append(vopts, sgverify.WithIntegratedTimestamps(1))
	default:
		return nil, fmt.Errorf("verifying the bundle: no source of signing time is required; refusing to verify without one")
	}
	if req.SCT {
		vopts = append(vopts, sgverify.WithSignedCertificateTimestamps(1))
	}
	v, err := sgverify.NewVerifier(trusted, vopts...)
	if err != nil {
		return nil, fmt.Errorf("verifying the bundle: %w", err)
	}
	san, err := sgverify.NewSANMatcher(id.SAN, "")
	if err != nil {
		return nil, err
	}
	iss, err := sgverify.NewIssuerMatcher(id.Issuer, "")
	if err != nil {
		return nil, err
	}
	ci, err := sgverify.NewCertificateIdentity(san, iss, id.Extensions)
	if err != nil {
		return nil, err
	}
	digest, err := hex.DecodeString(digestHex)
	if err != nil {
		return nil, fmt.Errorf("verifying the bundle: artifact digest is not hex: %w", err)
	}
	res, err := v.Verify(&b, sgverify.NewPolicy(sgverify.WithArtifactDigest(alg, digest), sgverify.WithCertificateIdentity(ci)))
	if err != nil {
		return nil, fmt.Errorf("verifying the bundle: %w", err)
	}
	out := &Result{}
	if res.Signature != nil && res.Signature.Certificate != nil {
		out.Extensions = res.Signature.Certificate.Extensions
		out.SAN = res.Signature.Certificate.SubjectAlternativeName
	}
	if env, err := b.Envelope(); err == nil {
		if raw := env.RawEnvelope(); raw != nil {
			if st, err := base64.StdEncoding.DecodeString(raw.Payload); err == nil {
				out.Statement = st
			}
		}
	}
	return out, nil
}
