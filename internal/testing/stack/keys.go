package stack

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
)

// writeECKey makes a P-256 key for TesseraCT, which wants SEC1 PEM ("EC
// PRIVATE KEY"), and writes it to keyPath. It returns the public key as
// PKIX DER.
func writeECKey(keyPath string) ([]byte, error) {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generating the CT key: %w", err)
	}
	der, err := x509.MarshalECPrivateKey(k)
	if err != nil {
		return nil, fmt.Errorf("encoding the CT key: %w", err)
	}
	if err := writePEM(keyPath, "EC PRIVATE KEY", der); err != nil {
		return nil, err
	}
	return x509.MarshalPKIXPublicKey(&k.PublicKey)
}

// writeEd25519Key makes rekor-tiles' signing key as PKCS #8 PEM and returns
// the public key as PKIX DER and as its 32 raw bytes.
func writeEd25519Key(keyPath string) (spki, raw []byte, err error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("generating the Rekor v2 key: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, nil, fmt.Errorf("encoding the Rekor v2 key: %w", err)
	}
	if err := writePEM(keyPath, "PRIVATE KEY", der); err != nil {
		return nil, nil, err
	}
	spki, err = x509.MarshalPKIXPublicKey(pub)
	return spki, pub, err
}

// writePEM writes one PEM block to path with mode 0600.
func writePEM(path, typ string, der []byte) error {
	b := pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
	if err := os.WriteFile(path, b, 0o600); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

// pemBlocks returns the DER bytes of every block of type typ, in order.
func pemBlocks(b []byte, typ string) ([][]byte, error) {
	var out [][]byte
	for {
		var block *pem.Block
		block, b = pem.Decode(b)
		if block == nil {
			break
		}
		if block.Type == typ {
			out = append(out, block.Bytes)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no %s PEM block", typ)
	}
	return out, nil
}

// pemOne returns the DER bytes of the single block of type typ.
func pemOne(b []byte, typ string) ([]byte, error) {
	blocks, err := pemBlocks(b, typ)
	if err != nil {
		return nil, err
	}
	if len(blocks) != 1 {
		return nil, errors.New("want one " + typ + " PEM block, found several")
	}
	return blocks[0], nil
}
