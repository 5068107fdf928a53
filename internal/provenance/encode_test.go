package provenance

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"google.golang.org/protobuf/encoding/protojson"

	"github.com/provenant/provenant/internal/intoto"
)

const hex64 = "b569bf992b287f55d78bf8ee476497e9b7e9d2bf1c338860bfb905016218c740"

// protojsonBuild is what Build returned before it encoded subjects itself.
func protojsonBuild(t *testing.T, c Context, subjects []intoto.Subject, o Options) ([]byte, error) {
	t.Helper()
	st, err := Statement(c, subjects, o)
	if err != nil {
		return nil, err
	}
	return protojson.Marshal(st)
}

func compact(t *testing.T, b []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	if err := json.Compact(&out, b); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, b)
	}
	return out.Bytes()
}

// TestBuild_equalsProtojson holds Build's own subject encoding byte for byte
// equal (after json.Compact, since protojson varies its spacing) to
// protojson's marshalling of the same statement, for names and digests
// that need escaping, several algorithms and an empty name.
func TestBuild_equalsProtojson(t *testing.T) {
	t.Parallel()
	var ctl strings.Builder
	for r := rune(0); r < 0x20; r++ {
		ctl.WriteRune(r)
	}
	subjects := [][]intoto.Subject{
		testSubjects,
		{{Name: `quote " backslash \ slash / <html> & amp`, Digest: intoto.DigestSet{"sha256": hex64}}},
		{{Name: "control " + ctl.String() + " del \x7f", Digest: intoto.DigestSet{"sha256": hex64}}},
		{{Name: "unicode é ✓ 𝄞 \u2028 \u2029 \ufffd", Digest: intoto.DigestSet{"sha256": hex64}}},
		{{Name: "", Digest: intoto.DigestSet{"sha256": hex64}}},
		{{Name: "many", Digest: intoto.DigestSet{"sha512": strings.Repeat("ab", 64), "sha256": hex64, "sha1": strings.Repeat("cd", 20), "x-custom": "not hex \"quoted\""}}},
		{{Name: "a", Digest: intoto.DigestSet{"sha256": hex64}}, {Name: "b\tc", Digest: intoto.DigestSet{"gitCommit": strings.Repeat("0", 40)}}},
	}
	for _, sc := range []string{"tag_push", "workflow_dispatch_inputs"} {
		for _, v := range []Version{V1, V02} {
			c := loadScenario(t, sc)
			for i, subs := range subjects {
				t.Run(fmt.Sprintf("%s_%s_%d", sc, v, i), func(t *testing.T) {
					t.Parallel()
					want, err := protojsonBuild(t, c, subs, Options{Version: v})
					if err != nil {
						t.Fatalf("protojson: %v", err)
					}
					got, err := Build(c, subs, Options{Version: v})
					if err != nil {
						t.Fatalf("Build() error: %v", err)
					}
					if w, g := compact(t, want), compact(t, got); !bytes.Equal(w, g) {
						t.Errorf("Build() differs from protojson:\nwant %s\ngot  %s", w, g)
					}
				})
			}
		}
	}
}

// TestBuild_invalidLikeProtojson checks that Build refuses what protojson
// or Validate refuses.
func TestBuild_invalidLikeProtojson(t *testing.T) {
	t.Parallel()
	c := loadScenario(t, "tag_push")
	cases := []struct {
		name     string
		subjects []intoto.Subject
	}{
		{"invalid_utf8_name", []intoto.Subject{testSubjects[0], {Name: "bad \xff", Digest: intoto.DigestSet{"sha256": hex64}}}},
		{"invalid_utf8_digest_key", []intoto.Subject{{Name: "a", Digest: intoto.DigestSet{"x-\xfe": "00"}}}},
		{"short_digest_later", []intoto.Subject{testSubjects[0], {Name: "b", Digest: intoto.DigestSet{"sha256": "abcd"}}}},
		{"not_hex_later", []intoto.Subject{testSubjects[0], {Name: "b", Digest: intoto.DigestSet{"sha256": strings.Repeat("zz", 32)}}}},
		{"no_digest_later", []intoto.Subject{testSubjects[0], {Name: "b"}}},
		{"nothing_later", []intoto.Subject{testSubjects[0], {}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, perr := protojsonBuild(t, c, tc.subjects, Options{})
			if perr == nil {
				t.Fatal("protojson accepted the subjects; the case tests nothing")
			}
			if _, err := Build(c, tc.subjects, Options{}); err == nil {
				t.Errorf("Build() accepted what protojson refused (%v)", perr)
			}
		})
	}
}

// FuzzBuild_equalsProtojson compares the two encodings on arbitrary names.
func FuzzBuild_equalsProtojson(f *testing.F) {
	for _, s := range []string{"a", "\x00", "\"\\", "é", "\u2028", "\xff"} {
		f.Add(s, "sha256")
	}
	f.Fuzz(func(t *testing.T, name, alg string) {
		c := loadScenario(t, "tag_push")
		subs := []intoto.Subject{{Name: name, Digest: intoto.DigestSet{alg: hex64}}}
		want, perr := protojsonBuild(t, c, subs, Options{})
		got, err := Build(c, subs, Options{})
		if (perr == nil) != (err == nil) {
			t.Fatalf("protojson error %v, Build() error %v", perr, err)
		}
		if perr == nil && !bytes.Equal(compact(t, want), compact(t, got)) {
			t.Errorf("Build() differs from protojson:\nwant %s\ngot  %s", want, got)
		}
	})
}
