// Package httpretry is provenant's one retry mechanism. A Retrier runs an
// operation again after transient failures, with exponential backoff and
// jitter, a cap on attempts and an optional overall deadline, and waits
// that end with the context. Transport applies it to HTTP requests:
// HTTP 5xx (but 501), 429 and dropped connections are retried, honouring
// Retry-After. Callers with their own knowledge of an API (GitHub's rate
// limits) give Do a classifier instead.
package httpretry

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"syscall"
	"time"
)

type options struct {
	inner    http.RoundTripper
	attempts int
	base     time.Duration
	max      time.Duration
	deadline time.Duration
	sleep    func(context.Context, time.Duration) error
	// lastAnswer: a Transport returns the last retryable answer, not a
	// *StatusError.
	lastAnswer bool
}

// Option configures a Retrier or a Transport.
type Option func(*options) error

// WithInner sets the transport that sends requests. The default is
// http.DefaultTransport. A Retrier ignores it.
func WithInner(rt http.RoundTripper) Option {
	return func(o *options) error {
		if rt == nil {
			return errors.New("httpretry: the inner transport is nil")
		}
		o.inner = rt
		return nil
	}
}

// WithAttempts sets how many times an operation runs at most. The default
// is 4; values below 1 mean 1.
func WithAttempts(n int) Option {
	return func(o *options) error { o.attempts = max(1, n); return nil }
}

// WithBackoff sets the first backoff delay and the cap for backoff
// delays; a Transport also caps the waits a server asks for with
// Retry-After at maxDelay. The defaults are 500ms and 30s.
func WithBackoff(base, maxDelay time.Duration) Option {
	return func(o *options) error {
		if base <= 0 || maxDelay < base {
			return fmt.Errorf("httpretry: backoff of %v capped at %v: want 0 < base <= cap", base, maxDelay)
		}
		o.base, o.max = base, maxDelay
		return nil
	}
}

// WithDeadline bounds all attempts of one operation together: no wait
// ends later than d after the first attempt started, so no attempt starts
// after it. The default is 0, no bound beyond the context's.
func WithDeadline(d time.Duration) Option {
	return func(o *options) error {
		if d < 0 {
			return fmt.Errorf("httpretry: negative deadline %v", d)
		}
		o.deadline = d
		return nil
	}
}

// WithSleep replaces the wait between attempts; tests use it to record
// waits instead of waiting. nil, and the default, is Sleep.
func WithSleep(f func(context.Context, time.Duration) error) Option {
	return func(o *options) error {
		if f == nil {
			f = Sleep
		}
		o.sleep = f
		return nil
	}
}

// WithLastAnswer makes a Transport that gives up return the last
// retryable answer (5xx, 429) as it is, for clients that read the
// service's error body themselves, such as go-containerregistry. The
// default is a *StatusError. A Retrier ignores it.
func WithLastAnswer() Option {
	return func(o *options) error { o.lastAnswer = true; return nil }
}

func newOptions(opts []Option) (options, error) {
	o := options{inner: http.DefaultTransport, attempts: 4, base: 500 * time.Millisecond, max: 30 * time.Second, sleep: Sleep}
	for _, opt := range opts {
		if err := opt(&o); err != nil {
			return o, err
		}
	}
	return o, nil
}

// Retrier decides when to try an operation again and waits in between.
type Retrier struct {
	attempts int
	base     time.Duration
	max      time.Duration
	deadline time.Duration
	sleep    func(context.Context, time.Duration) error
	now      func() time.Time
}

// NewRetrier returns a Retrier.
func NewRetrier(opts ...Option) (*Retrier, error) {
	o, err := newOptions(opts)
	if err != nil {
		return nil, err
	}
	return o.retrier(), nil
}

func (o options) retrier() *Retrier {
	return &Retrier{attempts: o.attempts, base: o.base, max: o.max, deadline: o.deadline, sleep: o.sleep, now: time.Now}
}

// UseBackoff, returned by a Classifier as the wait, asks for the
// Retrier's own exponential backoff.
const UseBackoff time.Duration = -1

// Classifier looks at the error of a failed attempt (attempt counts from
// 1) and says whether to try again, and after how long: a duration, or
// UseBackoff.
type Classifier func(err error, attempt int) (wait time.Duration, retry bool)

// Do runs try until it returns nil, classify says to stop, the attempts
// are used up, the next wait would pass the deadline, or ctx ends. It
// returns how many attempts ran and the last attempt's error, joined with
// the context's error when the context ended a wait.
func (r *Retrier) Do(ctx context.Context, try func(context.Context) error, classify Classifier) (attempts int, err error) {
	start := r.now()
	for attempt := 1; ; attempt++ {
		err := try(ctx)
		if err == nil || attempt >= r.attempts || ctx.Err() != nil {
			return attempt, err
		}
		wait, retry := classify(err, attempt)
		if !retry {
			return attempt, err
		}
		if wait < 0 {
			wait = r.Backoff(attempt)
		}
		if r.deadline > 0 && r.now().Add(wait).Sub(start) > r.deadline {
			return attempt, err
		}
		if serr := r.sleep(ctx, wait); serr != nil {
			return attempt, errors.Join(err, serr)
		}
	}
}

// Backoff is the wait after the given failed attempt: exponential from
// the base delay, capped, with jitter over its upper half.
func (r *Retrier) Backoff(attempt int) time.Duration {
	d := r.base << min(attempt-1, 30)
	if d <= 0 || d > r.max {
		d = r.max
	}
	return d/2 + rand.N(d/2+1)
}

// Temporary reports whether err from sending a request is worth another
// attempt: a dropped or refused connection, an unexpected end of the
// answer, or a timeout of the attempt itself. The caller's own
// cancellation and deadline are not.
func Temporary(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var ne net.Error
	return errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) || (errors.As(err, &ne) && ne.Timeout())
}

// TemporaryAttempt is Temporary for a caller whose context is still live,
// as it is whenever a Retrier classifies an error: then any timeout was
// the attempt's own (a client or transport timeout, such as
// http.Transport's ResponseHeaderTimeout, whose error also matches
// context.DeadlineExceeded) and is worth another attempt.
func TemporaryAttempt(err error) bool {
	var ne net.Error
	return Temporary(err) || (errors.As(err, &ne) && ne.Timeout() && !errors.Is(err, context.Canceled))
}

// TemporaryStatus reports whether an HTTP answer with this status is
// worth another attempt: 429 and 5xx except 501 Not Implemented.
func TemporaryStatus(code int) bool {
	return code == http.StatusTooManyRequests || code >= 500 && code != http.StatusNotImplemented
}

// RetryAfter parses a Retry-After value, delay-seconds or an HTTP date,
// relative to now.
func RetryAfter(v string, now time.Time) (time.Duration, bool) {
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
