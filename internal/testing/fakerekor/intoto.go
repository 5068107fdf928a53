package fakerekor

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

	"github.com/secure-systems-lab/go-securesystemslib/dsse"
	"github.com/sigstore/sigstore/pkg/signature"
)

// Envelope is a DSSE envelope whose signature carries the signing
// certificate in PEM, the line format of slsa-github-generator v1's
// .intoto.jsonl files.
type Envelope struct {
	PayloadType string      `json:"payloadType"`
	Payload     string      `json:"payload"`
	Signatures  []Signature `json:"signatures"`
}

// Signature is one signature of an Envelope.
type Signature struct {
	KeyID string `json:"keyid"`
	Sig   string `json:"sig"`
	Cert  string `json:"cert"`
}

// IntotoBody returns the canonical body of the intoto v0.0.2 entry Rekor
// stores for envelope (its JSON as uploaded), and the index keys Rekor
// files it under: the payload's sha256, the certificate's and the
// subjects' digests. Like Rekor, it refuses an envelope whose signatures
// do not verify with their certificates.
func IntotoBody(envelope []byte) (body []byte, keys []string, err error) {
	var env Envelope
	if err := json.Unmarshal(envelope, &env); err != nil {
		return nil, nil, fmt.Errorf("fakerekor: the envelope: %w", err)
	}
	payload, err := base64.StdEncoding.DecodeString(env.Payload)
	if err != nil || len(env.Signatures) == 0 {
		return nil, nil, errors.New("fakerekor: the envelope has no base64 payload or no signature")
	}
	type sig struct {
		KeyID     string `json:"keyid,omitempty"`
		PublicKey []byte `json:"publicKey"` // base64 of the PEM certificate
		Sig       []byte `json:"sig"`       // base64 of the envelope's (base64) sig
	}
	var sigs []sig
	for _, s := range env.Signatures {
		certPEM, err := verifySignature(env.PayloadType, payload, s)
		if err != nil {
			return nil, nil, err
		}
		sigs = append(sigs, sig{KeyID: s.KeyID, PublicKey: certPEM, Sig: []byte(s.Sig)})
		k := sha256.Sum256(certPEM)
		keys = append(keys, "sha256:"+hex.EncodeToString(k[:]))
	}
	ph, eh := sha256.Sum256(payload), sha256.Sum256(envelope)
	type digest struct {
		Algorithm string `json:"algorithm"`
		Value     string `json:"value"`
	}
	var e struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
		Spec       struct {
			Content struct {
				Envelope struct {
					PayloadType string `json:"payloadType"`
					Signatures  []sig  `json:"signatures"`
				} `json:"envelope"`
				Hash        digest `json:"hash"`
				PayloadHash digest `json:"payloadHash"`
			} `json:"content"`
		} `json:"spec"`
	}
	e.APIVersion, e.Kind = "0.0.2", "intoto"
	c := &e.Spec.Content
	c.Envelope.PayloadType, c.Envelope.Signatures = env.PayloadType, sigs
	c.Hash = digest{"sha256", hex.EncodeToString(eh[:])}
	c.PayloadHash = digest{"sha256", hex.EncodeToString(ph[:])}
	body, err = json.Marshal(e)
	if err != nil {
		return nil, nil, err
	}
	keys = append(keys, "sha256:"+c.PayloadHash.Value)
	return body, append(keys, subjectKeys(payload)...), nil
}

// verifySignature checks one signature with its certificate's key and
// returns the certificate in canonical PEM.
func verifySignature(payloadType string, payload []byte, s Signature) ([]byte, error) {
	block, _ := pem.Decode([]byte(s.Cert))
	if block == nil {
		return nil, errors.New("fakerekor: a signature carries no PEM certificate")
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("fakerekor: the certificate: %w", err)
	}
	raw, err := base64.StdEncoding.DecodeString(s.Sig)
	if err != nil {
		return nil, fmt.Errorf("fakerekor: the signature: %w", err)
	}
	v, err := signature.LoadDefaultVerifier(cert.PublicKey)
	if err != nil {
		return nil, err
	}
	if err := v.VerifySignature(bytes.NewReader(raw), bytes.NewReader(dsse.PAE(payloadType, payload))); err != nil {
		return nil, fmt.Errorf("fakerekor: the envelope's signature does not verify: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw}), nil
}

// subjectKeys are the statement's subject digests, "alg:hex".
func subjectKeys(payload []byte) []string {
	var st struct {
		Subject []struct {
			Digest map[string]string `json:"digest"`
		} `json:"subject"`
	}
	_ = json.Unmarshal(payload, &st) // not a statement: no subject keys
	var out []string
	for _, s := range st.Subject {
		for alg, v := range s.Digest {
			out = append(out, alg+":"+v)
		}
	}
	return out
}

// AddIntoto logs envelope (a slsa-github-generator v1 line) as Rekor does
// on upload: an intoto v0.0.2 entry, indexed under the payload's sha256,
// the certificate's sha256 and the subjects' digests. It returns the UUID.
func (l *Log) AddIntoto(envelope []byte) (string, error) {
	body, keys, err := IntotoBody(envelope)
	if err != nil {
		return "", err
	}
	return l.AddBody(body, keys...)
}
