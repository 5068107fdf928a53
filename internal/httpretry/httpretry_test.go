package httpretry

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

func TestTransport(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		statuses  []int
		header    http.Header
		attempts  int
		wantCode  int
		wantCalls int32
		wantSleep time.Duration // first sleep, when checked exactly
	}{
		{name: "success_first_time", statuses: []int{200}, attempts: 4, wantCode: 200, wantCalls: 1},
		{name: "5xx_then_success", statuses: []int{502, 503, 201}, attempts: 4, wantCode: 201, wantCalls: 3},
		{name: "last_answer_after_attempts", statuses: []int{500, 500, 500, 500, 500}, attempts: 3, wantCode: 500, wantCalls: 3},
		{name: "4xx_not_retried", statuses: []int{400, 200}, attempts: 4, wantCode: 400, wantCalls: 1},
		{name: "501_not_retried", statuses: []int{501, 200}, attempts: 4, wantCode: 501, wantCalls: 1},
		{name: "429_retry_after_seconds", statuses: []int{429, 200}, header: http.Header{"Retry-After": {"7"}}, attempts: 4, wantCode: 200, wantCalls: 2, wantSleep: 7 * time.Second},
		{name: "retry_after_capped", statuses: []int{503, 200}, header: http.Header{"Retry-After": {"3600"}}, attempts: 4, wantCode: 200, wantCalls: 2, wantSleep: 30 * time.Second},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var calls atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				n := calls.Add(1)
				body, _ := io.ReadAll(r.Body)
				if string(body) != "payload" {
					t.Errorf("attempt %d got body %q", n, body)
				}
				for k, v := range tc.header {
					w.Header()[k] = v
				}
				w.WriteHeader(tc.statuses[n-1])
			}))
			defer srv.Close()
			var sleeps []time.Duration
			tr := mustNew(t, WithLastAnswer(), WithAttempts(tc.attempts), WithSleep(func(_ context.Context, d time.Duration) error {
				sleeps = append(sleeps, d)
				return nil
			}))
			req, _ := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader("payload"))
			resp, err := (&http.Client{Transport: tr}).Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.wantCode || calls.Load() != tc.wantCalls {
				t.Errorf("status %d after %d calls, want %d after %d", resp.StatusCode, calls.Load(), tc.wantCode, tc.wantCalls)
			}
			if tc.wantSleep != 0 && (len(sleeps) == 0 || sleeps[0] != tc.wantSleep) {
				t.Errorf("sleeps = %v, want first %v", sleeps, tc.wantSleep)
			}
			for _, s := range sleeps {
				if s < 0 || s > 30*time.Second {
					t.Errorf("sleep %v out of range", s)
				}
			}
		})
	}
}

func TestTransport_connectionReset(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			// Hijack and close: the client sees the connection drop.
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
			return
		}
		w.WriteHeader(204)
	}))
	defer srv.Close()
	tr := mustNew(t, WithInner(&http.Transport{DisableKeepAlives: true}), WithSleep(func(context.Context, time.Duration) error { return nil }))
	resp, err := (&http.Client{Transport: tr}).Get(srv.URL)
	if err != nil {
		t.Fatalf("dropped connection not retried: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != 204 || calls.Load() != 2 {
		t.Errorf("status %d after %d calls", resp.StatusCode, calls.Load())
	}
}

func TestTransport_contextEndsWait(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(503) }))
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	tr := mustNew(t, WithBackoff(time.Hour, time.Hour))
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
	start := time.Now()
	_, err := (&http.Client{Transport: tr}).Do(req)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("error = %v, want the context's deadline", err)
	}
	if time.Since(start) > 10*time.Second {
		t.Errorf("waited %v past the deadline", time.Since(start))
	}
}

func TestRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		v    string
		want time.Duration
		ok   bool
	}{
		{"", 0, false}, {"5", 5 * time.Second, true}, {"-1", 0, false}, {"soon", 0, false},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{now.Add(-time.Minute).Format(http.TimeFormat), 0, true},
	}
	for _, tc := range cases {
		got, ok := RetryAfter(tc.v, now)
		if got != tc.want || ok != tc.ok {
			t.Errorf("RetryAfter(%q) = %v, %v; want %v, %v", tc.v, got, ok, tc.want, tc.ok)
		}
	}
}

