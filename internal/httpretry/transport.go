package httpretry

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/provenant/provenant/internal/redact"
)

// Transport retries requests through an inner RoundTripper.
type Transport struct {
	inner      http.RoundTripper
	retrier    *Retrier
	max        time.Duration
	lastAnswer bool
}

var _ http.RoundTripper = (*Transport)(nil)

// New returns a retrying Transport.
func New(opts ...Option) (*Transport, error) {
	o, err := newOptions(opts)
	if err != nil {
		return nil, err
	}
	return &Transport{inner: o.inner, retrier: o.retrier(), max: o.max, lastAnswer: o.lastAnswer}, nil
}

// StatusError is what a Transport returns when every attempt got an
// answer worth retrying (5xx, 429) and it gave up: it names the service's
// URL without credentials or query values, the last status and the
// attempts. It replaces the last answer because some clients mishandle
// it: sigstore-go v1.3.0's Fulcio and TSA clients close the body of a
// final 5xx and then read it, reporting only "http: read on closed
// response body". WithLastAnswer keeps the answer for clients that read
// the service's error body themselves.
type StatusError struct {
	Method     string
	URL        string // scheme://host/path, redacted
	StatusCode int
	Status     string // e.g. "503 Service Unavailable"
	Attempts   int
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("%s %s answered HTTP %s to %d attempts; the service is failing or overloaded, try again later",
		e.Method, e.URL, e.Status, e.Attempts)
}

// newStatusError describes the last answer to req.
func newStatusError(req *http.Request, resp *http.Response, attempts int) *StatusError {
	status := resp.Status
	if status == "" {
		status = fmt.Sprintf("%d %s", resp.StatusCode, http.StatusText(resp.StatusCode))
	}
	return &StatusError{Method: req.Method, URL: redactedURL(req), StatusCode: resp.StatusCode, Status: status, Attempts: attempts}
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
	cur, first := req, true
	n, err := t.retrier.Do(req.Context(), func(ctx context.Context) error {
		if last != nil {
			discard(last)
			last = nil
		}
		if !first { // the body was read, even when the attempt failed
			next, err := rewind(ctx, req)
			if err != nil {
				return err
			}
			cur = next
		}
		first = false
		resp, err := t.inner.RoundTrip(cur)
		if err != nil {
			return err
		}
		if err := buffer(cur.Method, resp); err != nil {
			return fmt.Errorf("reading the answer of %s %s: %w", req.Method, redactedURL(req), err)
		}
		last = resp
		if TemporaryStatus(resp.StatusCode) {
			return &statusError{resp: resp}
		}
		return nil
	}, t.classify)
	if err == nil {
		return last, nil
	}
	var se *statusError
	gaveUp := errors.As(err, &se) && req.Context().Err() == nil
	switch {
	case gaveUp && t.lastAnswer:
		return last, nil
	case gaveUp:
		discard(last)
		return nil, newStatusError(req, se.resp, n)
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
	return UseBackoff, TemporaryAttempt(err)
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

// redactedURL is req's URL without credentials, query or fragment.
func redactedURL(req *http.Request) string {
	u := *req.URL
	u.User, u.RawQuery, u.Fragment = nil, "", ""
	return redact.URL(u.String())
}

// maxBuffered is the largest answer body a Transport reads before
// returning the answer.
const maxBuffered = 1 << 20

// buffer reads a small answer's body of known length into memory, so
// that an answer cut short is an error of this attempt, retried like a
// dropped connection, rather than of the caller's later read. Larger
// bodies, and bodies of unknown length, stream as they are. Answers
// without a body (HEAD, 204, 304) are left alone.
func buffer(method string, resp *http.Response) error {
	noBody := method == http.MethodHead || resp.StatusCode == http.StatusNoContent || resp.StatusCode == http.StatusNotModified
	if noBody || resp.ContentLength < 0 || resp.ContentLength > maxBuffered || resp.Body == nil || resp.Body == http.NoBody {
		return nil
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err == nil && int64(len(b)) != resp.ContentLength {
		err = io.ErrUnexpectedEOF
	}
	if err != nil {
		return err
	}
	resp.Body = io.NopCloser(bytes.NewReader(b))
	return nil
}

// discard drains and closes an answer that will not be returned, so its
// connection can be reused.
func discard(resp *http.Response) {
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
}
