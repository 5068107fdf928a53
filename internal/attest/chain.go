package attest

import (
	"bytes"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"

	"github.com/sigstore/sigstore-go/pkg/root"
)

// chainPEM returns the CA chain (intermediates, then root) that issued the
// bundle's leaf certificate, as PEM, from the trusted root. cosign's legacy
// layout carries it in an annotation. It returns nil when no CA matches.
func chainPEM(bundleJSON []byte, inst *instance) []byte {
	var b struct {
		VerificationMaterial struct {
			Certificate struct {
				RawBytes []byte `json:"rawBytes"`
			} `json:"certificate"`
		} `json:"verificationMaterial"`
	}
	if json.Unmarshal(bundleJSON, &b) != nil || inst == nil || inst.TrustedRoot == nil {
		return nil
	}
	leaf, err := x509.ParseCertificate(b.VerificationMaterial.Certificate.RawBytes)
	if err != nil {
		return nil
	}
	for _, ca := range inst.TrustedRoot.FulcioCertificateAuthorities() {
		fca, ok := ca.(*root.FulcioCertificateAuthority)
		if !ok || fca.Root == nil {
			continue
		}
		chain := append(append([]*x509.Certificate{}, fca.Intermediates...), fca.Root)
		if leaf.CheckSignatureFrom(chain[0]) != nil {
			continue
		}
		var out bytes.Buffer
		for _, c := range chain {
			pem.Encode(&out, &pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
		}
		return out.Bytes()
	}
	return nil
}
