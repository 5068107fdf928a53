package fakegithub

import (
	"crypto/subtle"
	"fmt"
	"net/http"
	"strconv"

	"github.com/klauspost/compress/snappy"
)

// BundleForm says how the attestation list endpoints hand out each bundle.
// GitHub's answers carry the bundle inline ("bundle"), a URL of a
// snappy-compressed copy in blob storage ("bundle_url"), or both; gh
// reads bundle_url when it is set and falls back to the inline bundle.
type BundleForm int

const (
	// BundleInline: "bundle" only, as the API first answered.
	BundleInline BundleForm = iota
	// BundleAndURL: "bundle" and "bundle_url".
	BundleAndURL
	// BundleURLOnly: "bundle": null and "bundle_url".
	BundleURLOnly
)

// EndpointBundleBlob serves the blob-storage copies bundle_url points to.
// Real blob storage is another host; here it is a path of its own, outside
// the API prefix, and it takes no GitHub token.
const EndpointBundleBlob = "GET /_blobs/bundles/{attestation_id}"

// WithBundleForm sets how list answers carry bundles (default BundleInline).
func WithBundleForm(f BundleForm) Option {
	return func(o *options) error {
		if f < BundleInline || f > BundleURLOnly {
			return fmt.Errorf("WithBundleForm: unknown form %d", f)
		}
		o.bundleForm = f
		return nil
	}
}

// bundleURL is where the snappy-compressed copy of attestation id lives:
// an unguessable signed URL, as blob storage's shared-access URLs are.
func (s *Server) bundleURL(r *http.Request, id int64) string {
	return fmt.Sprintf("%s/_blobs/bundles/%d?sig=%s", origin(r), id, s.sign(-id))
}

// serveBundle answers a bundle_url: the bundle's JSON, snappy block
// compressed, as application/octet-stream. The URL's signature is the only
// credential: a request that also carries an Authorization header is
// refused with 400, as blob storage refuses a second authentication scheme,
// so a client that leaks its GitHub token there fails its test. A wrong
// signature gets 403.
func (s *Server) serveBundle(w http.ResponseWriter, r *http.Request, p params) {
	id, _ := strconv.ParseInt(p["attestation_id"], 10, 64)
	if r.Header.Get("Authorization") != "" {
		http.Error(w, "Only one auth mechanism allowed; the URL is already signed", http.StatusBadRequest)
		return
	}
	if subtle.ConstantTimeCompare([]byte(r.URL.Query().Get("sig")), []byte(s.sign(-id))) != 1 {
		http.Error(w, "Server failed to authenticate the request.", http.StatusForbidden)
		return
	}
	s.mu.Lock()
	var bundle []byte
	for _, rp := range s.repos {
		for _, a := range rp.attestations {
			if a.ID == id {
				bundle = a.Bundle
			}
		}
	}
	s.mu.Unlock()
	if bundle == nil {
		http.Error(w, "The specified blob does not exist.", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(snappy.Encode(nil, bundle))
}
