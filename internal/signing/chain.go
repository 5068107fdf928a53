package signing

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"

	"github.com/sigstore/sigstore-go/pkg/root"

	"github.com/provenant/provenant/internal/intoto"
)

// ChainPEM returns the CA chain (intermediates, then root) that issued the
// bundle's leaf certificate, as PEM, from the instance's trusted root.
// cosign's legacy layout carries it in an annotation. It returns nil when no
// CA matches.
func (i *Instance) ChainPEM(bundleJSON []byte) []byte {
	b, err := intoto.ParseBundle(bundleJSON)
	if err != nil || i == nil || i.TrustedRoot == nil {
		return nil
	}
	leaf, err := x509.ParseCertificate(b.Certificate)
	if err != nil {
		return nil
	}
	for _, ca := range i.TrustedRoot.FulcioCertificateAuthorities() {
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
