package signing

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"

	protobundle "github.com/sigstore/protobuf-specs/gen/pb-go/bundle/v1"
	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/sign"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/provenant/provenant/internal/httpretry"
	"github.com/provenant/provenant/internal/redact"
)

// PayloadType is the DSSE payload type of in-toto statements.
const PayloadType = "application/vnd.in-toto+json"

// Signer signs an in-toto statement and returns a serialized Sigstore bundle.
type Signer interface {
	Sign(ctx context.Context, statement []byte) ([]byte, error)
}

var _ Signer = (*Sigstore)(nil)

// Sigstore signs with an ephemeral key, a Fulcio certificate and the logs
// and timestamp authorities of Services.
type Sigstore struct {
	services  Services
	trusted   root.TrustedMaterial
	token     string
	transport http.RoundTripper
	timeout   time.Duration
	deadline  time.Duration
}

type options struct {
	transport http.RoundTripper
	timeout   time.Duration
	deadline  time.Duration
}

// Option configures a Sigstore signer.
type Option func(*options) error

// WithTransport sets the transport for Fulcio and TSA requests. The default
// retries 5xx, 429 and dropped connections with backoff (httpretry).
func WithTransport(rt http.RoundTripper) Option {
	return func(o *options) error {
		if rt == nil {
			return errors.New("signing: the transport is nil")
		}
		o.transport = rt
		return nil
	}
}

// New returns a signer for the OIDC token (audience "sigstore"). trusted,
// when non-nil, makes sigstore-go check each log entry as it arrives.
func New(services Services, trusted root.TrustedMaterial, token string, opts ...Option) (*Sigstore, error) {
	if token == "" {
		return nil, errors.New("signing needs an OIDC token")
	}
	o := options{timeout: 30 * time.Second, deadline: 5 * time.Minute}
	for _, opt := range opts {
		if err := opt(&o); err != nil {
			return nil, err
		}
	}
	if o.transport == nil {
		rt, err := httpretry.New()
		if err != nil {
			return nil, err
		}
		o.transport = rt
	}
	return &Sigstore{services: services, trusted: trusted, token: token, transport: o.transport, timeout: o.timeout, deadline: o.deadline}, nil
}

// Sign signs statement as a DSSE envelope and returns the bundle as JSON.
// When a transparency log fails transiently (an error status, a dropped
// connection, an answer cut short), which sigstore-go's Rekor v2 client
// does not retry and its v1 client does not retry for a cut answer, it
// signs again from the start: a fresh key and certificate, so a log that
// stored the first entry does not refuse the second as a duplicate.
func (s *Sigstore) Sign(ctx context.Context, statement []byte) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, s.deadline)
	defer cancel()
	r, err := httpretry.NewRetrier(httpretry.WithAttempts(logAttempts))
	if err != nil {
		return nil, err
	}
	var out []byte
	_, err = r.Do(ctx, func(ctx context.Context) error {
		var serr error
		out, serr = s.signOnce(ctx, statement)
		return serr
	}, func(err error, _ int) (time.Duration, bool) {
		return httpretry.UseBackoff, s.logFailed(err) && logTransient(err)
	})
	if err != nil && s.logFailed(err) {
		return nil, fmt.Errorf("transparency log %s: %w", s.logURLs(), err)
	}
	return out, err
}

// logAttempts bounds how often Sign starts again after a transient
// transparency log failure.
const logAttempts = 4

// logStatus matches the error sigstore-go's Rekor v2 client gives for an
// error status worth another attempt.
var logStatus = regexp.MustCompile(`unexpected response: (5\d\d|429)\b`)

// logTransient reports whether a signing error is a transparency log's
// transient failure. Fulcio and TSA failures are not: their transport has
// retried already (a *httpretry.StatusError, or the network error of its
// last attempt).
func logTransient(err error) bool {
	msg := err.Error()
	var se *httpretry.StatusError
	if errors.As(err, &se) {
		return false
	}
	return logStatus.MatchString(msg) || httpretry.TemporaryAttempt(err) || strings.Contains(msg, "unexpected EOF") ||
		strings.Contains(msg, "connection reset")
}

// logFailed reports whether a signing error came from a transparency
// log: sigstore-go names Rekor in its errors, except for a v1 answer cut
// short, a bare "unexpected EOF" (Fulcio and TSA errors name their URL).
func (s *Sigstore) logFailed(err error) bool {
	msg := err.Error()
	if len(s.services.Logs) == 0 || strings.Contains(msg, s.services.CA) {
		return false
	}
	for _, u := range s.services.TSAs {
		if strings.Contains(msg, u) {
			return false
		}
	}
	return strings.Contains(msg, "rekor") || strings.Contains(msg, "unexpected EOF")
}

func (s *Sigstore) logURLs() string {
	var urls []string
	for _, l := range s.services.Logs {
		urls = append(urls, redact.URL(l.URL))
	}
	return strings.Join(urls, ", ")
}

// signOnce signs with a fresh ephemeral key.
func (s *Sigstore) signOnce(ctx context.Context, statement []byte) ([]byte, error) {
	kp, err := sign.NewEphemeralKeypair(nil)
	if err != nil {
		return nil, fmt.Errorf("signing: creating an ephemeral key: %w", err)
	}
	// sigstore-go v1.3 builds Fulcio and TSA requests without the context,
	// so those calls are bounded by the per-request timeout instead; the
	// context still bounds Rekor and the retries' waits.
	opts := sign.BundleOptions{
		CertificateProvider:        sign.NewFulcio(&sign.FulcioOptions{BaseURL: s.services.CA, Timeout: s.timeout, Transport: s.transport}),
		CertificateProviderOptions: &sign.CertificateProviderOptions{IDToken: s.token},
		Context:                    ctx,
	}
	if s.trusted != nil {
		opts.TrustedRoot = s.trusted
	}
	for _, l := range s.services.Logs {
		opts.TransparencyLogs = append(opts.TransparencyLogs,
			sign.NewRekor(&sign.RekorOptions{BaseURL: l.URL, Version: l.Version, Timeout: s.timeout, Retries: 3}))
	}
	for _, u := range s.services.TSAs {
		opts.TimestampAuthorities = append(opts.TimestampAuthorities,
			sign.NewTimestampAuthority(&sign.TimestampAuthorityOptions{URL: u, Timeout: s.timeout, Transport: s.transport}))
	}
	pb, err := sign.Bundle(&sign.DSSEData{Data: statement, PayloadType: PayloadType}, kp, opts)
	if err != nil {
		return nil, fmt.Errorf("signing: %w", redact.Error(err, s.token))
	}
	return marshal(pb)
}

func marshal(pb *protobundle.Bundle) ([]byte, error) {
	b, err := protojson.Marshal(pb)
	if err != nil {
		return nil, fmt.Errorf("signing: encoding the bundle: %w", err)
	}
	return b, nil
}
