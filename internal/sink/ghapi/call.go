package ghapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/google/go-github/v84/github"

	"github.com/provenant/provenant/internal/httpretry"
)

const (
	backoffBase = time.Second
	backoffMax  = 30 * time.Second
	// maxServerWait is the longest Retry-After honoured; GitHub's secondary
	// limits usually ask for 60s.
	maxServerWait = 2 * time.Minute
	// maxResetWait is the longest wait for a spent primary rate limit to
	// reset; beyond it the job fails and says when to re-run.
	maxResetWait = time.Minute
)

// Caller runs GitHub API calls with retries. The zero value makes five
// attempts with real waits and no permission hints.
type Caller struct {
	// Attempts is the most attempts per call; 0 means 5.
	Attempts int
	// Sleep waits between attempts; nil means a real wait that ends early
	// with the context. Tests record the waits instead.
	Sleep func(context.Context, time.Duration) error
	// Hint adds what usually causes an error status for this API (e.g.
	// "; the token may lack permission: ..."), or "".
	Hint func(status int) string
}

// Do runs f, retrying transient failures: 5xx (but 501), 429, secondary
// rate limits (403 with Retry-After or the secondary-limit message),
// dropped connections and timeouts, and a spent primary limit that resets
// within maxResetWait. Waits honour Retry-After and otherwise back off
// exponentially with jitter. The error it returns names the request
// without its query and GitHub's message, never a credential; the
// go-github error stays reachable through errors.As.
func (c Caller) Do(ctx context.Context, f func(context.Context) (*github.Response, error)) error {
	attempts := c.Attempts
	if attempts <= 0 {
		attempts = 5
	}
	r, err := httpretry.NewRetrier(httpretry.WithAttempts(attempts), httpretry.WithBackoff(backoffBase, backoffMax),
		httpretry.WithSleep(c.Sleep))
	if err != nil {
		return err
	}
	var last error
	var fatal string
	n, err := r.Do(ctx, func(ctx context.Context) error {
		var resp *github.Response
		resp, last = f(ctx)
		last = withRequest(resp, last)
		return last
	}, func(err error, attempt int) (time.Duration, bool) {
		wait, retry, why := retryDelay(err, attempt)
		fatal = why
		return wait, retry
	})
	if err == nil {
		return nil
	}
	if fatal == "" && err == last {
		// The last attempt was not classified: look whether waiting could
		// ever have helped.
		_, _, fatal = retryDelay(last, n)
	}
	switch {
	case fatal != "":
		return &apiError{msg: c.describe(last) + "; " + fatal, err: last}
	case err != last:
		// The context ended a wait: say so next to the API's answer.
		return errors.Join(c.explain(last, n), ctx.Err())
	}
	return c.explain(last, n)
}

// retryDelay says whether err is worth another attempt and after how
// long, or, in fatal, why waiting would not help.
func retryDelay(err error, attempt int) (wait time.Duration, retry bool, fatal string) {
	var rl *github.RateLimitError
	var ab *github.AbuseRateLimitError
	var er *github.ErrorResponse
	var ue *url.Error
	switch {
	case errors.As(err, &rl):
		reset := rl.Rate.Reset.Time
		wait = time.Until(reset) + time.Second
		if wait > maxResetWait {
			return 0, false, fmt.Sprintf("the API rate limit is spent until %s (in %s); re-run the job after that, or use a token with a higher limit",
				reset.UTC().Format(time.TimeOnly+" MST"), time.Until(reset).Round(time.Second))
		}
		return max(wait, 0), true, ""
	case errors.As(err, &ab):
		wait = secondaryWait(ab.Response, attempt)
	case errors.As(err, &er):
		switch transient(er) {
		case notTransient:
			return 0, false, ""
		case rateLimited:
			wait = secondaryWait(er.Response, attempt)
		default:
			wait = httpretry.UseBackoff
			if d, ok := httpretry.RetryAfter(er.Response.Header.Get("Retry-After"), time.Now()); ok {
				wait = d
			}
		}
	case errors.As(err, &ue):
		return httpretry.UseBackoff, httpretry.TemporaryAttempt(err), ""
	default:
		return 0, false, ""
	}
	if wait > maxServerWait {
		return 0, false, fmt.Sprintf("GitHub asks to wait %s before retrying, longer than %s; re-run the job later", wait, maxServerWait)
	}
	return wait, true, ""
}

// withRequest names the request in an error go-github returns bare, such
// as an answer cut short ("unexpected EOF" while decoding it).
func withRequest(resp *github.Response, err error) error {
	var er *github.ErrorResponse
	var ue *url.Error
	if err == nil || resp == nil || resp.Response == nil || errors.As(err, &er) || errors.As(err, &ue) {
		return err
	}
	var rl *github.RateLimitError
	var ab *github.AbuseRateLimitError
	if errors.As(err, &rl) || errors.As(err, &ab) {
		return err
	}
	return fmt.Errorf("reading the answer of %s: %w", requestLine(resp.Response), err)
}

type transience int

const (
	notTransient transience = iota
	serverError             // 5xx: back off
	rateLimited             // 429, or 403 with Retry-After or the secondary-limit message
)

// transient says whether an API error answer is worth retrying, and how.
func transient(er *github.ErrorResponse) transience {
	if er.Response == nil {
		return notTransient
	}
	switch c := er.Response.StatusCode; {
	case c == http.StatusTooManyRequests:
		return rateLimited
	case httpretry.TemporaryStatus(c):
		return serverError
	case c == http.StatusForbidden && (er.Response.Header.Get("Retry-After") != "" ||
		strings.Contains(strings.ToLower(er.Message), "secondary rate limit")):
		return rateLimited
	}
	return notTransient
}

// secondaryWait follows GitHub's advice for secondary rate limits: wait
// as long as Retry-After says; without it, wait at least a minute, longer
// with each attempt. (go-github falls back to x-ratelimit-reset, which on
// a secondary-limit answer is the primary window's reset, up to an hour
// away, so the header is read here instead.)
func secondaryWait(resp *http.Response, attempt int) time.Duration {
	if resp != nil {
		if d, ok := httpretry.RetryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
			return d
		}
	}
	return min(time.Minute<<min(attempt-1, 4), maxServerWait)
}
