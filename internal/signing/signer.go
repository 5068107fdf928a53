package signing

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"time"

	protobundle "github.com/sigstore/protobuf-specs/gen/pb-go/bundle/v1"
	protocommon "github.com/sigstore/protobuf-specs/gen/pb-go/common/v1"
	"github.com/sigstore/sigstore-go/pkg/bundle"
	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/sign"
	sgverify "github.com/sigstore/sigstore-go/pkg/verify"
	"golang.org/x/sync/errgroup"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/provenant/provenant/internal/httpretry"
	"github.com/provenant/provenant/internal/redact"
	"github.com/provenant/provenant/internal/timing"
)

// PayloadType is the DSSE payload type of in-toto statements.
const PayloadType = "application/vnd.in-toto+json"

// Signer signs an in-toto statement and returns a serialized Sigstore bundle.
type Signer interface {
	Sign(ctx context.Context, statement []byte) ([]byte, error)
}

var _ Signer = (*Sigstore)(nil)

// Sigstore signs with an ephemeral key, a Fulcio certificate and the logs
// and timestamp authorities of Services. One key and certificate serve all
// the statements it signs (a new pair is made when the certificate would
// expire before a signing that starts now must end, so that every timestamp
// falls inside its validity), and it may sign several statements at once.
type Sigstore struct {
	services  Services
	trusted   root.TrustedMaterial
	token     string
	transport http.RoundTripper
	timeout   time.Duration
	deadline  time.Duration

	mu   sync.Mutex // guards the fields below
	kp   sign.Keypair
	cert []byte // DER
	till time.Time
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
// when non-nil, makes the signer verify each bundle with sigstore-go
// before returning it; callers that verify every bundle themselves, as
// internal/attest does, pass nil and save that work.
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
// signs again: a new signature (ECDSA signatures are randomised), so a
// log that stored the first entry does not refuse the second as a duplicate.
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

// signOnce signs once with the run's key and certificate. It asks the
// timestamp authorities and the logs at the same time: both need only the
// signature and the certificate.
func (s *Sigstore) signOnce(ctx context.Context, statement []byte) ([]byte, error) {
	kp, cert, err := s.certificate(ctx)
	if err != nil {
		return nil, err
	}
	pb, err := sign.Bundle(&sign.DSSEData{Data: statement, PayloadType: PayloadType}, kp, sign.BundleOptions{
		CertificateProvider: fixedCertificate(cert),
		Context:             ctx,
	})
	if err != nil {
		return nil, fmt.Errorf("signing: %w", redact.Error(err, s.token))
	}
	sigs := pb.GetDsseEnvelope().GetSignatures()
	if len(sigs) != 1 {
		return nil, fmt.Errorf("signing: the envelope has %d signatures, want 1", len(sigs))
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert})
	stamps := make([][]byte, len(s.services.TSAs))
	var g errgroup.Group
	g.Go(func() error { return s.timestamps(ctx, sigs[0].GetSig(), stamps) })
	g.Go(func() error { return s.logEntries(ctx, certPEM, pb) })
	if err := g.Wait(); err != nil {
		return nil, fmt.Errorf("signing: %w", redact.Error(err, s.token))
	}
	if len(stamps) > 0 {
		tvd := &protobundle.TimestampVerificationData{}
		for _, ts := range stamps {
			tvd.Rfc3161Timestamps = append(tvd.Rfc3161Timestamps, &protocommon.RFC3161SignedTimestamp{SignedTimestamp: ts})
		}
		pb.VerificationMaterial.TimestampVerificationData = tvd
	}
	if s.trusted != nil {
		if err := s.check(pb); err != nil {
			return nil, err
		}
	}
	return marshal(pb)
}

