package attest

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/provenant/provenant/internal/atomicfile"
	"github.com/provenant/provenant/internal/config"
)

// write writes the .intoto.jsonl file (one bundle per line, each ending in
// a newline) and a .sigstore.json file per bundle. Every file is written
// atomically; all content is ready before the first write.
func write(cfg *config.Config, workspace string, res *Result) error {
	dir := cfg.OutputDir
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(workspace, dir)
	}
	stem := strings.TrimSuffix(res.ProvenanceName, ".intoto.jsonl")
	names, err := bundleNames(stem, res)
	if err != nil {
		return err
	}
	files := []struct {
		path string
		data []byte
	}{{filepath.Join(dir, res.ProvenanceName), jsonl(res)}}
	for i, b := range res.Bundles {
		files = append(files, struct {
			path string
			data []byte
		}{filepath.Join(dir, names[i]), b.JSON})
	}
	for _, f := range files {
		if err := atomicfile.Write(f.path, f.data, cfg.OverwriteFiles); err != nil {
			return fmt.Errorf("%w (set overwrite-files: true to replace it)", err)
		}
	}
	res.ProvenancePath = rel(workspace, files[0].path)
	res.Stored = append(res.Stored, Stored{Kind: "file", Where: res.ProvenancePath, Note: "every bundle, one per line"})
	for i := range res.Bundles {
		res.Bundles[i].Path = rel(workspace, files[i+1].path)
		res.Stored = append(res.Stored, Stored{Kind: "file", Where: res.Bundles[i].Path, Note: res.Bundles[i].Digest})
	}
	return nil
}

// jsonl is the .intoto.jsonl content: one bundle per line, each ending in a
// newline.
func jsonl(res *Result) []byte {
	var b bytes.Buffer
	for _, bu := range res.Bundles {
		b.Write(bu.JSON)
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// bundleNames names the .sigstore.json files: <stem>.sigstore.json for one
// bundle; per subject, the subject's name with path separators replaced.
func bundleNames(stem string, res *Result) ([]string, error) {
	if len(res.Bundles) == 1 {
		return []string{stem + ".sigstore.json"}, nil
	}
	seen := map[string]bool{}
	out := make([]string, len(res.Bundles))
	for i := range res.Bundles {
		n := strings.NewReplacer("/", "_", "\\", "_", ":", "_", "@", "_").Replace(res.Subjects[i].Name) + ".sigstore.json"
		if seen[n] {
			return nil, fmt.Errorf("two subjects would share the bundle file name %s; rename one", n)
		}
		seen[n] = true
		out[i] = n
	}
	return out, nil
}

func rel(workspace, p string) string {
	r, err := filepath.Rel(workspace, p)
	if err != nil || strings.HasPrefix(r, "..") {
		return p
	}
	return filepath.ToSlash(r)
}

// Stored is one place a copy of an attestation was stored.
type Stored struct {
	// Kind is "file", "registry", "release" or "attestations-api".
	Kind string
	// Where names the copy: a path, an image reference, an asset name.
	Where string
	// URL links to it, when there is a link.
	URL string
	// Note says more, e.g. "fallback tag sha256-…" or "unchanged".
	Note string
}