func mustNew(t *testing.T, opts ...Option) *Transport {
	t.Helper()
	tr, err := New(opts...)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// TestTransport_keepsRequest checks that retries do not change the
// caller's request, as the RoundTripper contract demands.
func TestTransport_keepsRequest(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			w.WriteHeader(503)
		}
	}))
	defer srv.Close()
	tr := mustNew(t, WithSleep(func(context.Context, time.Duration) error { return nil }))
	req, _ := http.NewRequest(http.MethodPut, srv.URL, strings.NewReader("payload"))
	body := req.Body
	resp, err := tr.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if req.Body != body || calls.Load() != 2 {
		t.Errorf("request body replaced (%v) or %d calls, want 2", req.Body != body, calls.Load())
	}
}

func TestRetrier_Do(t *testing.T) {
	t.Parallel()
	errTransient, errFinal := errors.New("transient"), errors.New("final")
	cases := []struct {
		name         string
		opts         []Option
		errs         []error // what each attempt returns; nil ends
		wait         time.Duration
		wantAttempts int
		wantErr      error
		wantSleeps   int
	}{
		{name: "succeeds_after_two", errs: []error{errTransient, errTransient, nil}, wait: time.Second, wantAttempts: 3, wantSleeps: 2},
		{name: "stops_when_classified_final", errs: []error{errTransient, errFinal, nil}, wait: time.Second, wantAttempts: 2, wantErr: errFinal, wantSleeps: 1},
		{name: "attempts_used_up", opts: []Option{WithAttempts(2)}, errs: []error{errTransient, errTransient, nil}, wait: time.Second, wantAttempts: 2, wantErr: errTransient, wantSleeps: 1},
		{name: "deadline_stops_waiting", opts: []Option{WithDeadline(90 * time.Second)}, errs: []error{errTransient, errTransient, nil}, wait: time.Minute,
			wantAttempts: 2, wantErr: errTransient, wantSleeps: 1},
		{name: "backoff_when_asked", opts: []Option{WithBackoff(time.Millisecond, 2*time.Millisecond)}, errs: []error{errTransient, nil}, wait: UseBackoff, wantAttempts: 2, wantSleeps: 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
			var sleeps []time.Duration
			opts := append([]Option{WithSleep(func(_ context.Context, d time.Duration) error {
				sleeps = append(sleeps, d)
				clock = clock.Add(d)
				return nil
			})}, tc.opts...)
			r, err := NewRetrier(opts...)
			if err != nil {
				t.Fatal(err)
			}
			r.now = func() time.Time { return clock }
			n := 0
			attempts, err := r.Do(t.Context(), func(context.Context) error { n++; return tc.errs[n-1] },
				func(err error, _ int) (time.Duration, bool) { return tc.wait, err == errTransient })
			if attempts != tc.wantAttempts || !errors.Is(err, tc.wantErr) || (tc.wantErr == nil && err != nil) {
				t.Errorf("Do = %d, %v; want %d, %v", attempts, err, tc.wantAttempts, tc.wantErr)
			}
			if len(sleeps) != tc.wantSleeps {
				t.Errorf("sleeps = %v, want %d", sleeps, tc.wantSleeps)
			}
			for _, s := range sleeps {
				if tc.wait == UseBackoff && (s <= 0 || s > 2*time.Millisecond) {
					t.Errorf("backoff sleep %v out of range", s)
				}
			}
		})
	}
}

func TestOptions_invalid(t *testing.T) {
	t.Parallel()
	for name, opt := range map[string]Option{
		"nil_inner":         WithInner(nil),
		"zero_backoff":      WithBackoff(0, time.Second),
		"cap_below_base":    WithBackoff(time.Second, time.Millisecond),
		"negative_deadline": WithDeadline(-time.Second),
	} {
		if _, err := New(opt); err == nil {
			t.Errorf("%s: New succeeded", name)
		}
	}
}

