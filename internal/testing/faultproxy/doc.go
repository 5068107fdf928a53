// Package faultproxy is a fault-injecting reverse proxy for tests. A Proxy
// stands in front of any HTTP service (a fake or a real one on loopback)
// and, for requests matching a Rule, answers with a scripted fault instead
// of, or on top of, the service's answer: an error status (500, 502, 503,
// 429 with Retry-After), a connection reset, a stall past the client's
// timeout, or a body cut short. It counts every request it sees.
//
// Like ggcr's pkg/registry, it ships as a real package so that every
// service's tests can use the same faults. It binds 127.0.0.1 only and
// must not be imported by production code.
package faultproxy
