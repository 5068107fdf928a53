package image

import (
	"archive/tar"
	"bytes"
	"io"
	"path"
	"slices"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// file is one regular file of the layer, at an absolute path.
type file struct {
	path string
	mode int64
	data []byte
}

// layerTar writes the files and their parent directories as an
// uncompressed tar stream, entries sorted by name, owned by root, all with
// the same modification time.
func layerTar(mtime time.Time, files []file) ([]byte, error) {
	type entry struct {
		hdr  tar.Header
		data []byte
	}
	var entries []entry
	dirs := map[string]bool{}
	for _, f := range files {
		name := strings.TrimPrefix(path.Clean(f.path), "/")
		for d := path.Dir(name); d != "."; d = path.Dir(d) {
			if !dirs[d] {
				dirs[d] = true
				entries = append(entries, entry{hdr: tar.Header{Typeflag: tar.TypeDir, Name: d + "/", Mode: 0o755}})
			}
		}
		entries = append(entries, entry{
			hdr:  tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: f.mode, Size: int64(len(f.data))},
			data: f.data,
		})
	}
	slices.SortFunc(entries, func(a, b entry) int { return strings.Compare(a.hdr.Name, b.hdr.Name) })

	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		e.hdr.ModTime = mtime
		e.hdr.Format = tar.FormatUSTAR
		// Uid, Gid 0 and no Uname/Gname: the zero values.
		if err := tw.WriteHeader(&e.hdr); err != nil {
			return nil, err
		}
		if _, err := tw.Write(e.data); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// newLayer makes a gzip-compressed OCI layer of an uncompressed tar stream.
// ggcr's gzip writer leaves the header's time and name empty, so the
// compressed bytes depend on the content only.
func newLayer(tarStream []byte) (v1.Layer, error) {
	opener := func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(tarStream)), nil }
	l, err := tarball.LayerFromOpener(opener, tarball.WithMediaType(types.OCILayer), tarball.WithCompressedCaching)
	if err != nil {
		return nil, err
	}
	return plainLayer{l}, nil
}

// plainLayer hides the tarball layer's Descriptor method, whose empty
// (non-nil) annotations map makes the manifest ggcr keeps in memory differ
// from the one it serializes; the descriptor is then built from the
// layer's digest, size and media type.
type plainLayer struct{ v1.Layer }

// uncompressedSize counts the bytes of the layer's tar stream.
func uncompressedSize(l v1.Layer) (int64, error) {
	rc, err := l.Uncompressed()
	if err != nil {
		return 0, err
	}
	defer rc.Close()
	return io.Copy(io.Discard, rc)
}
