package faultproxy

import (
	"bytes"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Proxy is a reverse proxy with scripted faults in front of one service.
// It is safe for concurrent use.
type Proxy struct {
	// URL is the proxy's root, http://127.0.0.1:<port>: use it in place
	// of the service's URL.
	URL string

	target *url.URL
	rp     *httputil.ReverseProxy

	mu       sync.Mutex
	rules    []*active
	requests map[string]int // "METHOD path" → count
	faults   int
}

type active struct {
	Rule
	used int
}

// New starts a proxy in front of target (the service's root URL) and
// stops it when the test ends. Requests keep their Host header, so a
// service that builds absolute URLs from it (upload URLs, locations)
// points clients back at the proxy.
func New(t testing.TB, target string) *Proxy {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil || u.Host == "" {
		t.Fatalf("faultproxy.New: target %q is not a URL", target)
	}
	p := &Proxy{target: u, requests: map[string]int{}}
	p.rp = &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(u)
			pr.Out.Host = pr.In.Host
		},
		ErrorLog: log.New(io.Discard, "", 0),
	}
	srv := httptest.NewServer(http.HandlerFunc(p.serve))
	t.Cleanup(srv.Close)
	p.URL = srv.URL
	return p
}

// Inject adds rules; the first matching rule with faults left applies.
func (p *Proxy) Inject(rules ...Rule) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, r := range rules {
		p.rules = append(p.rules, &active{Rule: r})
	}
}

// Clear removes every rule, so the service answers normally again.
func (p *Proxy) Clear() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rules = nil
}

// Requests counts the requests seen with the method ("" for any) whose
// path starts with path, faulted or not.
func (p *Proxy) Requests(method, path string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for k, c := range p.requests {
		m, pth, _ := strings.Cut(k, " ")
		if (method == "" || m == method) && strings.HasPrefix(pth, path) {
			n += c
		}
	}
	return n
}

// Faults counts the faults injected so far.
func (p *Proxy) Faults() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.faults
}

// match counts the request and returns the fault it gets, if any.
func (p *Proxy) match(r *http.Request) (Fault, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.requests[r.Method+" "+r.URL.Path]++
	for _, a := range p.rules {
		if (a.Method != "" && a.Method != r.Method) || !strings.HasPrefix(r.URL.Path, a.Path) {
			continue
		}
		if a.Times > 0 && a.used >= a.Times {
			continue
		}
		a.used++
		p.faults++
		return a.Fault, true
	}
	return Fault{}, false
}

func (p *Proxy) serve(w http.ResponseWriter, r *http.Request) {
	f, ok := p.match(r)
	if !ok {
		p.rp.ServeHTTP(w, r)
		return
	}
	switch f.kind {
	case statusFault:
		for k, v := range f.header {
			w.Header()[k] = v
		}
		http.Error(w, "faultproxy: injected "+f.String(), f.status)
	case resetFault:
		reset(w)
	case stallFault:
		stall(r, f.stall)
		p.rp.ServeHTTP(w, r)
	case truncateFault:
		p.truncate(w, r)
	}
}

// reset hijacks the connection and closes it with an RST.
func reset(w http.ResponseWriter) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err != nil {
		return
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		tc.SetLinger(0)
	}
	conn.Close()
}

// stall waits d or until the client gives up.
func stall(r *http.Request, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-r.Context().Done():
	}
}

// truncate gets the service's answer and sends half of its body under
// the full Content-Length, then aborts the connection.
func (p *Proxy) truncate(w http.ResponseWriter, r *http.Request) {
	rec := httptest.NewRecorder()
	p.rp.ServeHTTP(rec, r)
	body := rec.Body.Bytes()
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Length", strconv.Itoa(max(len(body), 2)))
	w.WriteHeader(rec.Code)
	io.Copy(w, bytes.NewReader(body[:len(body)/2]))
	if fl, ok := w.(http.Flusher); ok {
		fl.Flush()
	}
	panic(http.ErrAbortHandler)
}
