package stack

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// The JSON shapes below follow the trusted root and signing config
// messages of sigstore/protobuf-specs (dev.sigstore.trustroot.v1), field
// for field, in their JSON names:
// https://github.com/sigstore/protobuf-specs/blob/main/protos/sigstore_trustroot.proto

const (
	trustedRootMediaType   = "application/vnd.dev.sigstore.trustedroot+json;version=0.1"
	signingConfigMediaType = "application/vnd.dev.sigstore.signingconfig.v0.2+json"
)

type trustedRoot struct {
	MediaType              string                 `json:"mediaType"`
	Tlogs                  []transparencyLog      `json:"tlogs"`
	CertificateAuthorities []certificateAuthority `json:"certificateAuthorities"`
	Ctlogs                 []transparencyLog      `json:"ctlogs"`
	TimestampAuthorities   []certificateAuthority `json:"timestampAuthorities"`
}

type transparencyLog struct {
	BaseURL       string    `json:"baseUrl"`
	HashAlgorithm string    `json:"hashAlgorithm"`
	PublicKey     publicKey `json:"publicKey"`
	LogID         logID     `json:"logId"`
}

type publicKey struct {
	RawBytes   []byte   `json:"rawBytes"`
	KeyDetails string   `json:"keyDetails"`
	ValidFor   validFor `json:"validFor"`
}

type validFor struct {
	Start string `json:"start"`
}

type logID struct {
	KeyID []byte `json:"keyId"`
}

type certificateAuthority struct {
	Subject   subject   `json:"subject"`
	URI       string    `json:"uri"`
	CertChain certChain `json:"certChain"`
	ValidFor  validFor  `json:"validFor"`
}

type subject struct {
	Organization string `json:"organization"`
	CommonName   string `json:"commonName"`
}

type certChain struct {
	Certificates []rawCert `json:"certificates"`
}

type rawCert struct {
	RawBytes []byte `json:"rawBytes"`
}

// trustInputs is what the running services told us: their keys and
// certificates, each as DER.
type trustInputs struct {
	rekorV1SPKI, rekorV2SPKI, rekorV2Raw, ctSPKI []byte // nil for a log that does not run
	fulcioRoot                                   []byte
	tsaChain                                     [][]byte // leaf first, as served; nil without a TSA
	validFrom                                    time.Time
}

// buildTrustedRoot describes every running log, CA, CT log and TSA.
func buildTrustedRoot(in trustInputs) trustedRoot {
	start := validFor{Start: in.validFrom.UTC().Format(time.RFC3339)}
	r := trustedRoot{MediaType: trustedRootMediaType, Tlogs: []transparencyLog{}, Ctlogs: []transparencyLog{},
		TimestampAuthorities: []certificateAuthority{}}
	if in.rekorV1SPKI != nil {
		r.Tlogs = append(r.Tlogs, tlog(rekorV1URL, "PKIX_ECDSA_P256_SHA_256", in.rekorV1SPKI, sha256Sum(in.rekorV1SPKI), start))
	}
	if in.rekorV2SPKI != nil {
		// A v2 log id is the signed-note key id of its checkpoints:
		// sha256(origin "\n" 0x01 raw-key), where the origin is the host.
		id := sha256Sum(append([]byte(host+"\n\x01"), in.rekorV2Raw...))
		r.Tlogs = append(r.Tlogs, tlog(rekorV2URL, "PKIX_ED25519", in.rekorV2SPKI, id, start))
	}
	if in.ctSPKI != nil {
		r.Ctlogs = append(r.Ctlogs, tlog(ctURL, "PKIX_ECDSA_P256_SHA_256", in.ctSPKI, sha256Sum(in.ctSPKI), start))
	}
	// Fulcio's ephemeral CA has no intermediate: the chain is the root alone.
	r.CertificateAuthorities = []certificateAuthority{{Subject: subject{"sigstore", "sigstore"}, URI: fulcioURL,
		CertChain: chain([][]byte{in.fulcioRoot}), ValidFor: start}}
	if in.tsaChain != nil {
		r.TimestampAuthorities = append(r.TimestampAuthorities, certificateAuthority{Subject: subject{"local", "tsa"},
			URI: tsaURL, CertChain: chain(in.tsaChain), ValidFor: start})
	}
	return r
}

