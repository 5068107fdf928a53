package fakerekor

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"

	"github.com/sigstore/sigstore-go/pkg/root"
)

// WithLogs returns tr with the transparency logs added to its tlogs, for
// a trusted root naming a fake log next to fakesigstore's authorities.
func WithLogs(tr *root.TrustedRoot, logs ...*root.TransparencyLog) (*root.TrustedRoot, error) {
	tlogs := map[string]*root.TransparencyLog{}
	for k, v := range tr.RekorLogs() {
		tlogs[k] = v
	}
	for _, l := range logs {
		tlogs[hex.EncodeToString(l.ID)] = l
	}
	return root.NewTrustedRoot(root.TrustedRootMediaType01, tr.FulcioCertificateAuthorities(), tr.CTLogs(),
		tr.TimestampingAuthorities(), tlogs)
}

// EnvelopeFromBundle turns a Sigstore bundle (as fakesigstore's Attest
// returns) into the line slsa-github-generator v1 wrote: its DSSE envelope
// with the signing certificate, in PEM, in the signature's cert field,
// and nothing else: no timestamp, no log entry.
func EnvelopeFromBundle(bundleJSON []byte) ([]byte, error) {
	var b struct {
		VerificationMaterial struct {
			Certificate struct {
				RawBytes string `json:"rawBytes"`
			} `json:"certificate"`
		} `json:"verificationMaterial"`
		DSSEEnvelope struct {
			PayloadType string `json:"payloadType"`
			Payload     string `json:"payload"`
			Signatures  []struct {
				Sig   string `json:"sig"`
				KeyID string `json:"keyid"`
			} `json:"signatures"`
		} `json:"dsseEnvelope"`
	}
	if err := json.Unmarshal(bundleJSON, &b); err != nil {
		return nil, fmt.Errorf("fakerekor: the bundle: %w", err)
	}
	der, err := base64.StdEncoding.DecodeString(b.VerificationMaterial.Certificate.RawBytes)
	if err != nil || len(der) == 0 || len(b.DSSEEnvelope.Signatures) != 1 {
		return nil, errors.New("fakerekor: want a v0.3 bundle with a certificate and one DSSE signature")
	}
	env := Envelope{PayloadType: b.DSSEEnvelope.PayloadType, Payload: b.DSSEEnvelope.Payload, Signatures: []Signature{{
		KeyID: b.DSSEEnvelope.Signatures[0].KeyID, Sig: b.DSSEEnvelope.Signatures[0].Sig,
		Cert: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
	}}}
	return json.Marshal(env)
}
