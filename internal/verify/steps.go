package verify

import (
	"bytes"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/secure-systems-lab/go-securesystemslib/dsse"
	"github.com/sigstore/sigstore-go/pkg/bundle"
	"github.com/sigstore/sigstore-go/pkg/fulcio/certificate"
	"github.com/sigstore/sigstore-go/pkg/root"
	sgverify "github.com/sigstore/sigstore-go/pkg/verify"
	"github.com/sigstore/sigstore/pkg/cryptoutils"
	"github.com/sigstore/sigstore/pkg/signature"
)

// entity is a parsed bundle with the parts every step reads.
type entity struct {
	b         *bundle.Bundle
	leaf      *x509.Certificate
	chain     []*x509.Certificate // intermediates the bundle carries
	env       *dsse.Envelope
	statement []byte
}

func parse(bundleJSON []byte) (*entity, error) {
	var b bundle.Bundle
	if err := b.UnmarshalJSON(bundleJSON); err != nil {
		if legacyEnvelope(bundleJSON) {
			return nil, refuse(ErrLegacyEnvelope, "the line carries the certificate but not the Rekor entry that vouches for the time of signing: "+
				"look the entry up (ParseLegacy, then Bundle with the entry) and verify the bundle that makes")
		}
		return nil, &Error{Check: ErrMalformed, Err: err}
	}
	vc, err := b.VerificationContent()
	if err != nil {
		return nil, &Error{Check: ErrMalformed, Err: err}
	}
	if vc.Certificate() == nil {
		return nil, refuse(ErrSignature, "the bundle is not signed with a Fulcio certificate")
	}
	env, err := b.Envelope()
	if err != nil || env.RawEnvelope() == nil {
		return nil, refuse(ErrSignature, "the bundle holds no DSSE envelope")
	}
	raw := env.RawEnvelope()
	payload, err := base64.StdEncoding.DecodeString(raw.Payload)
	if err != nil {
		return nil, refuse(ErrSignature, "the DSSE payload is not base64: %w", err)
	}
	return &entity{b: &b, leaf: vc.Certificate(), chain: vc.Intermediates(), env: raw, statement: payload}, nil
}

// signedByCertificate checks the DSSE signature with the certificate's key
// alone; the chain, logs and timestamps are checked afterwards.
func (e *entity) signedByCertificate() error {
	if len(e.env.Signatures) != 1 {
		return refuse(ErrSignature, "the DSSE envelope has %d signatures, want 1", len(e.env.Signatures))
	}
	sig, err := base64.StdEncoding.DecodeString(e.env.Signatures[0].Sig)
	if err != nil {
		return refuse(ErrSignature, "the DSSE signature is not base64: %w", err)
	}
	v, err := signature.LoadDefaultVerifier(e.leaf.PublicKey)
	if err != nil {
		return refuse(ErrSignature, "the certificate's key: %w", err)
	}
	if err := v.VerifySignature(bytes.NewReader(sig), bytes.NewReader(dsse.PAE(e.env.PayloadType, e.statement))); err != nil {
		return refuse(ErrSignature, "the DSSE signature does not verify with the key of the bundle's certificate: %w", err)
	}
	return nil
}

// verifyUnder verifies the bundle under one trusted root, for no artifact
// in particular (Verified.For checks those). sigstore-go's
// complete verification decides; only when it refuses are the checks run
// one by one, each named by its own sentinel, to say which failed. The
// steps call the same sigstore-go functions its Verify calls (log entries,
// signed timestamps, the chain at each signing time, SCTs), so running them
// after a success could not refuse anything and would only double the
// cost. The cheap checks sigstore-go makes differently (the payload type,
// the identity) run in both cases.
func (e *entity) verifyUnder(tm root.TrustedMaterial, req Requirements, id *Identity) (*Result, error) {
	summary, err := certificate.SummarizeCertificate(e.leaf)
	if err != nil {
		return nil, refuse(ErrIdentity, "reading the certificate: %w", err)
	}
	if err := e.complete(tm, req, id); err != nil {
		if stepErr := e.steps(tm, req, summary, id); stepErr != nil {
			return nil, stepErr
		}
		return nil, err
	}
	if err := checkIdentity(summary, id); err != nil {
		return nil, err
	}
	return &Result{Statement: e.statement, Extensions: summary.Extensions, SAN: summary.SubjectAlternativeName}, nil
}

// steps runs the checks that depend on the trusted root in turn and
// returns the first refusal.
func (e *entity) steps(tm root.TrustedMaterial, req Requirements, summary certificate.Summary, id *Identity) error {
	logTimes, err := e.logEntries(tm, req)
	if err != nil {
		return err
	}
	times, err := e.signingTimes(tm, req, logTimes)
	if err != nil {
		return err
	}
	chains, err := e.chains(tm, times)
	if err != nil {
		return err
	}
	if req.SCT {
		if err := sgverify.VerifySignedCertificateTimestamp(chains, 1, tm); err != nil {
			return &Error{Check: ErrCertificateTransparency, Err: err}
		}
	}
	return checkIdentity(summary, id)
}

