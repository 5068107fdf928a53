package httpretry

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
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
		{name: "gives_up_after_attempts", statuses: []int{500, 500, 500, 500, 500}, attempts: 3, wantCode: 500, wantCalls: 3},
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
			tr := New(WithAttempts(tc.attempts), WithSleep(func(_ context.Context, d time.Duration) error {
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
	tr := New(WithInner(&http.Transport{DisableKeepAlives: true}), WithSleep(func(context.Context, time.Duration) error { return nil }))
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
	tr := New(WithBackoff(time.Hour, time.Hour))
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
	start := time.Now()
	_, err := (&http.Client{Transport: tr}).Do(req)
	if err == nil {
		t.Fatal("no error after the deadline")
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
		got, ok := retryAfter(tc.v, now)
		if got != tc.want || ok != tc.ok {
			t.Errorf("retryAfter(%q) = %v, %v; want %v, %v", tc.v, got, ok, tc.want, tc.ok)
		}
	}
}
