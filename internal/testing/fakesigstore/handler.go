package fakesigstore

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
)

// maxBody bounds request bodies, as Fulcio's 4 MiB limit does.
const maxBody = 4 << 20

// Handler returns the HTTP handler for the two endpoints:
//
//   - POST /api/v2/signingCert, Fulcio's certificate request with a public
//     key and a proof of possession. It checks the token's claims (not its
//     signature) and the proof, and answers with leaf, intermediate and
//     root in signedCertificateDetachedSct, as Fulcio does without a CT
//     log. Every client error is a 400 with grpc-gateway's JSON body, as in
//     Fulcio v1.8.8.
//   - POST /api/v1/timestamp, an RFC 3161 timestamp request
//     (application/timestamp-query), answered with a DER timestamp
//     response signed by the TSA leaf.
//
// Every request is counted by path before anything else happens, and a
// scripted fault (FailNext) answers before the endpoint does.
func (s *Sigstore) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc(SigningCertPath, s.serveSigningCert)
	mux.HandleFunc(TimestampPath, s.serveTimestamp)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.countAndFault(w, r) {
			return
		}
		mux.ServeHTTP(w, r)
	})
}

// fault is one scripted answer and how many more times to give it.
type fault struct {
	status int
	left   int
}

// FailNext makes the next times requests to path (SigningCertPath,
// TimestampPath, or any other) answer status with the endpoint's usual
// error body, without being handled. Calls queue in order, so
// FailNext(p, 1, 503) then FailNext(p, 1, 500) scripts "503, then 500, then
// normal service".
//
// sigstore-go v1.3.0 retries 5xx and 429 as many times as its Retries
// option says, after 1 s, 2 s, 4 s and so on. It also waits that first
// second when Retries is 0, and once its retries are spent it reports
// "http: read on closed response body" instead of the status.
//
// status must be between 400 and 599; anything else is a mistake in the
// test and panics.
func (s *Sigstore) FailNext(path string, times, status int) {
	if status < 400 || status > 599 {
		panic(fmt.Sprintf("fakesigstore.FailNext: status %d is not an error status", status))
	}
	if times <= 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[path] = append(s.faults[path], &fault{status: status, left: times})
}

// Requests reports how many requests have reached path, whatever their
// method or outcome, scripted faults included.
func (s *Sigstore) Requests(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests[path]
}

// countAndFault counts r and, if a fault is scripted for its path, answers
// it and reports true.
func (s *Sigstore) countAndFault(w http.ResponseWriter, r *http.Request) bool {
	path := r.URL.Path
	s.mu.Lock()
	s.requests[path]++
	status := 0
	if q := s.faults[path]; len(q) > 0 {
		status = q[0].status
		if q[0].left--; q[0].left == 0 {
			s.faults[path] = q[1:]
		}
	}
	s.mu.Unlock()
	if status == 0 {
		return false
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, maxBody))
	if path == TimestampPath {
		writeTSAError(w, status, http.StatusText(status))
	} else {
		writeFulcioError(w, status, http.StatusText(status))
	}
	return true
}

// allowPost answers 405 and reports false unless r is a POST.
func allowPost(w http.ResponseWriter, r *http.Request) bool {
	if r.Method == http.MethodPost {
		return true
	}
	w.Header().Set("Allow", http.MethodPost)
	http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	return false
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v) // the client may have gone; nothing to do
}
