package subject

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// BenchmarkResolveBase64File resolves a base64-subjects-file of 100,000
// sha256sum lines (about 12 MB of base64).
func BenchmarkResolveBase64File(b *testing.B) {
	const lines = 100_000
	var text strings.Builder
	for i := range lines {
		fmt.Fprintf(&text, "%s  dist/release/artifact-%06d_linux_amd64.tar.gz\n", sum256(fmt.Sprint(i)), i)
	}
	ws := b.TempDir()
	encoded := wrap76(b64(text.String()))
	if err := os.WriteFile(filepath.Join(ws, "subjects.b64"), []byte(encoded), 0o644); err != nil {
		b.Fatal(err)
	}
	in := Inputs{Base64File: "subjects.b64"}
	b.SetBytes(int64(len(encoded)))
	b.ReportAllocs()
	for b.Loop() {
		got, err := Resolve(b.Context(), in, WithWorkspace(ws))
		if err != nil {
			b.Fatal(err)
		}
		if len(got) != lines {
			b.Fatalf("got %d subjects; want %d", len(got), lines)
		}
	}
}

// BenchmarkResolvePaths hashes 200 files of 256 KiB (50 MiB) matched by one
// "**" glob.
func BenchmarkResolvePaths(b *testing.B) {
	const files, size = 200, 256 << 10
	ws := b.TempDir()
	manyFiles(b, ws, files, size)
	in := Inputs{Paths: "dist/**/*.bin"}
	b.SetBytes(files * size)
	b.ReportAllocs()
	for b.Loop() {
		got, err := Resolve(b.Context(), in, WithWorkspace(ws))
		if err != nil {
			b.Fatal(err)
		}
		if len(got) != files {
			b.Fatalf("got %d subjects; want %d", len(got), files)
		}
	}
}
