// Package timing records how long the stages of one run take, for
// `provenant attest --timings` and `provenant verify --timings`. A Recorder
// travels in the context, so stages deep in the pipeline (a Fulcio request
// inside the signer, one upload inside a sink) record their spans without
// any interface changing; without a Recorder in the context, Start costs a
// context lookup and records nothing.
package timing

import (
	"context"
	"encoding/json"
	"sync"
	"time"
)

// Recorder collects spans. It is safe for concurrent use.
type Recorder struct {
	now   func() time.Time
	start time.Time
	mu    sync.Mutex
	spans []Span
}

// Span is one timed stage, in milliseconds from the recorder's start.
type Span struct {
	Name    string  `json:"name"`
	StartMS float64 `json:"start_ms"`
	MS      float64 `json:"ms"`
}

// Report is what a Recorder prints: the wall time since it started, every
// span in the order they ended, and the sum of the spans of each name
// (several statements make several "fulcio" spans, possibly overlapping).
type Report struct {
	TotalMS float64            `json:"total_ms"`
	Spans   []Span             `json:"spans"`
	Sums    map[string]float64 `json:"sum_ms"`
}

// New starts a recorder now. now, when non-nil, replaces time.Now.
func New(now func() time.Time) *Recorder {
	if now == nil {
		now = time.Now
	}
	return &Recorder{now: now, start: now()}
}

type key struct{}

// NewContext returns ctx carrying r.
func NewContext(ctx context.Context, r *Recorder) context.Context {
	return context.WithValue(ctx, key{}, r)
}

// From returns the recorder ctx carries, or nil.
func From(ctx context.Context) *Recorder {
	r, _ := ctx.Value(key{}).(*Recorder)
	return r
}

// Start begins a span named name in the recorder ctx carries; calling the
// returned function ends it. Without a recorder it does nothing.
func Start(ctx context.Context, name string) (end func()) {
	r := From(ctx)
	if r == nil {
		return func() {}
	}
	return r.Start(name)
}

// Start begins a span; calling the returned function ends it. Ending it
// more than once records it once.
func (r *Recorder) Start(name string) (end func()) {
	began := r.now()
	var once sync.Once
	return func() {
		once.Do(func() {
			ended := r.now()
			r.mu.Lock()
			defer r.mu.Unlock()
			r.spans = append(r.spans, Span{Name: name, StartMS: ms(began.Sub(r.start)), MS: ms(ended.Sub(began))})
		})
	}
}

// Report returns the spans so far and the time since the recorder started.
func (r *Recorder) Report() Report {
	total := ms(r.now().Sub(r.start))
	r.mu.Lock()
	defer r.mu.Unlock()
	rep := Report{TotalMS: total, Spans: append([]Span{}, r.spans...), Sums: map[string]float64{}}
	for _, s := range r.spans {
		rep.Sums[s.Name] = round(rep.Sums[s.Name] + s.MS)
	}
	return rep
}

// JSON is Report as one line of JSON.
func (r *Recorder) JSON() []byte {
	b, err := json.Marshal(r.Report())
	if err != nil { // a Report always marshals
		panic(err)
	}
	return b
}

// ms is d in milliseconds, to the microsecond.
func ms(d time.Duration) float64 { return round(float64(d.Microseconds()) / 1000) }

func round(f float64) float64 { return float64(int64(f*1000+0.5)) / 1000 }