func tlog(url, details string, spki, id []byte, start validFor) transparencyLog {
	return transparencyLog{BaseURL: url, HashAlgorithm: "SHA2_256",
		PublicKey: publicKey{RawBytes: spki, KeyDetails: details, ValidFor: start}, LogID: logID{KeyID: id}}
}

func chain(ders [][]byte) certChain {
	c := certChain{Certificates: []rawCert{}}
	for _, d := range ders {
		c.Certificates = append(c.Certificates, rawCert{RawBytes: d})
	}
	return c
}

func sha256Sum(b []byte) []byte {
	s := sha256.Sum256(b)
	return s[:]
}

type signingConfig struct {
	MediaType       string     `json:"mediaType"`
	CAURLs          []service  `json:"caUrls"`
	OIDCURLs        []service  `json:"oidcUrls"`
	RekorTlogURLs   []service  `json:"rekorTlogUrls"`
	RekorTlogConfig selectorOf `json:"rekorTlogConfig"`
	TSAURLs         []service  `json:"tsaUrls"`
	TSAConfig       selectorOf `json:"tsaConfig"`
}

type service struct {
	URL             string   `json:"url"`
	MajorAPIVersion int      `json:"majorApiVersion"`
	ValidFor        validFor `json:"validFor"`
	Operator        string   `json:"operator"`
}

type selectorOf struct {
	Selector string `json:"selector"`
}

// buildSigningConfig lists the services to sign with (signing config v0.2).
// Rekor v2 comes before v1 when both run.
func buildSigningConfig(c Config) signingConfig {
	svc := func(url string, v int) service {
		return service{URL: url, MajorAPIVersion: v, ValidFor: validFor{Start: "2020-01-01T00:00:00Z"}, Operator: "local"}
	}
	sc := signingConfig{MediaType: signingConfigMediaType, CAURLs: []service{svc(fulcioURL, 1)}, OIDCURLs: []service{},
		RekorTlogURLs: []service{}, RekorTlogConfig: selectorOf{"ANY"}, TSAURLs: []service{}, TSAConfig: selectorOf{"ANY"}}
	if c.rekorV2() {
		sc.RekorTlogURLs = append(sc.RekorTlogURLs, svc(rekorV2URL, 2))
	}
	if c.rekorV1() {
		sc.RekorTlogURLs = append(sc.RekorTlogURLs, svc(rekorV1URL, 1))
	}
	if c.TSA {
		sc.TSAURLs = append(sc.TSAURLs, svc(tsaURL, 1))
	}
	return sc
}

// writeTrust writes trusted_root.json (indented), trusted_root.jsonl (one
// line, ending in a newline: gh drops a last line without one),
// trusted_root_notlog.jsonl (the same without tlogs: gh's policy for a CA
// that is neither public-good nor GitHub's demands a tlog entry whenever the
// root lists a log, so TSA-only bundles need it) and signing_config.json.
func writeTrust(dir string, r trustedRoot, sc signingConfig) error {
	indented, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	line, err := json.Marshal(r)
	if err != nil {
		return err
	}
	r.Tlogs = []transparencyLog{}
	noTlog, err := json.Marshal(r)
	if err != nil {
		return err
	}
	scJSON, err := json.MarshalIndent(sc, "", "  ")
	if err != nil {
		return err
	}
	files := map[string][]byte{
		"trusted_root.json":         append(indented, '\n'),
		"trusted_root.jsonl":        append(line, '\n'),
		"trusted_root_notlog.jsonl": append(noTlog, '\n'),
		"signing_config.json":       append(scJSON, '\n'),
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			return fmt.Errorf("writing %s: %w", name, err)
		}
	}
	return nil
}
