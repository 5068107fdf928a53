package fakeoidc

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
)

// jwtHeader is the JOSE header of every token. Field order matches
// RFC 7515's examples; verifiers do not care.
type jwtHeader struct {
	Alg string `json:"alg"`
	Typ string `json:"typ"`
	Kid string `json:"kid"`
}

// signJWT returns the compact serialisation of an RS256 JWT (RFC 7519) with
// the given claims.
func signJWT(key *rsa.PrivateKey, kid string, claims map[string]any) (string, error) {
	header, err := json.Marshal(jwtHeader{Alg: "RS256", Typ: "JWT", Kid: kid})
	if err != nil {
		return "", fmt.Errorf("encoding header: %w", err)
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", fmt.Errorf("encoding claims: %w", err)
	}
	signingInput := b64(header) + "." + b64(payload)
	digest := sha256.Sum256([]byte(signingInput))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, digest[:])
	if err != nil {
		return "", fmt.Errorf("signing: %w", err)
	}
	return signingInput + "." + b64(sig), nil
}

// jwk is one entry of a JWKS (RFC 7517) holding an RSA public key.
type jwk struct {
	Kty string `json:"kty"`
	Alg string `json:"alg"`
	Use string `json:"use"`
	Kid string `json:"kid"`
	N   string `json:"n"`
	E   string `json:"e"`
}

// publicJWK returns the JWKS entry for the public half of key.
func publicJWK(key *rsa.PublicKey, kid string) jwk {
	return jwk{
		Kty: "RSA",
		Alg: "RS256",
		Use: "sig",
		Kid: kid,
		N:   b64(key.N.Bytes()),
		E:   b64(big.NewInt(int64(key.E)).Bytes()),
	}
}

// b64 is base64url without padding, as JOSE requires.
func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }
