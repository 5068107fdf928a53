package fakegithub

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// planMessage is GitHub's answer for a private repository whose owner is
// not on GitHub Enterprise Cloud.
const planMessage = "Feature not available for user-owned private repositories. To enable this feature, please make this repository public."

// maxAttestation bounds the request body.
const maxAttestation = 16 << 20

// createAttestation stores {"bundle": {...}} and answers 201 {"id": n}. It
// refuses private repositories without Enterprise Cloud (403), and bodies
// whose bundle is not a JSON object carrying a Sigstore bundle mediaType,
// verificationMaterial and a dsseEnvelope or messageSignature (422). It
// does not verify signatures, which GitHub does.
func (s *Server) createAttestation(w http.ResponseWriter, r *http.Request, p params) {
	b, err := io.ReadAll(io.LimitReader(r.Body, maxAttestation+1))
	if err != nil || len(b) > maxAttestation {
		writeError(w, http.StatusRequestEntityTooLarge, "Payload too large", docs[EndpointCreateAttestation], nil)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	rp := s.repoFor(p)
	if rp == nil {
		notFound(w, EndpointCreateAttestation)
		return
	}
	if rp.Private && !rp.EnterpriseCloud {
		writeError(w, http.StatusForbidden, planMessage, docs[EndpointCreateAttestation], nil)
		return
	}
	bundle, msg := parseAttestationBody(b)
	if msg != "" {
		writeError(w, http.StatusUnprocessableEntity, msg, docs[EndpointCreateAttestation], nil)
		return
	}
	id := s.newID()
	rp.attestations = append(rp.attestations, Attestation{ID: id, Bundle: bundle})
	writeJSON(w, http.StatusCreated, map[string]int64{"id": id})
}

// parseAttestationBody returns the compacted bundle, or the message of
// GitHub's 422 for a body that does not fit the schema.
func parseAttestationBody(b []byte) (json.RawMessage, string) {
	var body map[string]json.RawMessage
	if err := json.Unmarshal(b, &body); err != nil || body == nil {
		return nil, "Invalid request.\n\nInvalid input: the body is not a JSON object."
	}
	raw, ok := body["bundle"]
	if !ok {
		return nil, "Invalid request.\n\n\"bundle\" wasn't supplied."
	}
	var bundle map[string]json.RawMessage
	if err := json.Unmarshal(raw, &bundle); err != nil || bundle == nil {
		return nil, fmt.Sprintf("Invalid request.\n\nFor 'properties/bundle', %s is not an object.", truncate(string(raw), 40))
	}
	var mediaType string
	_ = json.Unmarshal(bundle["mediaType"], &mediaType)
	switch {
	case !strings.HasPrefix(mediaType, "application/vnd.dev.sigstore.bundle"):
		return nil, "Invalid request.\n\nThe bundle's mediaType is not a Sigstore bundle media type."
	case bundle["verificationMaterial"] == nil:
		return nil, "Invalid request.\n\nThe bundle has no verificationMaterial."
	case bundle["dsseEnvelope"] == nil && bundle["messageSignature"] == nil:
		return nil, "Invalid request.\n\nThe bundle has neither a dsseEnvelope nor a messageSignature."
	}
	var c bytes.Buffer
	_ = json.Compact(&c, raw) // raw parsed above, so it is valid JSON.
	return c.Bytes(), ""
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
