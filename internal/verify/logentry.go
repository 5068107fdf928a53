package verify

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"

	protobundle "github.com/sigstore/protobuf-specs/gen/pb-go/bundle/v1"
	protocommon "github.com/sigstore/protobuf-specs/gen/pb-go/common/v1"
	protodsse "github.com/sigstore/protobuf-specs/gen/pb-go/dsse"
	rekorpb "github.com/sigstore/protobuf-specs/gen/pb-go/rekor/v1"
	"google.golang.org/protobuf/encoding/protojson"
)

// LogEntry is a Rekor v1 entry as GET /api/v1/log/entries/{uuid} returns
// it (the value under the UUID).
type LogEntry struct {
	// Body is the canonical entry body.
	Body           []byte `json:"body"`
	IntegratedTime int64  `json:"integratedTime"`
	// LogID is the hex sha256 of the log's public key.
	LogID        string `json:"logID"`
	LogIndex     int64  `json:"logIndex"`
	Verification struct {
		InclusionProof *struct {
			Checkpoint string   `json:"checkpoint"`
			Hashes     []string `json:"hashes"`
			LogIndex   int64    `json:"logIndex"`
			RootHash   string   `json:"rootHash"`
			TreeSize   int64    `json:"treeSize"`
		} `json:"inclusionProof"`
		SignedEntryTimestamp []byte `json:"signedEntryTimestamp"`
	} `json:"verification"`
}

// intotoBody is the part of an intoto v0.0.2 entry body that names the
// envelope. In it, publicKey is base64 of the PEM certificate and sig is
// base64 of the envelope's own base64 signature.
type intotoBody struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Spec       struct {
		Content struct {
			Envelope struct {
				PayloadType string `json:"payloadType"`
				Signatures  []struct {
					Sig       []byte `json:"sig"`
					PublicKey []byte `json:"publicKey"`
				} `json:"signatures"`
			} `json:"envelope"`
			PayloadHash struct {
				Algorithm string `json:"algorithm"`
				Value     string `json:"value"`
			} `json:"payloadHash"`
		} `json:"content"`
	} `json:"spec"`
}

// matches checks that the entry logs this envelope: an intoto v0.0.2
// entry with the payload's sha256, the payload type, and this signature
// made with this certificate. The entry's hash of the whole envelope is
// not compared: it is of the bytes the client uploaded, which need not be
// the line's bytes, and the signature and payload already pin the line.
func (l *Legacy) matches(e LogEntry) error {
	var b intotoBody
	if err := json.Unmarshal(e.Body, &b); err != nil {
		return fmt.Errorf("the entry body is not JSON: %w", err)
	}
	if b.Kind != "intoto" || b.APIVersion != "0.0.2" {
		return fmt.Errorf("the entry is %s v%s, not intoto v0.0.2", b.Kind, b.APIVersion)
	}
	c := b.Spec.Content
	sum := sha256.Sum256(l.payload)
	if c.PayloadHash.Algorithm != "sha256" || c.PayloadHash.Value != hex.EncodeToString(sum[:]) {
		return fmt.Errorf("the entry is for another payload (%s:%s)", c.PayloadHash.Algorithm, c.PayloadHash.Value)
	}
	if c.Envelope.PayloadType != l.payloadType {
		return fmt.Errorf("the entry's payload type is %q", c.Envelope.PayloadType)
	}
	for _, s := range c.Envelope.Signatures {
		block, _ := pem.Decode(s.PublicKey)
		if string(s.Sig) != l.sig || block == nil {
			continue
		}
		if cert, err := x509.ParseCertificate(block.Bytes); err == nil && bytes.Equal(cert.Raw, l.cert.Raw) {
			return nil
		}
	}
	return errors.New("the entry holds another signature or certificate")
}

// Bundle checks that e is the log entry of this envelope and returns a
// Sigstore bundle of both, for Verify: version 0.2 with the inclusion
// proof and the SET, or 0.1 with the SET alone when the entry has no
// proof. Verify then checks the SET and the proof against the trusted
// root's logs, and the certificate as for any bundle.
func (l *Legacy) Bundle(e LogEntry) ([]byte, error) {
	if err := l.matches(e); err != nil {
		return nil, err
	}
	logID, err := hex.DecodeString(e.LogID)
	if err != nil {
		return nil, fmt.Errorf("the entry's log ID %q is not hex", e.LogID)
	}
	tle := &rekorpb.TransparencyLogEntry{
		LogIndex: e.LogIndex, LogId: &protocommon.LogId{KeyId: logID},
		KindVersion:       &rekorpb.KindVersion{Kind: "intoto", Version: "0.0.2"},
		IntegratedTime:    e.IntegratedTime,
		CanonicalizedBody: e.Body,
	}
	if len(e.Verification.SignedEntryTimestamp) > 0 {
		tle.InclusionPromise = &rekorpb.InclusionPromise{SignedEntryTimestamp: e.Verification.SignedEntryTimestamp}
	}
	mediaType := "application/vnd.dev.sigstore.bundle+json;version=0.1"
	if p := e.Verification.InclusionProof; p != nil {
		if tle.InclusionProof, err = inclusionProof(p.LogIndex, p.TreeSize, p.RootHash, p.Hashes, p.Checkpoint); err != nil {
			return nil, err
		}
		mediaType = "application/vnd.dev.sigstore.bundle+json;version=0.2"
	}
	sig, err := base64.StdEncoding.DecodeString(l.sig)
	if err != nil {
		return nil, err // ParseLegacy decoded it already
	}
	pb := &protobundle.Bundle{
		MediaType: mediaType,
		VerificationMaterial: &protobundle.VerificationMaterial{
			Content: &protobundle.VerificationMaterial_X509CertificateChain{X509CertificateChain: &protocommon.X509CertificateChain{
				Certificates: []*protocommon.X509Certificate{{RawBytes: l.cert.Raw}},
			}},
			TlogEntries: []*rekorpb.TransparencyLogEntry{tle},
		},
		Content: &protobundle.Bundle_DsseEnvelope{DsseEnvelope: &protodsse.Envelope{
			Payload: l.payload, PayloadType: l.payloadType, Signatures: []*protodsse.Signature{{Sig: sig, Keyid: l.keyID}},
		}},
	}
	return protojson.Marshal(pb)
}

func inclusionProof(index, size int64, rootHex string, hashesHex []string, checkpoint string) (*rekorpb.InclusionProof, error) {
	root, err := hex.DecodeString(rootHex)
	if err != nil {
		return nil, fmt.Errorf("the entry's root hash is not hex")
	}
	p := &rekorpb.InclusionProof{LogIndex: index, TreeSize: size, RootHash: root, Checkpoint: &rekorpb.Checkpoint{Envelope: checkpoint}}
	for _, h := range hashesHex {
		b, err := hex.DecodeString(h)
		if err != nil {
			return nil, fmt.Errorf("the entry's inclusion proof holds a hash that is not hex")
		}
		p.Hashes = append(p.Hashes, b)
	}
	return p, nil
}
