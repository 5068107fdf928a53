//go:build !unix

package subject

import (
	"io"
	"os"
)

// openForHash opens name for reading.
func openForHash(name string) (io.ReadCloser, error) {
	return os.Open(name)
}