// certificate returns the signer's key and certificate, making them on
// first use and again when the certificate is about to expire.
func (s *Sigstore) certificate(ctx context.Context) (sign.Keypair, []byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.kp != nil && time.Until(s.till) > s.deadline {
		return s.kp, s.cert, nil
	}
	kp, err := sign.NewEphemeralKeypair(nil)
	if err != nil {
		return nil, nil, fmt.Errorf("signing: creating an ephemeral key: %w", err)
	}
	// sigstore-go v1.3 builds Fulcio requests without the context, so the
	// call is bounded by the per-request timeout instead.
	fulcio := sign.NewFulcio(&sign.FulcioOptions{BaseURL: s.services.CA, Timeout: s.timeout, Transport: s.transport})
	end := timing.Start(ctx, "fulcio")
	der, err := fulcio.GetCertificate(ctx, kp, &sign.CertificateProviderOptions{IDToken: s.token})
	end()
	if err != nil {
		return nil, nil, fmt.Errorf("signing: %w", redact.Error(err, s.token))
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, nil, fmt.Errorf("signing: the certificate from %s: %w", s.services.CA, err)
	}
	s.kp, s.cert, s.till = kp, der, c.NotAfter
	return kp, der, nil
}

// fixedCertificate hands sign.Bundle a certificate already obtained.
type fixedCertificate []byte

func (f fixedCertificate) GetCertificate(context.Context, sign.Keypair, *sign.CertificateProviderOptions) ([]byte, error) {
	return f, nil
}

// timestamps asks each timestamp authority, in turn, to timestamp sig.
func (s *Sigstore) timestamps(ctx context.Context, sig []byte, out [][]byte) error {
	for i, u := range s.services.TSAs {
		tsa := sign.NewTimestampAuthority(&sign.TimestampAuthorityOptions{URL: u, Timeout: s.timeout, Transport: s.transport})
		end := timing.Start(ctx, "tsa")
		ts, err := tsa.GetTimestamp(ctx, sig)
		end()
		if err != nil {
			return err
		}
		out[i] = ts
	}
	return nil
}

// logEntries adds the bundle to each log in turn. A Rekor v2 log answers
// once a checkpoint holds the entry, so its span includes that wait.
func (s *Sigstore) logEntries(ctx context.Context, certPEM []byte, pb *protobundle.Bundle) error {
	for _, l := range s.services.Logs {
		rk := sign.NewRekor(&sign.RekorOptions{BaseURL: l.URL, Version: l.Version, Timeout: s.timeout, Retries: 3})
		end := timing.Start(ctx, fmt.Sprintf("log rekor v%d", l.Version))
		err := rk.GetTransparencyLogEntry(ctx, certPEM, pb)
		end()
		if err != nil {
			return err
		}
	}
	return nil
}

// check verifies the new bundle with sigstore-go under s.trusted, as
// sign.Bundle does when given a trusted root: the timestamps and log
// entries it carries, no particular identity or artifact.
func (s *Sigstore) check(pb *protobundle.Bundle) error {
	var opts []sgverify.VerifierOption
	if n := len(s.services.TSAs); n > 0 {
		opts = append(opts, sgverify.WithSignedTimestamps(n))
	}
	if n := len(s.services.Logs); n > 0 {
		opts = append(opts, sgverify.WithTransparencyLog(n))
		if len(s.services.TSAs) == 0 {
			opts = append(opts, sgverify.WithIntegratedTimestamps(n))
		}
	}
	if len(opts) == 0 {
		opts = append(opts, sgverify.WithCurrentTime())
	}
	v, err := sgverify.NewVerifier(s.trusted, opts...)
	if err != nil {
		return fmt.Errorf("signing: checking the new bundle: %w", err)
	}
	b, err := bundle.NewBundle(pb)
	if err != nil {
		return fmt.Errorf("signing: checking the new bundle: %w", err)
	}
	if _, err := v.Verify(b, sgverify.NewPolicy(sgverify.WithoutArtifactUnsafe(), sgverify.WithoutIdentitiesUnsafe())); err != nil {
		return fmt.Errorf("signing: the new bundle does not verify: %w", err)
	}
	return nil
}

func marshal(pb *protobundle.Bundle) ([]byte, error) {
	b, err := protojson.Marshal(pb)
	if err != nil {
		return nil, fmt.Errorf("signing: encoding the bundle: %w", err)
	}
	return b, nil
}
