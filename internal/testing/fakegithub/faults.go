package fakegithub

import (
	"fmt"
	"io"
	"maps"
	"math"
	"net/http"
	"path"
	"strconv"
	"time"
)

// Fault is a scripted answer the server gives instead of handling a
// request. Build one with ServerError, SecondaryRateLimit, TooManyRequests,
// PrimaryRateLimit or BrokenUpload, or fill the fields for anything else.
// Scripted answers still carry the usual headers and count as requests.
type Fault struct {
	// Status is the HTTP status.
	Status int
	// Header is set over the usual headers.
	Header http.Header
	// Message and DocumentationURL fill GitHub's JSON error body. An empty
	// Message means the status text.
	Message          string
	DocumentationURL string

	kind faultKind
}

type faultKind int

const (
	plainFault     faultKind = iota
	secondaryFault           // the message names the request id and depends on the method
	starterFault             // an upload leaves an empty "starter" asset behind
)

// ServerError answers status (500, 502, 503, 504) with GitHub's terse body.
func ServerError(status int) Fault {
	return Fault{Status: status, Message: "Server Error", DocumentationURL: docREST}
}

// SecondaryRateLimit answers 403 with GitHub's "You have exceeded a
// secondary rate limit" body and, unless retryAfter is 0, a Retry-After of
// that many seconds (rounded up). GitHub does not always send one.
func SecondaryRateLimit(retryAfter time.Duration) Fault {
	return secondary(http.StatusForbidden, retryAfter)
}

// TooManyRequests is SecondaryRateLimit answered with 429, which GitHub
// also uses for secondary limits.
func TooManyRequests(retryAfter time.Duration) Fault {
	return secondary(http.StatusTooManyRequests, retryAfter)
}

func secondary(status int, retryAfter time.Duration) Fault {
	f := Fault{Status: status, DocumentationURL: docSecondaryRateLimit, kind: secondaryFault, Header: http.Header{}}
	if retryAfter > 0 {
		f.Header.Set("Retry-After", strconv.Itoa(int(math.Ceil(retryAfter.Seconds()))))
	}
	return f
}

// PrimaryRateLimit answers 403 "API rate limit exceeded" with
// x-ratelimit-remaining 0 and x-ratelimit-reset at reset, as GitHub does
// once a token's hourly quota is spent.
func PrimaryRateLimit(reset time.Time) Fault {
	h := http.Header{}
	setRateHeaders(h, 5000, 0, 5000, reset.Unix())
	return Fault{
		Status:           http.StatusForbidden,
		Header:           h,
		Message:          "API rate limit exceeded for user ID 1.",
		DocumentationURL: docPrimaryRateLimit,
	}
}

// BrokenUpload makes an upload answer 502 after leaving an empty asset of
// that name in state "starter", which GitHub documents may happen "when an
// upstream failure occurs". A retry of the same upload then gets 422
// already_exists until the leftover is deleted.
func BrokenUpload() Fault {
	f := ServerError(http.StatusBadGateway)
	f.kind = starterFault
	return f
}

// scripted is one entry of the fault script.
type scripted struct {
	endpoint string // match by endpoint, or
	method   string // by method ("" for any) and
	pattern  string // path.Match pattern on the full request path
	left     int
	fault    Fault
}

// FailEndpoint makes the next times requests to endpoint (an Endpoint
// constant) get f. Entries are consumed in the order they were added, so
// two calls script "502, then 403".
func (s *Server) FailEndpoint(endpoint string, times int, f Fault) {
	s.addScript(&scripted{endpoint: endpoint, left: times, fault: f})
}

// FailPath makes the next times requests whose method is method ("" for
// any) and whose URL path, prefix included, matches pattern (path.Match
// syntax: "/repos/o/r/releases/*/assets") get f.
func (s *Server) FailPath(method, pattern string, times int, f Fault) {
	if _, err := path.Match(pattern, ""); err != nil {
		panic(fmt.Sprintf("fakegithub.FailPath: bad pattern %q: %v", pattern, err)) // a mistake in the test
	}
	s.addScript(&scripted{method: method, pattern: pattern, left: times, fault: f})
}

func (s *Server) addScript(e *scripted) {
	if e.left <= 0 {
		return
	}
	s.mu.Lock()
	s.script = append(s.script, e)
	s.mu.Unlock()
}

// FaultsLeft returns how many scripted answers have not been given yet.
func (s *Server) FaultsLeft() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, e := range s.script {
		n += e.left
	}
	return n
}

// applyFault answers r from the script if an entry matches.
func (s *Server) applyFault(w http.ResponseWriter, r *http.Request, rt *route, p params) bool {
	s.mu.Lock()
	f, ok := s.takeFault(r, rt.endpoint)
	if ok && f.kind == starterFault && rt.endpoint == EndpointUploadAsset {
		s.leaveStarter(r, p)
	}
	s.mu.Unlock()
	if !ok {
		return false
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, maxUpload))
	maps.Copy(w.Header(), f.Header)
	msg := f.Message
	switch {
	case f.kind == secondaryFault && r.Method == http.MethodGet:
		msg = "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."
	case f.kind == secondaryFault:
		msg = "You have exceeded a secondary rate limit and have been temporarily blocked from content creation. Please retry your request again later."
	case msg == "":
		msg = http.StatusText(f.Status)
	}
	if f.kind == secondaryFault {
		msg += " If you reach out to GitHub Support for help, please include the request ID " + w.Header().Get("X-GitHub-Request-Id") + "."
	}
	writeError(w, f.Status, msg, f.DocumentationURL, nil)
	return true
}

// takeFault consumes the first matching script entry. Callers hold s.mu.
func (s *Server) takeFault(r *http.Request, endpoint string) (Fault, bool) {
	for i, e := range s.script {
		match := e.endpoint == endpoint
		if e.endpoint == "" {
			ok, _ := path.Match(e.pattern, r.URL.Path)
			match = ok && (e.method == "" || e.method == r.Method)
		}
		if match {
			e.left--
			if e.left == 0 {
				s.script = append(s.script[:i], s.script[i+1:]...)
			}
			return e.fault, true
		}
	}
	return Fault{}, false
}
