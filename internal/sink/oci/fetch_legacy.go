package oci

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	protobundle "github.com/sigstore/protobuf-specs/gen/pb-go/bundle/v1"
	protocommon "github.com/sigstore/protobuf-specs/gen/pb-go/common/v1"
	protodsse "github.com/sigstore/protobuf-specs/gen/pb-go/dsse"
	protorekor "github.com/sigstore/protobuf-specs/gen/pb-go/rekor/v1"
	"google.golang.org/protobuf/encoding/protojson"
)

// fetchLegacy converts each layer of the .att image at tag; a missing tag
// is no attestation.
func (s *session) fetchLegacy(ctx context.Context, repo name.Repository, tag name.Tag) ([]Found, error) {
	d, err := s.puller.Get(ctx, tag)
	if isNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	where := "legacy tag " + tag.TagStr()
	if !d.MediaType.IsImage() {
		return []Found{{Where: fmt.Sprintf("%s: it is a %s, not an image manifest", where, d.MediaType)}}, nil
	}
	m, err := v1.ParseManifest(bytes.NewReader(d.Manifest))
	if err != nil {
		return []Found{{Where: fmt.Sprintf("%s: parsing the manifest: %v", where, err)}}, nil
	}
	var out []Found
	for i, l := range m.Layers {
		b, err := s.legacyBundle(ctx, repo, l)
		if out, err = record(out, fmt.Sprintf("%s layer %d", where, i+1), b, err); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (s *session) legacyBundle(ctx context.Context, repo name.Repository, l v1.Descriptor) ([]byte, error) {
	if l.MediaType != dsseMediaType {
		return nil, unusable("the layer's media type is %s, not %s", l.MediaType, dsseMediaType)
	}
	env, err := s.readBlob(ctx, repo, l)
	if err != nil {
		return nil, err
	}
	return bundleFromLegacy(env, l.Annotations)
}

// bundleFromLegacy rebuilds a Sigstore bundle from a .att layer's DSSE
// envelope and cosign's annotations (formats.md, section 6.3). Every error
// is an *unusableError.
func bundleFromLegacy(envelopeJSON []byte, ann map[string]string) ([]byte, error) {
	env, err := parseEnvelope(envelopeJSON)
	if err != nil {
		return nil, unusable("the DSSE envelope: %v", err)
	}
	certs, err := parseCertificates(ann[annotationCertificate], ann[annotationChain])
	if err != nil {
		return nil, unusable("%v", err)
	}
	entry, err := parseSET(ann[annotationRekorBundle])
	if err != nil {
		return nil, unusable("the %s annotation: %v", annotationRekorBundle, err)
	}
	tsData, err := parseTimestamp(ann[annotationTimestamp])
	if err != nil {
		return nil, unusable("the %s annotation: %v", annotationTimestamp, err)
	}
	b := &protobundle.Bundle{
		MediaType: BundleMediaType,
		VerificationMaterial: &protobundle.VerificationMaterial{
			Content:                   &protobundle.VerificationMaterial_Certificate{Certificate: certs[0]},
			TimestampVerificationData: tsData,
		},
		Content: &protobundle.Bundle_DsseEnvelope{DsseEnvelope: env},
	}
	if entry != nil {
		// Only v0.1 accepts an entry with a promise and no proof.
		b.MediaType = bundleMediaTypeV01
		b.VerificationMaterial.Content = &protobundle.VerificationMaterial_X509CertificateChain{
			X509CertificateChain: &protocommon.X509CertificateChain{Certificates: certs},
		}
		b.VerificationMaterial.TlogEntries = []*protorekor.TransparencyLogEntry{entry}
	}
	out, err := protojson.Marshal(b)
	if err != nil {
		return nil, unusable("marshalling the bundle: %v", err)
	}
	return out, nil
}

// parseEnvelope reads DSSE envelope JSON.
func parseEnvelope(raw []byte) (*protodsse.Envelope, error) {
	var e struct {
		PayloadType string `json:"payloadType"`
		Payload     string `json:"payload"`
		Signatures  []struct {
			KeyID string `json:"keyid"`
			Sig   string `json:"sig"`
		} `json:"signatures"`
	}
	if err := json.Unmarshal(raw, &e); err != nil {
		return nil, fmt.Errorf("not JSON: %w", err)
	}
	if e.PayloadType == "" || len(e.Signatures) == 0 {
		return nil, errors.New("no payloadType or no signature")
	}
	payload, err := decodeBase64(e.Payload)
	if err != nil {
		return nil, fmt.Errorf("payload: %w", err)
	}
	env := &protodsse.Envelope{PayloadType: e.PayloadType, Payload: payload}
	for _, s := range e.Signatures {
		sig, err := decodeBase64(s.Sig)
		if err != nil || len(sig) == 0 {
			return nil, errors.New("a signature is empty or not base64")
		}
		env.Signatures = append(env.Signatures, &protodsse.Signature{Keyid: s.KeyID, Sig: sig})
	}
	return env, nil
}

// decodeBase64 accepts standard and URL-safe base64, as DSSE readers do.
func decodeBase64(s string) ([]byte, error) {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		b, err = base64.URLEncoding.DecodeString(s)
	}
	return b, err
}

// parseCertificates returns the leaf, then the chain, as DER.
func parseCertificates(leafPEM, chainPEM string) ([]*protocommon.X509Certificate, error) {
	if leafPEM == "" {
		return nil, fmt.Errorf("no %s annotation: the attestation was signed with a key, and only keyless (certificate) attestations are converted", annotationCertificate)
	}
	leaf := pemCertificates([]byte(leafPEM))
	if len(leaf) != 1 {
		return nil, fmt.Errorf("the %s annotation holds %d PEM certificates, want 1", annotationCertificate, len(leaf))
	}
	return append(leaf, pemCertificates([]byte(chainPEM))...), nil
}

func pemCertificates(rest []byte) []*protocommon.X509Certificate {
	var out []*protocommon.X509Certificate
	for {
		var block *pem.Block
		if block, rest = pem.Decode(rest); block == nil {
			return out
		}
		if block.Type == "CERTIFICATE" {
			out = append(out, &protocommon.X509Certificate{RawBytes: block.Bytes})
		}
	}
}

// parseSET turns cosign's Rekor v1 SET annotation into a log entry with an
// inclusion promise; nil without the annotation.
func parseSET(raw string) (*protorekor.TransparencyLogEntry, error) {
	if raw == "" {
		return nil, nil
	}
	var set struct {
		SignedEntryTimestamp string
		Payload              struct {
			Body           string `json:"body"`
			IntegratedTime int64  `json:"integratedTime"`
			LogIndex       int64  `json:"logIndex"`
			LogID          string `json:"logID"`
		}
	}
	if err := json.Unmarshal([]byte(raw), &set); err != nil {
		return nil, fmt.Errorf("not a Rekor SET: %w", err)
	}
	sig, err := base64.StdEncoding.DecodeString(set.SignedEntryTimestamp)
	if err != nil || len(sig) == 0 {
		return nil, errors.New("SignedEntryTimestamp is missing or not base64")
	}
	body, err := base64.StdEncoding.DecodeString(set.Payload.Body)
	if err != nil {
		return nil, fmt.Errorf("body is not base64: %w", err)
	}
	logID, err := hex.DecodeString(set.Payload.LogID)
	if err != nil || len(logID) == 0 {
		return nil, errors.New("logID is missing or not hex")
	}
	var kind struct {
		Kind       string `json:"kind"`
		APIVersion string `json:"apiVersion"`
	}
	if err := json.Unmarshal(body, &kind); err != nil || kind.Kind == "" || kind.APIVersion == "" {
		return nil, errors.New("body is not a Rekor entry with kind and apiVersion")
	}
	return &protorekor.TransparencyLogEntry{
		LogIndex:          set.Payload.LogIndex,
		LogId:             &protocommon.LogId{KeyId: logID},
		KindVersion:       &protorekor.KindVersion{Kind: kind.Kind, Version: kind.APIVersion},
		IntegratedTime:    set.Payload.IntegratedTime,
		InclusionPromise:  &protorekor.InclusionPromise{SignedEntryTimestamp: sig},
		CanonicalizedBody: body,
	}, nil
}

// parseTimestamp reads cosign's RFC 3161 annotation; nil without it.
func parseTimestamp(raw string) (*protobundle.TimestampVerificationData, error) {
	if raw == "" {
		return nil, nil
	}
	var ts struct {
		SignedRFC3161Timestamp string
	}
	if err := json.Unmarshal([]byte(raw), &ts); err != nil {
		return nil, fmt.Errorf("not JSON: %w", err)
	}
	der, err := base64.StdEncoding.DecodeString(ts.SignedRFC3161Timestamp)
	if err != nil || len(der) == 0 {
		return nil, errors.New("SignedRFC3161Timestamp is missing or not base64")
	}
	return &protobundle.TimestampVerificationData{
		Rfc3161Timestamps: []*protocommon.RFC3161SignedTimestamp{{SignedTimestamp: der}},
	}, nil
}
