package intoto_test

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/provenant/provenant/internal/intoto"
)

func TestParseBundle(t *testing.T) {
	t.Parallel()
	cases := []struct {
		file      string
		wantIndex int64
		wantTS    int
	}{
		{"rekor-v1.sigstore.json", 4242, 0},
		{"tsa-only.sigstore.json", -1, 1},
	}
	for _, tc := range cases {
		t.Run(strings.TrimSuffix(tc.file, ".sigstore.json"), func(t *testing.T) {
			t.Parallel()
			raw, err := os.ReadFile("testdata/" + tc.file)
			if err != nil {
				t.Fatal(err)
			}
			b, err := intoto.ParseBundle(raw)
			if err != nil {
				t.Fatalf("ParseBundle: %v", err)
			}
			if b.MediaType != intoto.BundleMediaType03 {
				t.Errorf("MediaType = %q", b.MediaType)
			}
			if len(b.Certificate) == 0 {
				t.Error("no certificate")
			}
			if got := b.FirstLogIndex(); got != tc.wantIndex {
				t.Errorf("FirstLogIndex = %d, want %d", got, tc.wantIndex)
			}
			if len(b.Timestamps) != tc.wantTS {
				t.Errorf("%d timestamps, want %d", len(b.Timestamps), tc.wantTS)
			}
			st, err := b.Statement()
			if err != nil {
				t.Fatalf("Statement: %v", err)
			}
			if st.PredicateType != intoto.SLSAProvenanceV1 {
				t.Errorf("PredicateType = %q", st.PredicateType)
			}
			alg, h := st.Subject[0].Digest.Preferred()
			if !st.Names(intoto.Digest{Alg: alg, Hex: strings.ToUpper(h)}) {
				t.Errorf("statement does not name its own first subject %s:%s", alg, h)
			}
			if st.Names(intoto.Digest{Alg: alg, Hex: strings.Repeat("0", 64)}) {
				t.Error("statement names a digest it does not hold")
			}
		})
	}
}

func TestParseBundle_errors(t *testing.T) {
	t.Parallel()
	cases := []struct{ name, in, want string }{
		{"not_json", `{`, "not a Sigstore bundle"},
		{"no_media_type", `{"dsseEnvelope":{}}`, "no mediaType"},
		{"dsse_line", `{"payloadType":"application/vnd.in-toto+json","payload":"e30=","signatures":[]}`, "no mediaType"},
		{"bad_index", `{"mediaType":"x","verificationMaterial":{"tlogEntries":[{"logIndex":"x"}]}}`, "tlogEntries[0].logIndex"},
		{"wrong_type", `{"mediaType":7}`, "mediaType has the wrong type"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := intoto.ParseBundle([]byte(tc.in))
			if err == nil || !strings.Contains(err.Error(), tc.want) || !errors.Is(err, intoto.ErrNotBundle) {
				t.Fatalf("ParseBundle(%s) = %v, want ErrNotBundle mentioning %q", tc.in, err, tc.want)
			}
			if strings.Contains(err.Error(), "Go struct") || strings.Contains(err.Error(), "intoto.") {
				t.Errorf("error names Go types: %v", err)
			}
		})
	}
}

func TestParseStatement(t *testing.T) {
	t.Parallel()
	cases := []struct{ name, in, want string }{
		{"v1", `{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"a","digest":{"sha256":"ab"}}],"predicateType":"p"}`, ""},
		{"v01", `{"_type":"https://in-toto.io/Statement/v0.1","subject":[{"name":"a","digest":{"sha256":"ab"}}],"predicateType":"p"}`, ""},
		{"other_type", `{"_type":"x","subject":[{"name":"a"}],"predicateType":"p"}`, `_type is "x"`},
		{"no_predicate_type", `{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"a"}]}`, "no predicateType"},
		{"no_subject", `{"_type":"https://in-toto.io/Statement/v1","predicateType":"p"}`, "no subject"},
		{"subject_not_list", `{"_type":"https://in-toto.io/Statement/v1","subject":{},"predicateType":"p"}`, "subject has the wrong type"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := intoto.ParseStatement([]byte(tc.in))
			if tc.want == "" {
				if err != nil {
					t.Fatalf("ParseStatement: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("ParseStatement = %v, want an error mentioning %q", err, tc.want)
			}
		})
	}
}

func TestParseDigest(t *testing.T) {
	t.Parallel()
	h := strings.Repeat("Ab", 32)
	got, ok := intoto.ParseDigest("sha256:" + h)
	if want := (intoto.Digest{Alg: "sha256", Hex: strings.ToLower(h)}); !ok || got != want {
		t.Errorf("ParseDigest = %v, %v; want %v", got, ok, want)
	}
	for _, bad := range []string{"sha256:" + h[:10], "md5:" + h, "sha256:" + strings.Repeat("zz", 32), h, "sha512:" + h} {
		if _, ok := intoto.ParseDigest(bad); ok {
			t.Errorf("ParseDigest(%q) accepted", bad)
		}
	}
	if diff := cmp.Diff("sha384:ff", (intoto.Digest{Alg: "sha384", Hex: "ff"}).String()); diff != "" {
		t.Error(diff)
	}
}

func TestDigestSet_Preferred(t *testing.T) {
	t.Parallel()
	cases := []struct {
		set     intoto.DigestSet
		wantAlg string
	}{
		{intoto.DigestSet{"sha512": "b", "sha256": "a"}, "sha256"},
		{intoto.DigestSet{"sha384": "c", "sha512": "b"}, "sha512"},
		{intoto.DigestSet{"gitCommit": "c"}, ""},
	}
	for _, tc := range cases {
		if alg, _ := tc.set.Preferred(); alg != tc.wantAlg {
			t.Errorf("%v.Preferred() = %q, want %q", tc.set, alg, tc.wantAlg)
		}
	}
}
