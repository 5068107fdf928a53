package fakesigstore

import (
	"crypto"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"net/url"
	"time"

	"github.com/sigstore/sigstore/pkg/cryptoutils"
)

// leafLifetime is how long a code-signing certificate lasts, as at Fulcio.
const leafLifetime = 10 * time.Minute

// fulcioOID returns 1.3.6.1.4.1.57264.1.n, an OID under Sigstore's arc.
func fulcioOID(n int) asn1.ObjectIdentifier {
	return asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 57264, 1, n}
}

// extension is one Fulcio extension before encoding.
type extension struct {
	n     int    // the last arc of the OID
	value string // "" leaves the extension out
	raw   bool   // deprecated .1–.6: the bytes of the string, no DER
}

// issueLeaf signs a code-signing certificate for pub carrying the identity
// in claims, as Fulcio's github-workflow issuer type does.
func (s *Sigstore) issueLeaf(pub crypto.PublicKey, claims map[string]string) (*x509.Certificate, error) {
	signer := s.serverURL.JoinPath(claims["job_workflow_ref"])
	exts, err := encodeExtensions(githubExtensions(s.serverURL, claims))
	if err != nil {
		return nil, err
	}
	skid, err := cryptoutils.SKID(pub)
	if err != nil {
		return nil, fmt.Errorf("computing subject key id: %w", err)
	}
	now := s.clock()
	return createCert(&x509.Certificate{
		NotBefore:       now,
		NotAfter:        now.Add(leafLifetime),
		SubjectKeyId:    skid,
		KeyUsage:        x509.KeyUsageDigitalSignature,
		ExtKeyUsage:     []x509.ExtKeyUsage{x509.ExtKeyUsageCodeSigning},
		URIs:            []*url.URL{signer},
		ExtraExtensions: exts,
	}, pub, s.fulcio.sub, s.fulcio.key)
}

// githubExtensions lists the extensions Fulcio v1.8.8 writes for a GitHub
// Actions token, in its order. URIs are built on server.
func githubExtensions(server *url.URL, c map[string]string) []extension {
	at := func(elem ...string) string { return server.JoinPath(elem...).String() }
	return []extension{
		{1, c["iss"], true},
		{2, c["event_name"], true},
		{3, c["sha"], true},
		{4, c["workflow"], true},
		{5, c["repository"], true},
		{6, c["ref"], true},
		{8, c["iss"], false},
		{9, at(c["job_workflow_ref"]), false},
		{10, c["job_workflow_sha"], false},
		{11, c["runner_environment"], false},
		{12, at(c["repository"]), false},
		{13, c["sha"], false},
		{14, c["ref"], false},
		{15, c["repository_id"], false},
		{16, at(c["repository_owner"]), false},
		{17, c["repository_owner_id"], false},
		{18, at(c["workflow_ref"]), false},
		{19, c["workflow_sha"], false},
		{20, c["event_name"], false},
		{21, at(c["repository"], "actions/runs", c["run_id"], "attempts", c["run_attempt"]), false},
		{22, c["repository_visibility"], false},
		{24, c["sub"], false},
	}
}

// encodeExtensions encodes each non-empty extension: raw bytes for the
// deprecated ones, a DER UTF8String for the rest.
func encodeExtensions(list []extension) ([]pkix.Extension, error) {
	var out []pkix.Extension
	for _, e := range list {
		if e.value == "" {
			continue
		}
		val := []byte(e.value)
		if !e.raw {
			var err error
			if val, err = asn1.MarshalWithParams(e.value, "utf8"); err != nil {
				return nil, fmt.Errorf("encoding extension %v: %w", fulcioOID(e.n), err)
			}
		}
		out = append(out, pkix.Extension{Id: fulcioOID(e.n), Value: val})
	}
	return out, nil
}
