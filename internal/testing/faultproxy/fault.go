package faultproxy

import (
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// Fault is what the proxy does instead of, or to, the service's answer.
// Build one with Status, TooManyRequests, Reset, Stall or Truncate.
type Fault struct {
	kind   kind
	status int
	header http.Header
	stall  time.Duration
}

type kind int

const (
	statusFault kind = iota
	resetFault
	stallFault
	truncateFault
)

// Status answers with the status code and a short plain-text body; the
// service never sees the request.
func Status(code int) Fault { return Fault{kind: statusFault, status: code} }

// TooManyRequests answers 429 with a Retry-After of the given whole
// seconds.
func TooManyRequests(retryAfter time.Duration) Fault {
	h := http.Header{"Retry-After": {strconv.Itoa(int(retryAfter / time.Second))}}
	return Fault{kind: statusFault, status: http.StatusTooManyRequests, header: h}
}

// Reset drops the connection without an answer: the client sees a
// connection reset (RST) or an unexpected EOF.
func Reset() Fault { return Fault{kind: resetFault} }

// Stall holds the request for d, or until the client gives up, before
// passing it on; with d past the client's timeout, the client times out.
func Stall(d time.Duration) Fault { return Fault{kind: stallFault, stall: d} }

// Truncate passes the request on, then sends the service's status and
// Content-Length but only half of its body, and drops the connection.
func Truncate() Fault { return Fault{kind: truncateFault} }

// String names the fault for test names and tables: "503",
// "429 Retry-After", "reset", "stall", "truncated body".
func (f Fault) String() string {
	switch f.kind {
	case resetFault:
		return "reset"
	case stallFault:
		return "stall"
	case truncateFault:
		return "truncated body"
	}
	if f.header.Get("Retry-After") != "" {
		return fmt.Sprintf("%d Retry-After", f.status)
	}
	return strconv.Itoa(f.status)
}

// Rule says which requests get a fault. Method "" matches any method and
// Path "" any path; Path matches by prefix. Times is how many matching
// requests get the fault, the first ones; 0 means every one (a persistent
// fault).
type Rule struct {
	Method string
	Path   string
	Fault  Fault
	Times  int
}

// Transient is a rule that faults the first n matching requests.
func Transient(method, path string, f Fault, n int) Rule {
	return Rule{Method: method, Path: path, Fault: f, Times: n}
}

// Persistent is a rule that faults every matching request.
func Persistent(method, path string, f Fault) Rule {
	return Rule{Method: method, Path: path, Fault: f}
}
