package httpretry

import (
	"context"
	"errors"
	"io"
	"net/http"
	"time"
)

// Transport retries requests through an inner RoundTripper.
type Transport struct {
	inner   http.RoundTripper
	retrier *Retrier
	max     time.Duration
}

var _ http.RoundTripper = (*Transport)(nil)

// New returns a retrying Transport.
func New(opts ...Option) (*Transport, error) {
	o, err := newOptions(opts)
	if err != nil {
		return nil, err
	}
	return &Transport{inner: o.inner, retrier: o.retrier(), max: o.max}, nil
}

// statusError is an answer worth retrying, kept so that the last one can
// be returned as the response.
type statusError struct{ resp *http.Response }

func (e *statusError) Error() string { return e.resp.Status }

// RoundTrip sends the request, retrying transient failures. Requests with a
// body are retried only when the body can be replayed (GetBody is set, as
// http.NewRequest does for in-memory bodies). When every attempt got a
// retryable status, the last answer is returned as it is.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil && req.Body != http.NoBody && req.GetBody == nil {
		return t.inner.RoundTrip(req)
	}
	var last *http.Response
	cur := req
	_, err := t.retrier.Do(req.Context(), func(ctx context.Context) error {
		if last != nil {
			discard(last)
			last = nil
			next, err := rewind(ctx, req)
			if err != nil {
				return err
			}
			cur = next
		}
		resp, err := t.inner.RoundTrip(cur)
		if err != nil {
			return err
		}
		last = resp
		if TemporaryStatus(resp.StatusCode) {
			return &statusError{resp: resp}
		}
		return nil
	}, t.classify)
	var se *statusError
	switch {
	case err == nil:
		return last, nil
	case errors.As(err, &se) && req.Context().Err() == nil:
		return last, nil
	}
	if last != nil {
		discard(last)
	}
	if se != nil {
		return nil, req.Context().Err()
	}
	return nil, err
}

// classify retries temporary network errors with backoff, and retryable
// statuses after what Retry-After asks for, capped, or with backoff.
func (t *Transport) classify(err error, _ int) (time.Duration, bool) {
	var se *statusError
	if errors.As(err, &se) {
		if d, ok := RetryAfter(se.resp.Header.Get("Retry-After"), time.Now()); ok {
			return min(d, t.max), true
		}
		return UseBackoff, true
	}
	return UseBackoff, Temporary(err)
}

// rewind returns a copy of req with a fresh copy of its body for the
// next attempt; a RoundTripper must not change the request it was given.
func rewind(ctx context.Context, req *http.Request) (*http.Request, error) {
	if req.GetBody == nil {
		return req, nil
	}
	body, err := req.GetBody()
	if err != nil {
		return nil, err
	}
	next := req.Clone(ctx)
	next.Body = body
	return next, nil
}

// discard drains and closes an answer that will not be returned, so its
// connection can be reused.
func discard(resp *http.Response) {
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
}
