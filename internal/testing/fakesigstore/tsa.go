package fakesigstore

import (
	"crypto"
	"encoding/asn1"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/digitorus/timestamp"
)

// tsaPolicy is the policy OID of every timestamp, timestamp-authority's
// default.
var tsaPolicy = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 57264, 2}

// timestamp-authority's client-facing error messages.
const (
	msgTimestampFailed = "Error generating timestamp response"
	msgWeakHash        = "Weak hash algorithm in timestamp request"
	msgDigestLength    = "Message digest has incorrect length for specified algorithm"
	msgPolicy          = "unaccepted policy: requested TSA policy is not supported by the TSA"
	msgExtension       = "unaccepted extension: requested extensions are not supported by the TSA"
)

// serveTimestamp answers POST /api/v1/timestamp with a DER timestamp
// response (application/timestamp-reply), status 200, as
// timestamp-authority does by default. The leaf certificate is included
// when the request asks for certificates; the rest of the chain never is.
// The JSON request form is not supported.
func (s *Sigstore) serveTimestamp(w http.ResponseWriter, r *http.Request) {
	if !allowPost(w, r) {
		return
	}
	// timestamp-authority reads the media type as whatever follows the one
	// "application/" in the header, and knows json and timestamp-query.
	ct := r.Header.Get("Content-Type")
	if strings.Count(ct, "application/") != 1 {
		writeTSAError(w, http.StatusUnsupportedMediaType, msgTimestampFailed)
		return
	}
	if _, sub, _ := strings.Cut(ct, "application/"); sub != "timestamp-query" {
		writeTSAError(w, http.StatusBadRequest, msgTimestampFailed) // JSON requests are not supported
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		writeTSAError(w, http.StatusBadRequest, msgTimestampFailed)
		return
	}
	req, msg := parseTimestampRequest(body)
	if msg != "" {
		writeTSAError(w, http.StatusBadRequest, msg)
		return
	}
	ts := timestamp.Timestamp{
		HashAlgorithm:     req.HashAlgorithm,
		HashedMessage:     req.HashedMessage,
		Time:              s.clock().UTC(),
		Accuracy:          time.Second,
		Nonce:             req.Nonce,
		Policy:            tsaPolicy,
		AddTSACertificate: req.Certificates,
	}
	resp, err := ts.CreateResponseWithOpts(s.tsa.sub, s.tsa.key, crypto.SHA256)
	if err != nil {
		writeTSAError(w, http.StatusInternalServerError, msgTimestampFailed)
		return
	}
	w.Header().Set("Content-Type", "application/timestamp-reply")
	_, _ = w.Write(resp) // the client may have gone; nothing to do
}

// parseTimestampRequest parses a DER TimeStampReq and applies
// timestamp-authority's checks. It returns the error message to answer
// with, or "".
func parseTimestampRequest(der []byte) (*timestamp.Request, string) {
	req, err := timestamp.ParseRequest(der)
	if err != nil {
		return nil, msgTimestampFailed
	}
	switch req.HashAlgorithm {
	case crypto.SHA256, crypto.SHA384, crypto.SHA512:
	case crypto.SHA1:
		return nil, msgWeakHash
	default:
		return nil, msgTimestampFailed
	}
	if len(req.HashedMessage) != req.HashAlgorithm.Size() {
		return nil, msgDigestLength
	}
	if len(req.TSAPolicyOID) > 0 && !req.TSAPolicyOID.Equal(tsaPolicy) {
		return nil, msgPolicy
	}
	if len(req.Extensions) > 0 {
		return nil, msgExtension
	}
	return req, ""
}

// writeTSAError answers status with timestamp-authority's error body,
// {"code":<status>,"message":…}.
func writeTSAError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	}{status, msg})
}