// logEntries verifies the required transparency log entries and returns
// the integrated times they vouch for.
func (e *entity) logEntries(tm root.TrustedMaterial, req Requirements) ([]time.Time, error) {
	if !req.TransparencyLog {
		return nil, nil
	}
	trustTime := req.IntegratedTime || req.ObserverTimestamp
	ts, err := sgverify.VerifyTlogEntry(e.b, tm, 1, trustTime)
	if err != nil {
		return nil, &Error{Check: ErrTransparencyLog, Err: err}
	}
	var out []time.Time
	for _, t := range ts {
		out = append(out, t.Time)
	}
	return out, nil
}

// signingTimes establishes the trusted times of signing the requirements
// ask for, and checks that the certificate was valid at each.
func (e *entity) signingTimes(tm root.TrustedMaterial, req Requirements, logTimes []time.Time) ([]time.Time, error) {
	var times []time.Time
	switch {
	case req.SignedTimestamps:
		ts, err := sgverify.VerifySignedTimestampWithThreshold(e.b, tm, 1)
		if err != nil {
			return nil, &Error{Check: ErrTimestamp, Err: err}
		}
		times = appendTimes(times, ts)
	case req.IntegratedTime:
		if len(logTimes) == 0 {
			return nil, refuse(ErrTimestamp, "no verified log entry vouches for the time of signing")
		}
	case req.ObserverTimestamp:
		ts, _, err := sgverify.VerifySignedTimestamp(e.b, tm)
		if err != nil {
			return nil, &Error{Check: ErrTimestamp, Err: err}
		}
		if times = appendTimes(times, ts); len(times)+len(logTimes) == 0 {
			return nil, refuse(ErrTimestamp, "neither a verified RFC 3161 timestamp nor a log entry's integrated time establishes when it was signed")
		}
	default:
		return nil, refuse(ErrTimestamp, "no source of signing time is required; refusing to verify without one")
	}
	if req.IntegratedTime || req.ObserverTimestamp {
		times = append(times, logTimes...)
	}
	for _, t := range times {
		if t.Before(e.leaf.NotBefore) || t.After(e.leaf.NotAfter) {
			return nil, refuse(ErrTimestamp, "signed at %s, outside the certificate's validity (%s to %s)",
				t.UTC().Format(time.RFC3339), e.leaf.NotBefore.UTC().Format(time.RFC3339), e.leaf.NotAfter.UTC().Format(time.RFC3339))
		}
	}
	return times, nil
}

func appendTimes(out []time.Time, ts []*root.Timestamp) []time.Time {
	for _, t := range ts {
		out = append(out, t.Time)
	}
	return out
}

// chains verifies the certificate chain at every signing time, as the
// Sigstore client spec asks, with the intermediates the bundle carries.
func (e *entity) chains(tm root.TrustedMaterial, times []time.Time) ([][]*x509.Certificate, error) {
	leaf := *e.leaf
	leaf.UnhandledCriticalExtensions = nil
	for _, oid := range e.leaf.UnhandledCriticalExtensions {
		if !oid.Equal(cryptoutils.SANOID) { // an OtherName SAN, which Go cannot parse
			leaf.UnhandledCriticalExtensions = append(leaf.UnhandledCriticalExtensions, oid)
		}
	}
	var chains [][]*x509.Certificate
	for _, t := range times {
		var errs []error
		chains = nil
		for _, ca := range tm.FulcioCertificateAuthorities() {
			if fca, ok := ca.(*root.FulcioCertificateAuthority); ok && len(e.chain) > 0 {
				with := *fca
				with.Intermediates = append(append([]*x509.Certificate{}, fca.Intermediates...), e.chain...)
				ca = &with
			}
			c, err := ca.Verify(&leaf, t)
			if err == nil {
				chains = c
				break
			}
			errs = append(errs, err)
		}
		if chains == nil {
			if len(errs) == 0 {
				errs = append(errs, errors.New("the trusted root has no certificate authority"))
			}
			return nil, &Error{Check: ErrCertificateChain, Err: errors.Join(errs...)}
		}
	}
	return chains, nil
}

func checkIdentity(summary certificate.Summary, id *Identity) error {
	if id == nil {
		return nil
	}
	ci, err := certificateIdentity(*id)
	if err != nil {
		return err
	}
	if _, err := (sgverify.CertificateIdentities{ci}).Verify(summary); err != nil {
		return &Error{Check: ErrIdentity, Err: err}
	}
	return nil
}

func certificateIdentity(id Identity) (sgverify.CertificateIdentity, error) {
	san, err := sgverify.NewSANMatcher(id.SAN, "")
	if err != nil {
		return sgverify.CertificateIdentity{}, fmt.Errorf("the expected SAN: %w", err)
	}
	iss, err := sgverify.NewIssuerMatcher(id.Issuer, "")
	if err != nil {
		return sgverify.CertificateIdentity{}, fmt.Errorf("the expected issuer: %w", err)
	}
	return sgverify.NewCertificateIdentity(san, iss, id.Extensions)
}
