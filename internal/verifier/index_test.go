package verifier

import (
	"os"
	"strings"
	"testing"

	"github.com/provenant/provenant/internal/intoto"
	"github.com/provenant/provenant/internal/verify"
)

func TestIndexBySubject(t *testing.T) {
	t.Parallel()
	var cs []verify.Candidate
	for _, name := range []string{"rekor-v1", "rekor-v2-tsa", "tsa-only"} {
		b, err := os.ReadFile("../sink/oci/testdata/" + name + ".sigstore.json")
		if err != nil {
			t.Fatal(err)
		}
		cs = append(cs, verify.Candidate{JSON: b, Where: name})
	}
	cs = append(cs, verify.Candidate{JSON: []byte(`{"not":"a bundle"}`), Where: "junk"})
	idx := indexBySubject(cs)
	if len(idx.byDigest) == 0 {
		t.Fatal("no subject digest indexed")
	}
	for d, got := range idx.byDigest {
		if c := idx.covering(d); len(c) != len(got) || len(c) >= len(cs) {
			t.Errorf("covering(%s) = %d bundles, want the %d that name it", d, len(c), len(got))
		}
	}
	if c := idx.covering(intoto.Digest{Alg: "sha256", Hex: strings.Repeat("0", 64)}); len(c) != len(cs) {
		t.Errorf("an unclaimed digest gets %d bundles, want all %d", len(c), len(cs))
	}
}
