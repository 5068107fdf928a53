package fakegithub

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

const (
	docREST               = "https://docs.github.com/rest"
	docPrimaryRateLimit   = "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-primary-rate-limits"
	docSecondaryRateLimit = "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"

	jsonType = "application/json; charset=utf-8"
)

// errorBody is GitHub's error document
// (https://docs.github.com/rest/using-the-rest-api/troubleshooting-the-rest-api).
type errorBody struct {
	Message          string       `json:"message"`
	Errors           []fieldError `json:"errors,omitempty"`
	RequestID        string       `json:"request_id,omitempty"` // the upload host's errors carry it
	DocumentationURL string       `json:"documentation_url"`
	Status           string       `json:"status,omitempty"` // the API's errors carry it
}

// fieldError is one entry of a 422's "errors" array.
type fieldError struct {
	Resource string `json:"resource,omitempty"`
	Code     string `json:"code"`
	Field    string `json:"field,omitempty"`
	Message  string `json:"message,omitempty"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("fakegithub: marshalling a response: %v", err)) // our own types always marshal
	}
	w.Header().Set("Content-Type", jsonType)
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func writeError(w http.ResponseWriter, status int, msg, doc string, errs []fieldError) {
	writeJSON(w, status, errorBody{Message: msg, Errors: errs, DocumentationURL: doc, Status: strconv.Itoa(status)})
}

// notFound answers GitHub's 404 for endpoint.
func notFound(w http.ResponseWriter, endpoint string) {
	writeError(w, http.StatusNotFound, "Not Found", docs[endpoint], nil)
}

// validationFailed answers GitHub's 422 "Validation Failed".
func validationFailed(w http.ResponseWriter, endpoint string, errs ...fieldError) {
	writeError(w, http.StatusUnprocessableEntity, "Validation Failed", docs[endpoint], errs)
}

// origin is the scheme and host the request came to; URLs in answers point
// there, so they work behind httptest and on any --listen address.
func origin(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// page applies GitHub's pagination to n items: per_page defaults to 30 and
// is capped at 100, page counts from 1. It sets the Link header with
// prev, next, last and first where they apply, and returns the bounds of
// the requested page (empty beyond the last).
func page(w http.ResponseWriter, r *http.Request, n int) (lo, hi int) {
	q := r.URL.Query()
	per, err := strconv.Atoi(q.Get("per_page"))
	if err != nil || per < 1 {
		per = 30
	}
	per = min(per, 100)
	pg, err := strconv.Atoi(q.Get("page"))
	if err != nil || pg < 1 {
		pg = 1
	}
	last := max(1, (n+per-1)/per)
	q.Del("page")
	q.Set("per_page", strconv.Itoa(per))
	base := origin(r) + r.URL.Path + "?" + q.Encode() + "&page="
	var links []string
	add := func(p int, rel string) { links = append(links, fmt.Sprintf("<%s%d>; rel=%q", base, p, rel)) }
	if pg > 1 {
		add(min(pg-1, last), "prev")
	}
	if pg < last {
		add(pg+1, "next")
		add(last, "last")
	}
	if pg > 1 {
		add(1, "first")
	}
	if len(links) > 0 {
		w.Header().Set("Link", strings.Join(links, ", "))
	}
	lo = min(n, (min(pg, last+1)-1)*per)
	return lo, min(n, lo+per)
}
