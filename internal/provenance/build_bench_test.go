package provenance

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"testing"

	"google.golang.org/protobuf/encoding/protojson"

	"github.com/provenant/provenant/internal/intoto"
)

// benchSubjects returns n subjects named like release assets, each with one
// sha256 digest, as subject.Resolve returns them.
func benchSubjects(n int) []intoto.Subject {
	out := make([]intoto.Subject, n)
	for i := range out {
		sum := sha256.Sum256([]byte(fmt.Sprint(i)))
		out[i] = intoto.Subject{
			Name:   fmt.Sprintf("dist/pkg-%06d.tar.gz", i),
			Digest: intoto.DigestSet{"sha256": hex.EncodeToString(sum[:])},
		}
	}
	return out
}

// BenchmarkBuild measures Build for 1k, 10k and 100k subjects with both
// predicates, and, as the peer in the same run, protojson's marshalling of
// the equivalent *itpb.Statement (what Build did before it encoded subjects
// itself).
func BenchmarkBuild(b *testing.B) {
	c := loadScenario(b, "tag_push")
	for _, n := range []int{1_000, 10_000, 100_000} {
		for _, v := range []Version{V1, V02} {
			o := Options{Version: v}
			// The subjects are made inside each run, so that a process
			// running one sub-benchmark holds only its own (scripts/
			// bench-build.sh reads the peak RSS); b.Loop starts the timer.
			b.Run(fmt.Sprintf("subjects=%d/predicate=%s/enc=direct", n, v), func(b *testing.B) {
				subs := benchSubjects(n)
				b.ReportAllocs()
				for b.Loop() {
					if _, err := Build(c, subs, o); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run(fmt.Sprintf("subjects=%d/predicate=%s/enc=protojson", n, v), func(b *testing.B) {
				subs := benchSubjects(n)
				b.ReportAllocs()
				for b.Loop() {
					st, err := Statement(c, subs, o)
					if err != nil {
						b.Fatal(err)
					}
					if _, err := protojson.Marshal(st); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
