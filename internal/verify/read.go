package verify

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"unicode"

	"github.com/sigstore/sigstore-go/pkg/root"

	"github.com/provenant/provenant/internal/input"
)

// Limits on what is read, so that a hostile file cannot exhaust memory.
const (
	// MaxFile is the largest attestation or trusted root file read.
	MaxFile = 64 << 20
)

// Candidate is one bundle to verify and where it came from.
type Candidate struct {
	JSON  []byte
	Where string
}

// ReadBundles reads a .sigstore.json file (one bundle, any layout), a
// .intoto.jsonl file (one bundle per line), or the attestations document
// of an npm registry (one bundle per attestation). Malformed lines are
// errors that name the file and line.
func ReadBundles(path string) ([]Candidate, error) {
	b, err := readLimited(path)
	if err != nil {
		return nil, err
	}
	trimmed := bytes.TrimSpace(b)
	if len(trimmed) == 0 {
		return nil, fmt.Errorf("%s is empty: it holds no attestation", path)
	}
	if json.Valid(trimmed) {
		if trimmed[0] != '{' {
			return nil, fmt.Errorf("%s: a bundle must be a JSON object", path)
		}
		if cs, ok, err := npmDocument(path, trimmed); ok {
			return cs, err
		}
		return []Candidate{{JSON: trimmed, Where: path}}, nil
	}
	var out []Candidate
	for i, line := range bytes.Split(b, []byte("\n")) {
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		if !json.Valid(line) || line[0] != '{' {
			return nil, fmt.Errorf("%s line %d: not a JSON object; a .intoto.jsonl file holds one Sigstore bundle per line", path, i+1)
		}
		out = append(out, Candidate{JSON: line, Where: fmt.Sprintf("%s line %d", path, i+1)})
	}
	return out, nil
}

// ReadTrustedRoots reads a trusted root JSON file, or a JSON Lines file of
// several (as `gh attestation trusted-root` writes).
func ReadTrustedRoots(path string) ([]Root, error) {
	b, err := readLimited(path)
	if err != nil {
		return nil, err
	}
	trimmed := bytes.TrimSpace(b)
	var lines [][]byte
	if json.Valid(trimmed) {
		lines = [][]byte{trimmed}
	} else {
		lines = bytes.Split(b, []byte("\n"))
	}
	var out []Root
	for i, l := range lines {
		l = bytes.TrimSpace(l)
		if len(l) == 0 {
			continue
		}
		tr, err := root.NewTrustedRootFromJSON(l)
		if err != nil {
			return nil, fmt.Errorf("trusted root %s line %d: %w", path, i+1, err)
		}
		name := path
		if len(lines) > 1 {
			name = fmt.Sprintf("%s line %d", path, i+1)
		}
		out = append(out, Root{Name: name, Trusted: tr})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("trusted root %s is empty", path)
	}
	return out, nil
}

func readLimited(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, MaxFile+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	if len(b) > MaxFile {
		return nil, fmt.Errorf("%s is larger than %d MiB: refusing to read it", path, MaxFile>>20)
	}
	return b, nil
}

// npmDocument reads the attestations document an npm registry serves for a
// package version (GET /-/npm/v1/attestations/NAME@VERSION):
// {"attestations":[{"predicateType":…,"bundle":{…}}, …]}, usually npm's
// publish attestation, signed with the registry's key, and the SLSA
// provenance, signed keylessly. A saved answer of GitHub's attestations
// API has the same shape ({"attestations":[{"bundle":{…},…}]}). Each
// bundle is a candidate, named by its place and predicate type. ok is false when b is not such a document (a
// bundle has no "attestations" member).
func npmDocument(path string, b []byte) (cs []Candidate, ok bool, err error) {
	var probe map[string]json.RawMessage
	if json.Unmarshal(b, &probe) != nil {
		return nil, false, nil
	}
	raw, found := probe["attestations"]
	if !found {
		return nil, false, nil
	}
	var doc []struct {
		PredicateType string          `json:"predicateType"`
		Bundle        json.RawMessage `json:"bundle"`
		BundleURL     string          `json:"bundle_url"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, true, fmt.Errorf("%s: \"attestations\" must be an array of {\"predicateType\", \"bundle\"} objects, as an npm registry serves them", path)
	}
	for i, a := range doc {
		bundle := bytes.TrimSpace(a.Bundle)
		switch {
		case (len(bundle) == 0 || string(bundle) == "null") && a.BundleURL != "":
			return nil, true, fmt.Errorf("%s: attestations[%d] has only a bundle_url, as GitHub's attestations API answers for large bundles; verify with --repo or --owner, which fetches it", path, i)
		case len(bundle) == 0 || bundle[0] != '{':
			return nil, true, fmt.Errorf("%s: attestations[%d] has no bundle object", path, i)
		}
		where := fmt.Sprintf("%s attestations[%d]", path, i)
		if a.PredicateType != "" {
			where += " (" + label(a.PredicateType) + ")"
		}
		cs = append(cs, Candidate{JSON: bundle, Where: where})
	}
	if len(cs) == 0 {
		return nil, true, fmt.Errorf("%s: the attestations document lists no attestation", path)
	}
	return cs, true, nil
}

// label shows a string from outside any signature (an attestations
// document's predicateType) safely beside verdicts: as it is when it is
// short plain printable text, else quoted with its control, invisible and
// direction characters escaped, and cut to 120 characters.
func label(s string) string {
	const most = 120
	plain := len(s) <= most && strings.IndexFunc(s, func(r rune) bool { return !unicode.IsPrint(r) || r == '"' }) < 0
	if _, deceptive := input.Deceptive(s); plain && !deceptive {
		return s
	}
	if r := []rune(s); len(r) > most {
		s = string(r[:most]) + "…"
	}
	return strconv.QuoteToASCII(s)
}
