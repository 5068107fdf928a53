package signing_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/provenant/provenant/internal/signing"
	"github.com/provenant/provenant/internal/testing/fakeoidc"
	"github.com/provenant/provenant/internal/testing/fakesigstore"
	"github.com/provenant/provenant/internal/timing"
)

// countingTransport counts the requests for one path.
type countingTransport struct {
	path string
	n    atomic.Int64
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Path == c.path {
		c.n.Add(1)
	}
	return http.DefaultTransport.RoundTrip(r)
}

func statementNaming(t *testing.T, i int) []byte {
	t.Helper()
	sum := sha256.Sum256(fmt.Appendf(nil, "artifact %d", i))
	b, err := json.Marshal(map[string]any{"_type": "https://in-toto.io/Statement/v1", "predicateType": "https://slsa.dev/provenance/v1",
		"subject": []any{map[string]any{"name": "a", "digest": map[string]string{"sha256": hex.EncodeToString(sum[:])}}}, "predicate": map[string]any{}})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestSigstore_oneCertificateForAllStatements signs statements at the same
// time with one signer: Fulcio is asked once, every statement still gets
// its own timestamp, each bundle verifies under the trusted root (the
// signer checks it, being given one), and the spans are recorded.
func TestSigstore_oneCertificateForAllStatements(t *testing.T) {
	t.Parallel()
	ss := fakesigstore.NewTestServer(t)
	trusted, err := ss.TrustedRoot()
	if err != nil {
		t.Fatal(err)
	}
	tok, err := fakeoidc.NewTestServer(t).Mint("sigstore", nil)
	if err != nil {
		t.Fatal(err)
	}
	rt := &countingTransport{path: fakesigstore.SigningCertPath}
	s, err := signing.New(signing.Services{CA: ss.FulcioURL(), TSAs: []string{ss.TSAURL()}}, trusted, tok, signing.WithTransport(rt))
	if err != nil {
		t.Fatal(err)
	}
	rec := timing.New(nil)
	ctx := timing.NewContext(t.Context(), rec)
	const n = 5
	bundles := make([][]byte, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			b, err := s.Sign(ctx, statementNaming(t, i))
			if err != nil {
				t.Errorf("Sign(%d) = %v", i, err)
			}
			bundles[i] = b
		})
	}
	wg.Wait()
	if got := rt.n.Load(); got != 1 {
		t.Errorf("Fulcio was asked %d times for %d statements; want once", got, n)
	}
	certs := map[string]bool{}
	for i, b := range bundles {
		var m struct {
			VerificationMaterial struct {
				Certificate               struct{ RawBytes string }
				TimestampVerificationData struct {
					Rfc3161Timestamps []json.RawMessage
				}
			}
		}
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("bundle %d: %v", i, err)
		}
		certs[m.VerificationMaterial.Certificate.RawBytes] = true
		if got := len(m.VerificationMaterial.TimestampVerificationData.Rfc3161Timestamps); got != 1 {
			t.Errorf("bundle %d has %d timestamps; want 1", i, got)
		}
	}
	if len(certs) != 1 {
		t.Errorf("the bundles carry %d certificates; want the same one", len(certs))
	}
	sums := rec.Report().Sums
	for _, name := range []string{"fulcio", "tsa"} {
		if _, ok := sums[name]; !ok {
			t.Errorf("no %q span recorded; spans: %v", name, sums)
		}
	}
}

// TestSigstore_renewsCertificate checks that a certificate that would
// expire before a signing's deadline is not used again: with a deadline
// longer than the certificate lives, every statement gets a new one.
func TestSigstore_renewsCertificate(t *testing.T) {
	t.Parallel()
	ss := fakesigstore.NewTestServer(t)
	tok, err := fakeoidc.NewTestServer(t).Mint("sigstore", nil)
	if err != nil {
		t.Fatal(err)
	}
	rt := &countingTransport{path: fakesigstore.SigningCertPath}
	s, err := signing.New(signing.Services{CA: ss.FulcioURL(), TSAs: []string{ss.TSAURL()}}, nil, tok, signing.WithTransport(rt))
	if err != nil {
		t.Fatal(err)
	}
	signing.SetDeadline(s, 24*time.Hour)
	for i := range 2 {
		if _, err := s.Sign(t.Context(), statementNaming(t, i)); err != nil {
			t.Fatalf("Sign(%d) = %v", i, err)
		}
	}
	if got := rt.n.Load(); got != 2 {
		t.Errorf("Fulcio was asked %d times for 2 statements; want twice, the first certificate being too short-lived", got)
	}
}
