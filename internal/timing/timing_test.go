package timing_test

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/provenant/provenant/internal/timing"
)

// clock returns a fake clock that moves on by step at every reading.
func clock(step time.Duration) func() time.Time {
	var mu sync.Mutex
	t := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	return func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		t = t.Add(step)
		return t
	}
}

func TestRecorder_report(t *testing.T) {
	t.Parallel()
	r := timing.New(clock(time.Millisecond)) // start: 1 ms
	ctx := timing.NewContext(t.Context(), r)
	endA := timing.Start(ctx, "fulcio") // 2 ms
	endB := timing.Start(ctx, "fulcio") // 3 ms
	endA()                              // 4 ms
	endA()                              // ignored
	endB()                              // 5 ms
	end := timing.Start(ctx, "tsa")     // 6 ms
	end()                               // 7 ms
	got := r.Report()                   // 8 ms
	want := timing.Report{
		TotalMS: 7,
		Spans: []timing.Span{
			{Name: "fulcio", StartMS: 1, MS: 2},
			{Name: "fulcio", StartMS: 2, MS: 2},
			{Name: "tsa", StartMS: 5, MS: 1},
		},
		Sums: map[string]float64{"fulcio": 4, "tsa": 1},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Report() mismatch (-want +got):\n%s", diff)
	}
	var back timing.Report
	if err := json.Unmarshal(r.JSON(), &back); err != nil || len(back.Spans) != 3 {
		t.Errorf("JSON() does not round-trip: %v, %+v", err, back)
	}
}

func TestStart_withoutRecorder(t *testing.T) {
	t.Parallel()
	if timing.From(context.Background()) != nil {
		t.Fatal("From() found a recorder in an empty context")
	}
	timing.Start(context.Background(), "nothing")() // must not panic
}
