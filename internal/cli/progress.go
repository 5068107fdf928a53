package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/provenant/provenant/internal/subject"
	"github.com/provenant/provenant/internal/timing"
)

// progress prints a one-line hashing progress report on a terminal once
// hashing has taken more than a second. Elsewhere it stays silent.
type progress struct {
	mu      sync.Mutex
	w       io.Writer
	tty     bool
	start   time.Time
	printed bool
}

func newProgress(w io.Writer) *progress {
	return &progress{w: w, tty: isTerminal(w), start: time.Now()}
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// reporter returns update on a terminal and nil elsewhere, so that hashing
// is not asked for figures nobody sees: the total size of the files costs
// an lstat per file.
func (p *progress) reporter() func(subject.Progress) {
	if !p.tty {
		return nil
	}
	return p.update
}

func (p *progress) update(pr subject.Progress) {
	if !p.tty || time.Since(p.start) < time.Second {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.printed = true
	more := ""
	if pr.Matching {
		more = "+"
	}
	fmt.Fprintf(p.w, "\rhashing: %d/%d%s files, %s/%s%s ", pr.FilesDone, pr.FilesTotal, more, size(pr.BytesDone), size(pr.BytesTotal), more)
}

func (p *progress) done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.printed {
		fmt.Fprintln(p.w)
	}
}

func size(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

// timings returns ctx with a timing recorder when the timings option is on
// or PROVENANT_TIMINGS is true, and a function that prints the recorded
// spans on stderr as one line of JSON. Otherwise ctx is returned as is and
// the function does nothing.
func (s *session) timings(ctx context.Context, on bool) (context.Context, func()) {
	if env, err := strconv.ParseBool(strings.TrimSpace(s.Getenv("PROVENANT_TIMINGS"))); !on && (err != nil || !env) {
		return ctx, func() {}
	}
	rec := timing.New(nil)
	return timing.NewContext(ctx, rec), func() {
		fmt.Fprintf(s.Stderr, "provenant timings: %s\n", rec.JSON())
	}
}
