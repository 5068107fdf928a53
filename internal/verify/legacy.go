package verify

import (
	"encoding/json"
	"strings"
)

// legacyEnvelope reports whether b is a bare DSSE envelope whose signature
// carries its certificate, the line format of the .intoto.jsonl files
// slsa-github-generator wrote before v2.1.0. Such a line holds no
// transparency log entry: the entry must be found in Rekor.
func legacyEnvelope(b []byte) bool {
	var env struct {
		PayloadType string `json:"payloadType"`
		Payload     string `json:"payload"`
		Signatures  []struct {
			Cert string `json:"cert"`
		} `json:"signatures"`
	}
	if json.Unmarshal(b, &env) != nil || env.PayloadType == "" || env.Payload == "" || len(env.Signatures) == 0 {
		return false
	}
	return strings.Contains(env.Signatures[0].Cert, "BEGIN CERTIFICATE")
}
