//go:build unix

package subject

import (
	"syscall"
	"testing"
)

// mkfifo makes a named pipe at p: a file nothing can read without a writer,
// even as root.
func mkfifo(t *testing.T, p string) {
	t.Helper()
	if err := syscall.Mkfifo(p, 0o644); err != nil {
		t.Fatal(err)
	}
}
