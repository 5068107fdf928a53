package intoto

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
)

// Bundle is what provenant reads from a Sigstore bundle without verifying
// it: the DSSE envelope, the signing certificate and the log entries.
type Bundle struct {
	MediaType string
	// Envelope is the DSSE envelope; nil for a message-signature bundle.
	Envelope *Envelope
	// Certificate is the leaf certificate (DER), or nil for a keyed bundle.
	Certificate []byte
	// Chain holds the rest of an x509CertificateChain (older bundles).
	Chain [][]byte
	// LogEntries are the transparency log entries, in bundle order.
	LogEntries []LogEntry
	// Timestamps are the RFC 3161 signed timestamps (DER).
	Timestamps [][]byte
}

// Envelope is a DSSE envelope.
type Envelope struct {
	PayloadType string
	Payload     []byte
	Signatures  []Signature
}

// Signature is one DSSE signature.
type Signature struct {
	KeyID string
	Sig   []byte
}

// LogEntry is one transparency log entry of a bundle.
type LogEntry struct {
	LogIndex int64
	// LogID is the log's key ID (raw bytes).
	LogID []byte
	// KindVersion is e.g. "dsse"/"0.0.2".
	Kind, KindVersion string
	IntegratedTime    int64
	// SignedEntryTimestamp is Rekor v1's inclusion promise, or nil.
	SignedEntryTimestamp []byte
	// CanonicalizedBody is the entry body as the log stores it.
	CanonicalizedBody []byte
}

// bundleJSON is the protojson form of the bundle, as far as it is read.
type bundleJSON struct {
	MediaType            string `json:"mediaType"`
	VerificationMaterial struct {
		Certificate *struct {
			RawBytes []byte `json:"rawBytes"`
		} `json:"certificate"`
		X509CertificateChain *struct {
			Certificates []struct {
				RawBytes []byte `json:"rawBytes"`
			} `json:"certificates"`
		} `json:"x509CertificateChain"`
		TlogEntries []struct {
			LogIndex string `json:"logIndex"`
			LogID    struct {
				KeyID []byte `json:"keyId"`
			} `json:"logId"`
			KindVersion struct {
				Kind    string `json:"kind"`
				Version string `json:"version"`
			} `json:"kindVersion"`
			IntegratedTime   string `json:"integratedTime"`
			InclusionPromise *struct {
				SignedEntryTimestamp []byte `json:"signedEntryTimestamp"`
			} `json:"inclusionPromise"`
			CanonicalizedBody []byte `json:"canonicalizedBody"`
		} `json:"tlogEntries"`
		TimestampVerificationData *struct {
			RFC3161Timestamps []struct {
				SignedTimestamp []byte `json:"signedTimestamp"`
			} `json:"rfc3161Timestamps"`
		} `json:"timestampVerificationData"`
	} `json:"verificationMaterial"`
	DSSEEnvelope *struct {
		Payload     []byte `json:"payload"`
		PayloadType string `json:"payloadType"`
		Signatures  []struct {
			Sig   []byte `json:"sig"`
			KeyID string `json:"keyid"`
		} `json:"signatures"`
	} `json:"dsseEnvelope"`
}

// ErrNotBundle means the JSON is not a Sigstore bundle.
var ErrNotBundle = errors.New("not a Sigstore bundle")

// ParseBundle reads a Sigstore bundle (v0.1 to v0.3) in its JSON form. It
// verifies nothing: use it to index, route and describe bundles.
func ParseBundle(b []byte) (*Bundle, error) {
	var j bundleJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return nil, fmt.Errorf("%w: %s", ErrNotBundle, jsonProblem(err))
	}
	if j.MediaType == "" {
		return nil, fmt.Errorf("%w: it has no mediaType", ErrNotBundle)
	}
	out := &Bundle{MediaType: j.MediaType}
	vm := j.VerificationMaterial
	if vm.Certificate != nil {
		out.Certificate = vm.Certificate.RawBytes
	} else if vm.X509CertificateChain != nil && len(vm.X509CertificateChain.Certificates) > 0 {
		out.Certificate = vm.X509CertificateChain.Certificates[0].RawBytes
		for _, c := range vm.X509CertificateChain.Certificates[1:] {
			out.Chain = append(out.Chain, c.RawBytes)
		}
	}
	for i, e := range vm.TlogEntries {
		le := LogEntry{LogID: e.LogID.KeyID, Kind: e.KindVersion.Kind, KindVersion: e.KindVersion.Version, CanonicalizedBody: e.CanonicalizedBody}
		var err error
		if le.LogIndex, err = int64Field(e.LogIndex); err != nil {
			return nil, fmt.Errorf("%w: tlogEntries[%d].logIndex: %v", ErrNotBundle, i, err)
		}
		if le.IntegratedTime, err = int64Field(e.IntegratedTime); err != nil {
			return nil, fmt.Errorf("%w: tlogEntries[%d].integratedTime: %v", ErrNotBundle, i, err)
		}
		if e.InclusionPromise != nil {
			le.SignedEntryTimestamp = e.InclusionPromise.SignedEntryTimestamp
		}
		out.LogEntries = append(out.LogEntries, le)
	}
	if tv := vm.TimestampVerificationData; tv != nil {
		for _, t := range tv.RFC3161Timestamps {
			out.Timestamps = append(out.Timestamps, t.SignedTimestamp)
		}
	}
	if d := j.DSSEEnvelope; d != nil {
		env := &Envelope{PayloadType: d.PayloadType, Payload: d.Payload}
		for _, s := range d.Signatures {
			env.Signatures = append(env.Signatures, Signature{KeyID: s.KeyID, Sig: s.Sig})
		}
		out.Envelope = env
	}
	return out, nil
}

// Statement parses the in-toto statement the bundle's envelope carries.
func (b *Bundle) Statement() (*Statement, error) {
	if b.Envelope == nil {
		return nil, errors.New("the bundle holds no DSSE envelope, so no in-toto statement")
	}
	if b.Envelope.PayloadType != PayloadType {
		return nil, fmt.Errorf("the DSSE payload type is %q, want %s", b.Envelope.PayloadType, PayloadType)
	}
	return ParseStatement(b.Envelope.Payload)
}

// FirstLogIndex returns the index of the first log entry, or -1.
func (b *Bundle) FirstLogIndex() int64 {
	if len(b.LogEntries) == 0 {
		return -1
	}
	return b.LogEntries[0].LogIndex
}

// int64Field reads protojson's string form of an int64; absent means 0.
func int64Field(s string) (int64, error) {
	if s == "" {
		return 0, nil
	}
	return strconv.ParseInt(s, 10, 64)
}
