package oci

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/provenant/provenant/internal/httpretry"
)

// wrapTransport puts the request policy around inner: every attempt has its
// own timeout, and transient failures are retried with backoff.
func (o *options) wrapTransport() http.RoundTripper {
	rt, err := httpretry.New(
		httpretry.WithInner(&timeoutTransport{inner: o.transport, timeout: o.timeout}),
		httpretry.WithAttempts(o.retries+1),
		httpretry.WithBackoff(o.backoff, 30*time.Second),
		httpretry.WithLastAnswer(), // ggcr reads the registry's error body
	)
	if err != nil {
		// The policy comes from makeOptions' defaults and the test seams,
		// never from a caller: a bad one is a programming error.
		panic(fmt.Sprintf("oci: building the retry policy: %v", err))
	}
	return rt
}

// remoteOptions returns the go-containerregistry options for one operation.
// ggcr's own retries are turned off (one step) so that a failing request is
// tried 1+retries times, not multiplied by a second retry layer.
func remoteOptions(k authn.Keychain, rt http.RoundTripper) []remote.Option {
	return []remote.Option{
		remote.WithAuthFromKeychain(k),
		remote.WithTransport(rt),
		remote.WithRetryBackoff(remote.Backoff{Steps: 1}),
	}
}

// timeoutTransport bounds one request, including reading its response body.
type timeoutTransport struct {
	inner   http.RoundTripper
	timeout time.Duration
}

var _ http.RoundTripper = (*timeoutTransport)(nil)

// RoundTrip sends req with a deadline; the deadline is released when the
// response body is closed. When this attempt's own deadline passes while
// the caller's context is still live, the error is an *attemptTimeoutError,
// which the retry layer retries like any network timeout.
func (t *timeoutTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx, cancel := context.WithTimeout(req.Context(), t.timeout)
	resp, err := t.inner.RoundTrip(req.WithContext(ctx))
	if err != nil {
		cancel()
		if req.Context().Err() == nil && errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return nil, &attemptTimeoutError{method: req.Method, url: req.URL.Redacted(), timeout: t.timeout}
		}
		return nil, err
	}
	resp.Body = &cancelOnClose{ReadCloser: resp.Body, cancel: cancel}
	return resp, nil
}

// attemptTimeoutError is one request running out of its own time. It is a
// net.Error with Timeout() true and deliberately does not wrap
// context.DeadlineExceeded, which the retry layer reserves for the caller.
type attemptTimeoutError struct {
	method, url string
	timeout     time.Duration
}

var _ net.Error = (*attemptTimeoutError)(nil)

func (e *attemptTimeoutError) Error() string {
	return fmt.Sprintf("%s %s: no answer within %s", e.method, e.url, e.timeout)
}
func (e *attemptTimeoutError) Timeout() bool   { return true }
func (e *attemptTimeoutError) Temporary() bool { return true }

type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (c *cancelOnClose) Close() error {
	err := c.ReadCloser.Close()
	c.cancel()
	return err
}
