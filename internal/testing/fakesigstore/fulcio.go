package fakesigstore

import (
	"bytes"
	"crypto"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"strings"

	"github.com/sigstore/sigstore/pkg/cryptoutils"
	"github.com/sigstore/sigstore/pkg/signature"
)

// Fulcio's client-facing error messages.
const (
	msgInvalidToken     = "There was an error processing the identity token"
	msgInvalidPublicKey = "The public key supplied in the request could not be parsed"
	msgInvalidSignature = "The signature supplied in the request could not be verified"
)

// certRequest is the JSON form of Fulcio's CreateSigningCertificateRequest
// with a public key; see fulcio.proto. The certificateSigningRequest
// alternative is not supported.
type certRequest struct {
	Credentials struct {
		OIDCIdentityToken string `json:"oidcIdentityToken"`
	} `json:"credentials"`
	PublicKeyRequest struct {
		PublicKey struct {
			Algorithm string `json:"algorithm"`
			Content   string `json:"content"`
		} `json:"publicKey"`
		ProofOfPossession []byte `json:"proofOfPossession"`
	} `json:"publicKeyRequest"`
}

// certResponse is Fulcio's SigningCertificate as it answers without a CT
// log: the chain leaf first, root last, and no SCT.
type certResponse struct {
	Detached struct {
		Chain struct {
			Certificates []string `json:"certificates"`
		} `json:"chain"`
		SCT string `json:"signedCertificateTimestamp"`
	} `json:"signedCertificateDetachedSct"`
}

// serveSigningCert answers POST /api/v2/signingCert. The token comes from
// credentials.oidcIdentityToken or, failing that, the Authorization
// header, as in Fulcio. Every client error is a 400, as in Fulcio v1.8.8.
func (s *Sigstore) serveSigningCert(w http.ResponseWriter, r *http.Request) {
	if !allowPost(w, r) {
		return
	}
	var req certRequest
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody)).Decode(&req); err != nil {
		writeFulcioError(w, http.StatusBadRequest, err.Error())
		return
	}
	token := req.Credentials.OIDCIdentityToken
	if token == "" {
		token = strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	}
	claims, err := s.parseToken(token)
	if err != nil {
		writeFulcioError(w, http.StatusBadRequest, msgInvalidToken)
		return
	}
	pub, err := cryptoutils.UnmarshalPEMToPublicKey([]byte(req.PublicKeyRequest.PublicKey.Content))
	if err != nil {
		writeFulcioError(w, http.StatusBadRequest, msgInvalidPublicKey)
		return
	}
	if err := checkPossession(pub, req.PublicKeyRequest.ProofOfPossession, claims["sub"]); err != nil {
		writeFulcioError(w, http.StatusBadRequest, msgInvalidSignature)
		return
	}
	leaf, err := s.issueLeaf(pub, claims)
	if err != nil {
		writeFulcioError(w, http.StatusInternalServerError, "error communicating with CA backend")
		return
	}
	var resp certResponse
	for _, c := range [][]byte{leaf.Raw, s.fulcio.sub.Raw, s.fulcio.root.Raw} {
		block := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c})
		resp.Detached.Chain.Certificates = append(resp.Detached.Chain.Certificates, string(block))
	}
	writeJSON(w, http.StatusOK, resp)
}

// checkPossession verifies sig over the token's subject with pub, using the
// algorithm Fulcio picks for the key type: ECDSA with the curve's hash,
// RSA PKCS #1 v1.5 with SHA-256, or Ed25519.
func checkPossession(pub crypto.PublicKey, sig []byte, subject string) error {
	v, err := signature.LoadDefaultVerifier(pub)
	if err != nil {
		return err
	}
	return v.VerifySignature(bytes.NewReader(sig), strings.NewReader(subject))
}

// writeFulcioError answers status with the body grpc-gateway writes for a
// gRPC status: {"code":<gRPC code>,"message":…,"details":[]}.
func writeFulcioError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, struct {
		Code    int      `json:"code"`
		Message string   `json:"message"`
		Details []string `json:"details"`
	}{grpcCode(status), msg, []string{}})
}

// grpcCode maps an HTTP status back to the gRPC code grpc-gateway would
// have turned into it.
func grpcCode(status int) int {
	codes := map[int]int{
		http.StatusBadRequest:          3,  // InvalidArgument
		http.StatusUnauthorized:        16, // Unauthenticated
		http.StatusForbidden:           7,  // PermissionDenied
		http.StatusNotFound:            5,  // NotFound
		http.StatusConflict:            6,  // AlreadyExists
		http.StatusTooManyRequests:     8,  // ResourceExhausted
		http.StatusInternalServerError: 13, // Internal
		http.StatusNotImplemented:      12, // Unimplemented
		http.StatusServiceUnavailable:  14, // Unavailable
		http.StatusGatewayTimeout:      4,  // DeadlineExceeded
	}
	if c, ok := codes[status]; ok {
		return c
	}
	return 2 // Unknown
}
