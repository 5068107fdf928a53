package input

import (
	"errors"
	"fmt"
)

// Error reports one problem with one user input. Name is the input's name as
// the user wrote it (for example "subject-path" or "base64-subjects-file"),
// Line the 1-based line inside a multi-line value, or 0 when the problem is
// not tied to a line, and Reason says what is wrong and how to fix it.
//
// Reason must never contain a secret: it is printed to the job log.
type Error struct {
	Name   string
	Line   int
	Reason string
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("input %s, line %d: %s", e.Name, e.Line, e.Reason)
	}
	return fmt.Sprintf("input %s: %s", e.Name, e.Reason)
}

// Errorf returns an *Error for the named input and line with a formatted reason.
func Errorf(name string, line int, format string, args ...any) *Error {
	return &Error{Name: name, Line: line, Reason: fmt.Sprintf(format, args...)}
}

// Is reports whether err holds at least one *Error, however deeply joined or
// wrapped. Front ends use it to tell a user mistake (exit code 1, no retry)
// from an operational failure.
func Is(err error) bool {
	var ie *Error
	return errors.As(err, &ie)
}

// All returns every *Error inside err, in order, looking through errors.Join
// trees and %w wrapping.
func All(err error) []*Error {
	var out []*Error
	var walk func(error)
	walk = func(e error) {
		if e == nil {
			return
		}
		if ie, ok := e.(*Error); ok {
			out = append(out, ie)
			return
		}
		switch u := e.(type) {
		case interface{ Unwrap() []error }:
			for _, c := range u.Unwrap() {
				walk(c)
			}
		case interface{ Unwrap() error }:
			walk(u.Unwrap())
		}
	}
	walk(err)
	return out
}
