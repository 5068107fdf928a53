package subject

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"
)

const (
	hashBufferSize   = 1 << 20
	progressInterval = 200 * time.Millisecond
)

// errStopped is what a read returns once the context is done.
var errStopped = errors.New("hashing stopped")

// hashFiles computes the sha256 of every file with o.concurrency workers,
// each reusing one buffer. It returns the hex digests and, per file, the
// error reading it; the error result is only for cancellation.
func hashFiles(ctx context.Context, files []pathFile, o *options) ([]string, []error, error) {
	sums, errs := make([]string, len(files)), make([]error, len(files))
	if len(files) == 0 {
		return sums, errs, nil
	}
	m := newMeter(files, o.progress)
	stop := m.start()
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(o.concurrency)
	var next atomic.Int64
	for range min(o.concurrency, len(files)) {
		g.Go(func() error {
			buf := make([]byte, hashBufferSize)
			for i := int(next.Add(1) - 1); i < len(files); i = int(next.Add(1) - 1) {
				sum, err := hashFile(gctx.Done(), files[i].real, buf, &m.bytes)
				if errors.Is(err, errStopped) {
					return gctx.Err()
				}
				sums[i], errs[i] = sum, err
				m.files.Add(1)
			}
			return nil
		})
	}
	err := g.Wait()
	stop()
	if err != nil {
		return nil, nil, fmt.Errorf("hashing subject-path files: %w", err)
	}
	return sums, errs, nil
}

// hashFile streams one file into sha256 through buf, adding the bytes read
// to counter, and gives up with errStopped once done is closed.
func hashFile(done <-chan struct{}, name string, buf []byte, counter *atomic.Int64) (string, error) {
	f, err := openForHash(name)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.CopyBuffer(h, &stopReader{r: f, done: done, n: counter}, buf); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// stopReader reads from r until done is closed and counts what it reads. It
// has no WriteTo method, so io.CopyBuffer really uses the given buffer.
type stopReader struct {
	r    io.Reader
	done <-chan struct{}
	n    *atomic.Int64
}

func (s *stopReader) Read(p []byte) (int, error) {
	select {
	case <-s.done:
		return 0, errStopped
	default:
	}
	n, err := s.r.Read(p)
	s.n.Add(int64(n))
	return n, err
}

// meter tracks hashing progress and reports it to a callback.
type meter struct {
	report     func(Progress)
	filesTotal int
	bytesTotal int64
	files      atomic.Int64
	bytes      atomic.Int64
}

func newMeter(files []pathFile, report func(Progress)) *meter {
	m := &meter{report: report, filesTotal: len(files)}
	for _, f := range files {
		m.bytesTotal += f.size
	}
	return m
}

func (m *meter) snapshot() Progress {
	return Progress{
		FilesDone: int(m.files.Load()), FilesTotal: m.filesTotal,
		BytesDone: m.bytes.Load(), BytesTotal: m.bytesTotal,
	}
}

// start reports progress every progressInterval until the returned function
// is called; that function makes one last report after the periodic ones
// have stopped, so reports never overlap.
func (m *meter) start() (stop func()) {
	if m.report == nil {
		return func() {}
	}
	quit, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(progressInterval)
		defer t.Stop()
		for {
			select {
			case <-quit:
				return
			case <-t.C:
				m.report(m.snapshot())
			}
		}
	}()
	return func() {
		close(quit)
		<-done
		m.report(m.snapshot())
	}
}
