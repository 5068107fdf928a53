package ghattest

import (
	"context"
	"errors"
	"fmt"

	"github.com/provenant/provenant/internal/sink"
)

// Sink stores every bundle with the GitHub attestations API: it is that
// API's implementation of sink.Interface.
type Sink struct {
	c          *Client
	serverURL  string
	failOnPlan bool
}

var _ sink.Interface = (*Sink)(nil)

// NewSink returns a Sink storing with c. serverURL is used for the
// attestation links. A refusal because of the repository's plan is a
// *sink.Notice warning unless failOnPlan is set.
func NewSink(c *Client, serverURL string, failOnPlan bool) *Sink {
	return &Sink{c: c, serverURL: serverURL, failOnPlan: failOnPlan}
}

// Deliver stores each bundle and returns one copy per bundle.
func (s *Sink) Deliver(ctx context.Context, a *sink.Attestation) ([]sink.Stored, error) {
	var out []sink.Stored
	for _, b := range a.Bundles {
		id, err := s.c.Upload(ctx, b.JSON)
		if errors.Is(err, ErrPlan) && !s.failOnPlan {
			return out, &sink.Notice{Sink: "the GitHub attestations API", Warning: true, Reason: fmt.Sprintf("did not store "+
				"the attestation: %v (the files and other copies are unaffected; set fail-on-storage-error: true "+
				"to make this an error)", err)}
		}
		if err != nil {
			return out, fmt.Errorf("storing the attestation with the GitHub attestations API: %w", err)
		}
		out = append(out, sink.Stored{Kind: sink.KindAttestationsAPI, Where: fmt.Sprintf("attestation %d", id),
			URL: URL(s.serverURL, s.c.owner, s.c.repo, id), ID: id})
	}
	return out, nil
}
