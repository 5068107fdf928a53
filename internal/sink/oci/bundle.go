package oci

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"slices"
	"strings"

	protobundle "github.com/sigstore/protobuf-specs/gen/pb-go/bundle/v1"
	"google.golang.org/protobuf/encoding/protojson"
)

const (
	// BundleMediaType is the media type of a Sigstore bundle v0.3, used as
	// the referrer's artifactType and layer media type.
	BundleMediaType = "application/vnd.dev.sigstore.bundle.v0.3+json"

	bundleMediaTypeOld = "application/vnd.dev.sigstore.bundle+json;version=0.3"
	inTotoPayloadType  = "application/vnd.in-toto+json"
	statementPrefix    = "https://in-toto.io/Statement/"
)

// attestation is what this package needs from a bundle.
type attestation struct {
	predicateType string
	subjects      []statementSubject
	envelope      []byte // the DSSE envelope, as cosign writes it
	leafPEM       []byte // nil for keyed bundles
	chainPEM      []byte // intermediates and root carried by a v0.1/v0.2 style chain
	rekorSET      []byte // Rekor v1 inclusion promise as cosign's bundle annotation; nil without one
	rfc3161       []byte // cosign's timestamp annotation; nil without a timestamp
	signed        *signed
}

type statement struct {
	Type          string             `json:"_type"`
	Subject       []statementSubject `json:"subject"`
	PredicateType string             `json:"predicateType"`
}

type statementSubject struct {
	Name   string            `json:"name"`
	Digest map[string]string `json:"digest"`
}

// parseBundle reads a Sigstore bundle v0.3 carrying a DSSE envelope with an
// in-toto statement. It does not verify anything.
func parseBundle(raw []byte) (*attestation, error) {
	var b protobundle.Bundle
	if err := (protojson.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(raw, &b); err != nil {
		return nil, fmt.Errorf("bundle is not Sigstore bundle JSON: %w", err)
	}
	if mt := b.GetMediaType(); mt != BundleMediaType && mt != bundleMediaTypeOld {
		return nil, fmt.Errorf("bundle media type is %q; only %s bundles are stored in registries", mt, BundleMediaType)
	}
	env := b.GetDsseEnvelope()
	if env == nil {
		return nil, errors.New("bundle holds no DSSE envelope; only attestations (DSSE-signed in-toto statements) are stored in registries")
	}
	if env.GetPayloadType() != inTotoPayloadType {
		return nil, fmt.Errorf("DSSE payload type is %q, want %s", env.GetPayloadType(), inTotoPayloadType)
	}
	var st statement
	if err := json.Unmarshal(env.GetPayload(), &st); err != nil {
		return nil, fmt.Errorf("DSSE payload is not an in-toto statement: %w", err)
	}
	if !strings.HasPrefix(st.Type, statementPrefix) || st.PredicateType == "" {
		return nil, fmt.Errorf("DSSE payload is not an in-toto statement with a predicate type (_type %q)", st.Type)
	}
	a := &attestation{predicateType: st.PredicateType, subjects: st.Subject}
	var err error
	if a.envelope, err = envelopeJSON(&b); err != nil {
		return nil, err
	}
	a.leafPEM, a.chainPEM = certificates(&b)
	a.signed = &signed{predicateType: st.PredicateType, subjects: st.Subject, payloadType: env.GetPayloadType(),
		payload: env.GetPayload(), sig: env.GetSignatures()[0].GetSig(), leaf: parseLeafPEM(a.leafPEM)}
	if a.rekorSET, err = rekorSET(&b); err != nil {
		return nil, err
	}
	if a.rfc3161, err = timestampAnnotation(&b); err != nil {
		return nil, err
	}
	return a, nil
}

// names reports whether the statement lists the image digest as a subject.
func (a *attestation) names(digest string) bool {
	alg, hexDigest, _ := strings.Cut(digest, ":")
	return slices.ContainsFunc(a.subjects, func(s statementSubject) bool {
		return strings.EqualFold(s.Digest[alg], hexDigest)
	})
}

// envelopeJSON is the DSSE envelope in the JSON form cosign stores in .att
// layers: payloadType, payload and signatures with an explicit keyid.
func envelopeJSON(b *protobundle.Bundle) ([]byte, error) {
	type signature struct {
		KeyID string `json:"keyid"`
		Sig   string `json:"sig"`
	}
	env := b.GetDsseEnvelope()
	out := struct {
		PayloadType string      `json:"payloadType"`
		Payload     string      `json:"payload"`
		Signatures  []signature `json:"signatures"`
	}{PayloadType: env.GetPayloadType(), Payload: base64.StdEncoding.EncodeToString(env.GetPayload())}
	for _, s := range env.GetSignatures() {
		out.Signatures = append(out.Signatures, signature{KeyID: s.GetKeyid(), Sig: base64.StdEncoding.EncodeToString(s.GetSig())})
	}
	if len(out.Signatures) == 0 {
		return nil, errors.New("DSSE envelope has no signature")
	}
	return json.Marshal(out)
}

// certificates returns the leaf certificate and, for older bundles that
// carry a chain, the rest of it, both as PEM.
func certificates(b *protobundle.Bundle) (leaf, chain []byte) {
	vm := b.GetVerificationMaterial()
	if c := vm.GetCertificate(); c != nil {
		return pemCert(c.GetRawBytes()), nil
	}
	certs := vm.GetX509CertificateChain().GetCertificates()
	if len(certs) == 0 {
		return nil, nil
	}
	for _, c := range certs[1:] {
		chain = append(chain, pemCert(c.GetRawBytes())...)
	}
	return pemCert(certs[0].GetRawBytes()), chain
}

func pemCert(der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

// rekorSET renders the first Rekor v1 inclusion promise as cosign's
// dev.sigstore.cosign/bundle annotation. Rekor v2 and TSA-only bundles have
// no promise and get nil.
func rekorSET(b *protobundle.Bundle) ([]byte, error) {
	type payload struct {
		Body           string `json:"body"`
		IntegratedTime int64  `json:"integratedTime"`
		LogIndex       int64  `json:"logIndex"`
		LogID          string `json:"logID"`
	}
	type set struct {
		SignedEntryTimestamp string  `json:"SignedEntryTimestamp"`
		Payload              payload `json:"Payload"`
	}
	for _, e := range b.GetVerificationMaterial().GetTlogEntries() {
		sig := e.GetInclusionPromise().GetSignedEntryTimestamp()
		if len(sig) == 0 {
			continue
		}
		return json.Marshal(set{
			SignedEntryTimestamp: base64.StdEncoding.EncodeToString(sig),
			Payload: payload{
				Body:           base64.StdEncoding.EncodeToString(e.GetCanonicalizedBody()),
				IntegratedTime: e.GetIntegratedTime(),
				LogIndex:       e.GetLogIndex(),
				LogID:          hex.EncodeToString(e.GetLogId().GetKeyId()),
			},
		})
	}
	return nil, nil
}

// timestampAnnotation renders the first RFC 3161 timestamp as cosign's
// dev.sigstore.cosign/rfc3161timestamp annotation, or nil without one.
func timestampAnnotation(b *protobundle.Bundle) ([]byte, error) {
	for _, ts := range b.GetVerificationMaterial().GetTimestampVerificationData().GetRfc3161Timestamps() {
		if len(ts.GetSignedTimestamp()) == 0 {
			continue
		}
		return json.Marshal(struct {
			SignedRFC3161Timestamp string `json:"SignedRFC3161Timestamp"`
		}{base64.StdEncoding.EncodeToString(ts.GetSignedTimestamp())})
	}
	return nil, nil
}
