package signing

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"slices"
	"strings"

	"github.com/sigstore/sigstore-go/pkg/root"
)

// readTrustedRoot reads a trusted root file for the instance that signs
// with sc. The file may hold one root or, as `gh attestation trusted-root`
// prints, JSON Lines of several; then the one root that names one of sc's
// certificate authorities is used, or failing that the one that names one
// of its timestamp authorities, compared by host (and port). Names are
// enough to choose: every bundle is then verified against the chosen root
// before it is accepted, so a wrong choice can only refuse a bundle, never
// accept one.
func readTrustedRoot(path string, sc *root.SigningConfig) (*root.TrustedRoot, error) {
	roots, err := readTrustedRoots(path)
	if err != nil {
		return nil, err
	}
	if len(roots) == 1 {
		return roots[0], nil
	}
	var caHosts, tsaHosts []string
	for _, s := range sc.FulcioCertificateAuthorityURLs() {
		caHosts = append(caHosts, hostOf(s.URL))
	}
	for _, s := range sc.TimestampAuthorityURLs() {
		tsaHosts = append(tsaHosts, hostOf(s.URL))
	}
	byCA, byTSA := matching(roots, caHosts, caURIs), matching(roots, tsaHosts, tsaURIs)
	switch {
	case len(byCA) == 1:
		return byCA[0], nil
	case len(byCA) == 0 && len(byTSA) == 1:
		return byTSA[0], nil
	}
	return nil, fmt.Errorf("the trusted root file %s holds %d roots, and not exactly one names the certificate authority %s "+
		"or the timestamp authority %s of the instance that signs: give that instance's root alone",
		path, len(roots), strings.Join(caHosts, ", "), strings.Join(tsaHosts, ", "))
}

// matching returns the roots with a URI (as uris lists them) on one of hosts.
func matching(roots []*root.TrustedRoot, hosts []string, uris func(*root.TrustedRoot) []string) []*root.TrustedRoot {
	var out []*root.TrustedRoot
	for _, r := range roots {
		for _, u := range uris(r) {
			if h := hostOf(u); h != "" && slices.Contains(hosts, h) {
				out = append(out, r)
				break
			}
		}
	}
	return out
}

func caURIs(tr *root.TrustedRoot) []string {
	var out []string
	for _, ca := range tr.FulcioCertificateAuthorities() {
		if f, ok := ca.(*root.FulcioCertificateAuthority); ok {
			out = append(out, f.URI)
		}
	}
	return out
}

func tsaURIs(tr *root.TrustedRoot) []string {
	var out []string
	for _, ta := range tr.TimestampingAuthorities() {
		if s, ok := ta.(*root.SigstoreTimestampingAuthority); ok {
			out = append(out, s.URI)
		}
	}
	return out
}

// hostOf returns the lower-case host[:port] of a URL, which trusted roots
// sometimes give without a scheme, or "".
func hostOf(s string) string {
	if s == "" {
		return ""
	}
	if !strings.Contains(s, "://") {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil {
		return ""
	}
	return strings.ToLower(u.Host)
}

// maxTrustedRoot bounds the trusted root file read.
const maxTrustedRoot = 16 << 20

// readTrustedRoots reads a trusted root JSON file, or JSON Lines of
// several, the formats verify reads too.
func readTrustedRoots(path string) ([]*root.TrustedRoot, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading the trusted root: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxTrustedRoot))
	if err != nil {
		return nil, fmt.Errorf("reading the trusted root %s: %w", path, err)
	}
	lines := [][]byte{bytes.TrimSpace(b)}
	if !json.Valid(lines[0]) {
		lines = bytes.Split(b, []byte("\n"))
	}
	var out []*root.TrustedRoot
	for i, l := range lines {
		if l = bytes.TrimSpace(l); len(l) == 0 {
			continue
		}
		tr, err := root.NewTrustedRootFromJSON(l)
		if err != nil {
			return nil, fmt.Errorf("reading the trusted root %s, line %d: %w", path, i+1, err)
		}
		out = append(out, tr)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("the trusted root %s is empty", path)
	}
	return out, nil
}
