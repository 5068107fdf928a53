// Package input holds the error type every front end uses to report a bad
// user input: the input's name, the line it sits on and what to do about it.
//
// It imports nothing but the standard library so that every other package
// may use it.
package input
