//go:build !unix

package subject

import "testing"

func mkfifo(t *testing.T, _ string) {
	t.Skip("named pipes need a Unix system")
}