func TestTemporary(t *testing.T) {
	t.Parallel()
	for err, want := range map[error]bool{
		nil: false, context.Canceled: false, context.DeadlineExceeded: false, errors.New("x509: unknown authority"): false,
		io.ErrUnexpectedEOF: true, syscall.ECONNRESET: true, fmt.Errorf("read: %w", syscall.ECONNREFUSED): true,
	} {
		if got := Temporary(err); got != want {
			t.Errorf("Temporary(%v) = %v, want %v", err, got, want)
		}
	}
}

// TestTransport_givesUp checks the error after the last retryable answer:
// it names the method, the URL without credentials or query, the status
// and the attempts, and no response is returned whose body a client could
// close and then read (sigstore-go v1.3.0 did, and reported only "http:
// read on closed response body").
func TestTransport_givesUp(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "echo: "+r.URL.RawQuery, http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	tr := mustNew(t, WithAttempts(2), WithSleep(func(context.Context, time.Duration) error { return nil }))
	u := strings.Replace(srv.URL, "http://", "http://user:hunter2@", 1) + "/api/v2/signingCert?token=s3cret"
	req, _ := http.NewRequest(http.MethodPost, u, strings.NewReader("payload"))
	resp, err := tr.RoundTrip(req)
	var se *StatusError
	if resp != nil || !errors.As(err, &se) {
		t.Fatalf("RoundTrip = %v, %v; want a *StatusError", resp, err)
	}
	want := "POST " + srv.URL + "/api/v2/signingCert answered HTTP 503 Service Unavailable to 2 attempts"
	if !strings.HasPrefix(err.Error(), want) || se.StatusCode != 503 {
		t.Errorf("error %q, want it to start %q", err, want)
	}
	for _, secret := range []string{"hunter2", "s3cret"} {
		if strings.Contains(err.Error(), secret) {
			t.Errorf("error %q holds %q", err, secret)
		}
	}
}

// TestTransport_truncatedBody checks that an answer cut short is retried,
// and named when it stays cut short.
func TestTransport_truncatedBody(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		cut      int32 // how many answers are cut short
		wantBody string
		wantErr  string
	}{
		{name: "transient", cut: 1, wantBody: "0123456789"},
		{name: "persistent", cut: 9, wantErr: "reading the answer of GET "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var calls atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Length", "10")
				if calls.Add(1) <= tc.cut {
					io.WriteString(w, "01234")
					w.(http.Flusher).Flush()
					panic(http.ErrAbortHandler)
				}
				io.WriteString(w, "0123456789")
			}))
			defer srv.Close()
			tr := mustNew(t, WithInner(&http.Transport{DisableKeepAlives: true}), WithSleep(func(context.Context, time.Duration) error { return nil }))
			req, _ := http.NewRequest(http.MethodGet, srv.URL+"/x?sig=secret", nil)
			resp, err := tr.RoundTrip(req)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr+srv.URL+"/x:") || strings.Contains(err.Error(), "secret") {
					t.Fatalf("error %v, want %q and the URL without its query", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			b, err := io.ReadAll(resp.Body)
			if err != nil || string(b) != tc.wantBody {
				t.Errorf("body %q, %v; want %q", b, err, tc.wantBody)
			}
		})
	}
}

// TestTransport_replaysBodyAfterDrop checks that a request body is sent
// again after a dropped connection, and that a transport's own timeout
// (which also matches context.DeadlineExceeded) is retried.
func TestTransport_replaysBodyAfterDrop(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		switch calls.Add(1) {
		case 1:
			conn, _, _ := w.(http.Hijacker).Hijack()
			conn.Close()
		case 2:
			time.Sleep(300 * time.Millisecond)
		default:
			w.Write(body)
		}
	}))
	defer srv.Close()
	tr := mustNew(t, WithInner(&http.Transport{DisableKeepAlives: true, ResponseHeaderTimeout: 100 * time.Millisecond}),
		WithSleep(func(context.Context, time.Duration) error { return nil }))
	req, _ := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader("payload"))
	resp, err := tr.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if b, _ := io.ReadAll(resp.Body); string(b) != "payload" || calls.Load() != 3 {
		t.Errorf("body %q after %d calls, want the payload after 3", b, calls.Load())
	}
}
