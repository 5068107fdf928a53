package cli

import (
	"syscall"
	"testing"
)

// mustFifo makes a named pipe: a path that is not a regular file and that
// even root cannot hash.
func mustFifo(t *testing.T, p string) {
	t.Helper()
	if err := syscall.Mkfifo(p, 0o644); err != nil {
		t.Fatal(err)
	}
}
