package subject

import (
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeTree creates files under dir. A key ending in "/" makes an empty
// directory; a value starting with "->" makes a symlink to the rest of the
// value; anything else is file content.
func writeTree(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for rel, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if strings.HasSuffix(rel, "/") {
			if err := os.MkdirAll(p, 0o755); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		var err error
		if target, ok := strings.CutPrefix(content, "->"); ok {
			err = os.Symlink(filepath.FromSlash(target), p)
		} else {
			err = os.WriteFile(p, []byte(content), 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

// tree makes a fresh workspace holding files.
func tree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	writeTree(t, dir, files)
	return dir
}

func sum256(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

func sum384(s string) string {
	h := sha512.Sum384([]byte(s))
	return hex.EncodeToString(h[:])
}

func sum512(s string) string {
	h := sha512.Sum512([]byte(s))
	return hex.EncodeToString(h[:])
}

// d256 returns a DigestSet holding the sha256 of s.
func d256(s string) map[string]string {
	return map[string]string{"sha256": sum256(s)}
}

// runningAsRoot reports whether file permissions are not enforced.
func runningAsRoot() bool {
	return os.Geteuid() == 0
}
