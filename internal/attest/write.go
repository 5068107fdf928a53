package attest

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/provenant/provenant/internal/atomicfile"
	"github.com/provenant/provenant/internal/intoto"
	"github.com/provenant/provenant/internal/sink"
)

// attestation gathers the signed bundles into what the files and the sinks
// hold: the .intoto.jsonl content and a .sigstore.json name per bundle.
func attestation(name string, signed []signedBundle, subjects []intoto.Subject) *sink.Attestation {
	a := &sink.Attestation{ProvenanceName: name}
	stem := strings.TrimSuffix(name, ".intoto.jsonl")
	var jsonl bytes.Buffer
	for _, s := range signed {
		jsonl.Write(s.json)
		jsonl.WriteByte('\n')
		file := stem + ".sigstore.json"
		if len(signed) > 1 {
			file = bundleFileName(s.subjects[0].Name)
		}
		a.Bundles = append(a.Bundles, sink.Bundle{JSON: s.json, FileName: file, Subjects: s.subjects})
	}
	a.JSONL = jsonl.Bytes()
	return a
}

// bundleFileName names the .sigstore.json file of a per-subject bundle:
// the subject's name with path separators replaced.
func bundleFileName(subject string) string {
	return strings.NewReplacer("/", "_", "\\", "_", ":", "_", "@", "_").Replace(subject) + ".sigstore.json"
}

// written says where the files went.
type written struct {
	// provenancePath and bundlePaths are workspace-relative.
	provenancePath string
	bundlePaths    []string
	stored         []sink.Stored
}

// writeFiles writes the .intoto.jsonl file (one bundle per line) and a
// .sigstore.json file per bundle into dir, all or none.
func writeFiles(dir, workspace string, a *sink.Attestation, overwrite bool) (written, error) {
	seen := map[string]bool{}
	files := []atomicfile.File{{Path: filepath.Join(dir, a.ProvenanceName), Data: a.JSONL}}
	for _, b := range a.Bundles {
		if seen[b.FileName] {
			return written{}, fmt.Errorf("two subjects would share the bundle file name %s; rename one", b.FileName)
		}
		seen[b.FileName] = true
		files = append(files, atomicfile.File{Path: filepath.Join(dir, b.FileName), Data: b.JSON})
	}
	if err := atomicfile.WriteAll(files, overwrite); err != nil {
		return written{}, fmt.Errorf("%w (set overwrite-files: true to replace it); nothing was written", err)
	}
	w := written{provenancePath: rel(workspace, files[0].Path)}
	w.stored = append(w.stored, sink.Stored{Kind: sink.KindFile, Where: w.provenancePath, Note: "every bundle, one per line"})
	for _, f := range files[1:] {
		w.bundlePaths = append(w.bundlePaths, rel(workspace, f.Path))
	}
	return w, nil
}

func outputDir(workspace, dir string) string {
	if filepath.IsAbs(dir) {
		return dir
	}
	return filepath.Join(workspace, dir)
}

func rel(workspace, p string) string {
	r, err := filepath.Rel(workspace, p)
	if err != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) {
		return p
	}
	return filepath.ToSlash(r)
}
