// Package httpretry provides an http.RoundTripper that retries transient
// failures — HTTP 5xx, 429 and dropped connections — with exponential
// backoff and jitter, honouring Retry-After, within the request's context.
package httpretry

import (
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"syscall"
	"time"
)

// Transport retries requests through an inner RoundTripper.
type Transport struct {
	inner    http.RoundTripper
	attempts int
	base     time.Duration
	max      time.Duration
	sleep    func(context.Context, time.Duration) error
}

var _ http.RoundTripper = (*Transport)(nil)

type options struct {
	inner    http.RoundTripper
	attempts int
	base     time.Duration
	max      time.Duration
	sleep    func(context.Context, time.Duration) error
}

// Option configures a Transport.
type Option func(*options)

// WithInner sets the transport that sends requests. The default is
// http.DefaultTransport.
func WithInner(rt http.RoundTripper) Option { return func(o *options) { o.inner = rt } }

// WithAttempts sets how many times a request is sent at most. The default is 4.
func WithAttempts(n int) Option { return func(o *options) { o.attempts = max(1, n) } }

// WithBackoff sets the first delay and the cap for delays, including those a
// server asks for with Retry-After. The defaults are 500ms and 30s.
func WithBackoff(base, maxDelay time.Duration) Option {
	return func(o *options) { o.base, o.max = base, maxDelay }
}

// WithSleep replaces the wait between attempts; tests use it. The default
// waits on a timer or until the request's context ends.
func WithSleep(f func(context.Context, time.Duration) error) Option {
	return func(o *options) { o.sleep = f }
}

// New returns a retrying Transport.
func New(opts ...Option) *Transport {
	o := options{inner: http.DefaultTransport, attempts: 4, base: 500 * time.Millisecond, max: 30 * time.Second, sleep: Sleep}
	for _, opt := range opts {
		opt(&o)
	}
	return &Transport{inner: o.inner, attempts: o.attempts, base: o.base, max: o.max, sleep: o.sleep}
}

// RoundTrip sends the request, retrying transient failures. Requests with a
// body are retried only when the body can be replayed (GetBody is set, as
// http.NewRequest does for in-memory bodies).
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	for attempt := 1; ; attempt++ {
		resp, err := t.inner.RoundTrip(req)
		if attempt >= t.attempts || !retryable(resp, err) || (req.Body != nil && req.GetBody == nil) {
			return resp, err
		}
		delay := t.delay(attempt, resp)
		if resp != nil {
			io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
			resp.Body.Close()
		}
		if serr := t.sleep(req.Context(), delay); serr != nil {
			if err == nil {
				err = serr
			}
			return nil, err
		}
		if req.GetBody != nil {
			body, gerr := req.GetBody()
			if gerr != nil {
				return nil, gerr
			}
			req = req.Clone(req.Context())
			req.Body = body
		}
	}
}

func retryable(resp *http.Response, err error) bool {
	if err != nil {
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return false
		}
		var ne net.Error
		return errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) ||
			errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) || (errors.As(err, &ne) && ne.Timeout())
	}
	return resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500 && resp.StatusCode != http.StatusNotImplemented
}

// delay is exponential backoff with full jitter, or what Retry-After asks
// for when the server says, capped at the maximum either way.
func (t *Transport) delay(attempt int, resp *http.Response) time.Duration {
	if resp != nil {
		if d, ok := retryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
			return min(d, t.max)
		}
	}
	d := t.base << (attempt - 1)
	if d <= 0 || d > t.max {
		d = t.max
	}
	return d/2 + rand.N(d/2+1)
}

// retryAfter parses a Retry-After value: delay-seconds or an HTTP date.
func retryAfter(v string, now time.Time) (time.Duration, bool) {
	if v == "" {
		return 0, false
	}
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return time.Duration(s) * time.Second, true
	}
	if at, err := http.ParseTime(v); err == nil {
		return max(0, at.Sub(now)), true
	}
	return 0, false
}

// Sleep waits d, or less when ctx ends first; then it returns ctx.Err().
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
