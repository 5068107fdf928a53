package release_test

import (
	"strings"
	"testing"

	"github.com/provenant/provenant/internal/sink"
	"github.com/provenant/provenant/internal/sink/release"
)

func TestSink_noTagIsANotice(t *testing.T) {
	t.Parallel()
	s := release.NewSink(nil, release.Options{}, "this run's ref is refs/heads/main, not a tag")
	stored, err := s.Deliver(t.Context(), &sink.Attestation{ProvenanceName: "a.intoto.jsonl", JSONL: []byte("{}\n")})
	n, ok := sink.AsNotice(err)
	if !ok {
		t.Fatalf("Deliver = %v, want a *sink.Notice", err)
	}
	if n.Warning || len(stored) != 0 {
		t.Errorf("notice %+v with %d copies; want a plain notice and no copy", n, len(stored))
	}
	for _, want := range []string{"refs/heads/main", "upload-tag-name"} {
		if !strings.Contains(n.Error(), want) {
			t.Errorf("notice %q does not mention %q", n.Error(), want)
		}
	}
}
