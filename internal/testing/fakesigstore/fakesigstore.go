package fakesigstore

import (
	"crypto/ecdsa"
	"crypto/x509"
	"fmt"
	"net/url"
	"sync"
	"time"
)

// Request paths, the arguments of FailNext and Requests.
const (
	// SigningCertPath is Fulcio's certificate endpoint. sigstore-go's
	// sign.FulcioOptions.BaseURL is the server's URL, without this path.
	SigningCertPath = "/api/v2/signingCert"
	// TimestampPath is the timestamp authority's endpoint.
	// sign.TimestampAuthorityOptions.URL is the server's URL with this path.
	TimestampPath = "/api/v1/timestamp"
)

// Sigstore is a fake Fulcio and timestamp authority. Its keys and CA
// certificates are made by New and never change; all methods are safe for
// concurrent use.
type Sigstore struct {
	clock     func() time.Time
	serverURL *url.URL
	audience  string
	validFrom time.Time // the start of every CA's validity

	fulcio *issuer // root and intermediate that sign code-signing leaves
	tsa    *issuer // root and the timestamping leaf
	// baseURL is the URL the handler is served at, or "". NewTestServer
	// sets it before serving; it only fills the URIs of the trusted root.
	baseURL string

	mu       sync.Mutex
	requests map[string]int
	faults   map[string][]*fault
}

// issuer is a two-level chain: a self-signed root and the certificate
// below it, with the lower one's key.
type issuer struct {
	root *x509.Certificate
	sub  *x509.Certificate // Fulcio's intermediate, or the TSA's leaf
	key  *ecdsa.PrivateKey // sub's key
}

// New returns a Sigstore with fresh ECDSA P-256 keys: a Fulcio root and
// intermediate, and a timestamp authority root and leaf whose extended key
// usage is timeStamping, marked critical. The certificates are valid from
// an hour before the clock's reading to a day after it. Every option has a
// default.
func New(opts ...Option) (*Sigstore, error) {
	github, _ := url.Parse("https://github.com")
	o := options{clock: time.Now, serverURL: github, audience: "sigstore"}
	for _, opt := range opts {
		if err := opt(&o); err != nil {
			return nil, err
		}
	}
	now := o.clock()
	s := &Sigstore{
		clock:     o.clock,
		serverURL: o.serverURL,
		audience:  o.audience,
		validFrom: now.Add(-time.Hour),
		requests:  map[string]int{},
		faults:    map[string][]*fault{},
	}
	var err error
	if s.fulcio, err = newFulcioCA(around(now)); err != nil {
		return nil, fmt.Errorf("creating Fulcio CA: %w", err)
	}
	// The PKCS #7 layer of a timestamp carries a signing time taken from the
	// wall clock, which verifiers check against the TSA leaf too.
	if s.tsa, err = newTSA(around(now, time.Now())); err != nil {
		return nil, fmt.Errorf("creating timestamp authority: %w", err)
	}
	return s, nil
}
