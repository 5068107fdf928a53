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

// hasher hashes the files matching hands it, with o.concurrency workers
// that each reuse one buffer, while matching goes on.
type hasher struct {
	o    *options
	ctx  context.Context // done when hashing must stop
	g    *errgroup.Group
	jobs chan *hashJob // nil until the first file is added
	all  []*hashJob    // every job, in the order added
	m    *meter
	stop func() // stops progress reports
}

// hashJob is one file to hash and, once the workers are done, its digest
// or the error reading it.
type hashJob struct {
	file pathFile
	sum  string
	err  error
}

func newHasher(ctx context.Context, o *options) *hasher {
	g, gctx := errgroup.WithContext(ctx)
	return &hasher{o: o, ctx: gctx, g: g, m: &meter{report: o.progress}}
}

// add queues one file, starting the workers on the first. It fails only
// when hashing has been stopped.
func (h *hasher) add(f pathFile) error {
	if h.jobs == nil {
		h.jobs = make(chan *hashJob, 4*h.o.concurrency)
		h.m.matching.Store(true)
		h.stop = h.m.start()
		for range h.o.concurrency {
			h.g.Go(h.work)
		}
	}
	j := &hashJob{file: f}
	h.all = append(h.all, j)
	h.m.filesTotal.Add(1)
	h.m.bytesTotal.Add(f.size)
	select {
	case h.jobs <- j:
		return nil
	case <-h.ctx.Done():
		return fmt.Errorf("hashing subject-path files: %w", context.Cause(h.ctx))
	}
}

func (h *hasher) work() error {
	var buf []byte
	for j := range h.jobs {
		if buf == nil {
			buf = make([]byte, hashBufferSize)
		}
		sum, err := hashFile(h.ctx.Done(), j.file.real, buf, &h.m.bytes)
		if errors.Is(err, errStopped) {
			return h.ctx.Err()
		}
		j.sum, j.err = sum, err
		h.m.files.Add(1)
	}
	return nil
}

// wait ends the input, waits for the workers and returns every job, in the
// order added, each with its digest or the error reading it. The error
// result is only for cancellation.
func (h *hasher) wait() ([]*hashJob, error) {
	if h.jobs == nil {
		return nil, nil
	}
	close(h.jobs)
	h.m.matching.Store(false)
	err := h.g.Wait()
	h.stop()
	if err != nil {
		return nil, fmt.Errorf("hashing subject-path files: %w", err)
	}
	return h.all, nil
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

// meter tracks hashing progress and reports it to a callback. The totals
// grow while files are still being matched.
type meter struct {
	report     func(Progress)
	matching   atomic.Bool
	filesTotal atomic.Int64
	bytesTotal atomic.Int64
	files      atomic.Int64
	bytes      atomic.Int64
}

func (m *meter) snapshot() Progress {
	return Progress{
		FilesDone: int(m.files.Load()), FilesTotal: int(m.filesTotal.Load()),
		BytesDone: m.bytes.Load(), BytesTotal: m.bytesTotal.Load(),
		Matching: m.matching.Load(),
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
