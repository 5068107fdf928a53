package verify

import (
	"errors"

	"github.com/sigstore/sigstore-go/pkg/root"
	sgverify "github.com/sigstore/sigstore-go/pkg/verify"
)

// complete runs sigstore-go's whole verification with the requirements.
// It is the final word: should it refuse what the steps accept, the bundle
// is refused. Such a refusal is an identity mismatch when sigstore-go says
// so with its typed error, and otherwise counted against the signature, the
// check that covers what sigstore-go verifies last.
//
// The artifact is left to Verified.For, which checks the statement's
// subjects as sigstore-go would, so that one verification serves every
// artifact the statement names.
func (e *entity) complete(tm root.TrustedMaterial, req Requirements, id *Identity) error {
	v, err := sgverify.NewVerifier(tm, verifierOptions(req)...)
	if err != nil {
		return &Error{Check: ErrMalformed, Err: err}
	}
	identity := sgverify.WithoutIdentitiesUnsafe()
	if id != nil {
		ci, err := certificateIdentity(*id)
		if err != nil {
			return err
		}
		identity = sgverify.WithCertificateIdentity(ci)
	}
	_, err = v.Verify(e.b, sgverify.NewPolicy(sgverify.WithoutArtifactUnsafe(), identity))
	var mismatch *sgverify.ErrNoMatchingCertificateIdentity
	switch {
	case err == nil:
		return nil
	case errors.As(err, &mismatch):
		return &Error{Check: ErrIdentity, Err: err}
	}
	return &Error{Check: ErrSignature, Err: err}
}

func verifierOptions(req Requirements) []sgverify.VerifierOption {
	var opts []sgverify.VerifierOption
	if req.TransparencyLog {
		opts = append(opts, sgverify.WithTransparencyLog(1))
	}
	switch {
	case req.SignedTimestamps:
		opts = append(opts, sgverify.WithSignedTimestamps(1))
	case req.IntegratedTime:
		opts = append(opts, sgverify.WithIntegratedTimestamps(1))
	case req.ObserverTimestamp:
		opts = append(opts, sgverify.WithObserverTimestamps(1))
	}
	if req.SCT {
		opts = append(opts, sgverify.WithSignedCertificateTimestamps(1))
	}
	return opts
}
