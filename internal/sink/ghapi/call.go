package ghapi

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
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
	attempts, sleep := c.Attempts, c.Sleep
	if attempts <= 0 {
		attempts = 5
	}
	if sleep == nil {
		sleep = httpretry.Sleep
	}
	for attempt := 1; ; attempt++ {
		_, err := f(ctx)
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return err
		}
		wait, retry, fatal := retryDelay(err, attempt)
		switch {
		case fatal != "":
			return &apiError{msg: c.describe(err) + "; " + fatal, err: err}
		case !retry || attempt >= attempts:
			return c.explain(err, attempt)
		}
		if serr := sleep(ctx, wait); serr != nil {
			return errors.Join(c.explain(err, attempt), serr)
		}
	}
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
			wait = backoff(attempt)
			if d, ok := retryAfter(er.Response.Header.Get("Retry-After")); ok {
				wait = d
			}
		}
	case errors.As(err, &ue):
		return backoff(attempt), true, ""
	default:
		return 0, false, ""
	}
	if wait > maxServerWait {
		return 0, false, fmt.Sprintf("GitHub asks to wait %s before retrying, longer than %s; re-run the job later", wait, maxServerWait)
	}
	return wait, true, ""
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
	case c == http.StatusNotImplemented:
		return notTransient
	case c >= 500:
		return serverError
	case c == http.StatusTooManyRequests:
		return rateLimited
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
		if d, ok := retryAfter(resp.Header.Get("Retry-After")); ok {
			return d
		}
	}
	return min(time.Minute<<min(attempt-1, 4), maxServerWait)
}

// backoff is exponential with full jitter over its upper half.
func backoff(attempt int) time.Duration {
	d := backoffBase << min(attempt-1, 10)
	d = min(d, backoffMax)
	return d/2 + rand.N(d/2+1)
}

// retryAfter parses Retry-After: delay-seconds or an HTTP date.
func retryAfter(v string) (time.Duration, bool) {
	if v == "" {
		return 0, false
	}
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return time.Duration(s) * time.Second, true
	}
	if at, err := http.ParseTime(v); err == nil {
		return max(0, time.Until(at)), true
	}
	return 0, false
}
