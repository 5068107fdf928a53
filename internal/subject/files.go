package subject

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"

	"github.com/provenant/provenant/internal/input"
)

// maxInputFile is the largest subject-checksums or base64-subjects-file
// accepted, 1 GiB.
const maxInputFile = 1 << 30

// readInputFile reads the input file at p, relative to the workspace
// unless absolute, confined to it as ws says. It refuses anything but a
// regular file of at most maxInputFile bytes, so a named pipe cannot block
// it and a huge file cannot exhaust memory.
func readInputFile(ws input.Workspace, p string) ([]byte, error) {
	full, err := ws.Resolve(p)
	if err != nil {
		return nil, err
	}
	// Name the file as the user wrote it: a long absolute path cut short
	// would hide the part they need to see.
	shown := strconv.Quote(p)
	if !filepath.IsAbs(p) {
		shown += " (relative to the workspace)"
	}
	fi, err := os.Stat(full)
	if err != nil {
		return nil, fmt.Errorf("cannot read file %s: %v", shown, pathErrCause(err))
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file (%s); give the path of a file", shown, fileKind(fi.Mode()))
	}
	if fi.Size() > maxInputFile {
		return nil, fmt.Errorf("file %s is %d bytes; input files may be at most 1 GiB", shown, fi.Size())
	}
	f, err := os.Open(full)
	if err != nil {
		return nil, fmt.Errorf("cannot read file %s: %v", shown, pathErrCause(err))
	}
	defer f.Close()
	data, err := readAtMost(f, fi.Size(), maxInputFile)
	if err != nil {
		return nil, fmt.Errorf("cannot read file %s: %v", shown, pathErrCause(err))
	}
	return data, nil
}

// readAtMost reads r to the end into one buffer sized for size bytes, and
// fails if r holds more than limit bytes.
func readAtMost(r io.Reader, size, limit int64) ([]byte, error) {
	buf := make([]byte, 0, size+1) // the spare byte lets EOF arrive without growing
	lr := io.LimitReader(r, limit+1)
	for {
		if len(buf) == cap(buf) {
			buf = slices.Grow(buf, len(buf)/2+512)
		}
		n, err := lr.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	if int64(len(buf)) > limit {
		return nil, fmt.Errorf("the file grew past the limit of %d bytes while it was read", limit)
	}
	return buf, nil
}

// pathErrCause drops the operation and path from an *fs.PathError, which the
// caller's message already names.
func pathErrCause(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// fileKind names the type of a file that is not regular.
func fileKind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0, m&fs.ModeCharDevice != 0:
		return "a device"
	case m&fs.ModeSymlink != 0:
		return "a symlink"
	}
	return "an irregular file"
}
