package signing

import (
	"errors"
	"fmt"
	"io"
	"syscall"
	"testing"

	"github.com/provenant/provenant/internal/httpretry"
)

// TestSign_logFailures classifies signing errors as sigstore-go v1.3.0
// gives them (the messages seen from the real rekor-server and
// rekor-tiles behind the fault proxy): a transparency log's transient
// failure makes Sign start again, a Fulcio or TSA failure (already
// retried by its transport) does not.
func TestSign_logFailures(t *testing.T) {
	t.Parallel()
	s := &Sigstore{services: Services{CA: "https://fulcio.example", TSAs: []string{"https://tsa.example/api/v1/timestamp"},
		Logs: []Log{{URL: "https://rekor.example", Version: 2}}}}
	cases := []struct {
		name            string
		err             error
		failed, retried bool
	}{
		{"v2_503", errors.New("adding rekor v2 entry: unexpected response: 503 Service Unavailable"), true, true},
		{"v2_429", errors.New("adding rekor v2 entry: unexpected response: 429 Too Many Requests"), true, true},
		{"v2_400", errors.New("adding rekor v2 entry: unexpected response: 400 bad entry"), true, false},
		{"v2_reset", fmt.Errorf("adding rekor v2 entry: getting response: %w", syscall.ECONNRESET), true, true},
		{"v2_cut_short", fmt.Errorf("adding rekor v2 entry: reading response: %w", io.ErrUnexpectedEOF), true, true},
		{"v1_cut_short", io.ErrUnexpectedEOF, true, true},
		{"fulcio_gave_up", &httpretry.StatusError{Method: "POST", URL: "https://fulcio.example/api/v2/signingCert", StatusCode: 503}, false, false},
		{"tsa_cut_short", fmt.Errorf("reading the answer of POST https://tsa.example/api/v1/timestamp: %w", io.ErrUnexpectedEOF), false, false},
	}
	for _, tc := range cases {
		failed := s.logFailed(tc.err)
		retried := failed && logTransient(tc.err)
		if failed != tc.failed || retried != tc.retried {
			t.Errorf("%s: log failed %v, retried %v; want %v, %v", tc.name, failed, retried, tc.failed, tc.retried)
		}
	}
}
