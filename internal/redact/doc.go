// Package redact keeps secrets out of text that people will read: error
// messages and the job log. It lists the forms a secret takes once
// encoded, replaces them in text, and strips credentials and query values
// from URLs. It is pure: no I/O, and it imports only the standard library
// (no net, no net/http).
package redact
