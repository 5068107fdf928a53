package ghapi

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/google/go-github/v84/github"

	"github.com/provenant/provenant/internal/redact"
)

// apiError is a failed API call, described for people: the request
// without its query, the status, GitHub's message and what to do. The
// go-github error it came from stays reachable through errors.As.
type apiError struct {
	msg string
	err error
}

func (e *apiError) Error() string { return e.msg }
func (e *apiError) Unwrap() error { return e.err }

// explain describes err, noting the attempts made.
func (c Caller) explain(err error, attempts int) error {
	msg := c.describe(err)
	if attempts > 1 {
		msg += fmt.Sprintf(" (gave up after %d attempts)", attempts)
	}
	return &apiError{msg: msg, err: err}
}

// describe renders go-github's errors with URLs redacted (redact.URL:
// query values may hold signed download URLs' signatures), and adds a
// hint for the usual causes.
func (c Caller) describe(err error) string {
	var rl *github.RateLimitError
	var ab *github.AbuseRateLimitError
	var er *github.ErrorResponse
	var ue *url.Error
	switch {
	case errors.As(err, &rl):
		return requestLine(rl.Response) + ": " + rl.Message
	case errors.As(err, &ab):
		return requestLine(ab.Response) + ": " + ab.Message
	case errors.As(err, &er):
		msg := requestLine(er.Response) + ": " + er.Message
		for _, e := range er.Errors {
			msg += fmt.Sprintf(" [%s]", strings.Join(nonEmpty(e.Resource, e.Field, e.Code, e.Message), " "))
		}
		return msg + c.hint(er.Response)
	case errors.As(err, &ue):
		return fmt.Sprintf("%s %s: %v", ue.Op, redact.URL(ue.URL), ue.Err)
	}
	return err.Error()
}

// requestLine is "METHOD URL: STATUS" for an answer.
func requestLine(resp *http.Response) string {
	if resp == nil {
		return "GitHub API"
	}
	line := fmt.Sprintf("HTTP %d", resp.StatusCode)
	if resp.Request != nil && resp.Request.URL != nil {
		line = fmt.Sprintf("%s %s: %s", resp.Request.Method, redact.URL(resp.Request.URL.String()), line)
	}
	return line
}

// hint says what usually causes an error status: a refused token, then
// the API's own hint.
func (c Caller) hint(resp *http.Response) string {
	switch {
	case resp == nil:
		return ""
	case resp.StatusCode == http.StatusUnauthorized:
		return "; the token was refused: check the github-token input"
	case c.Hint != nil:
		return c.Hint(resp.StatusCode)
	}
	return ""
}

func nonEmpty(s ...string) []string {
	var out []string
	for _, v := range s {
		if v != "" {
			out = append(out, v)
		}
	}
	return out
}
