package verify

import (
	"strings"
	"testing"

	"github.com/sigstore/sigstore-go/pkg/root"
)

type ctRoot struct {
	root.BaseTrustedMaterial
	ct map[string]*root.TransparencyLog
}

func (c *ctRoot) CTLogs() map[string]*root.TransparencyLog { return c.ct }

func TestRequirementsFor(t *testing.T) {
	t.Parallel()
	noCT := &ctRoot{}
	withCT := &ctRoot{ct: map[string]*root.TransparencyLog{"k": {}}}
	cases := []struct {
		name string
		logs []uint32
		tsas int
		tr   root.TrustedMaterial
		want Requirements
	}{
		{"rekor_v1_only", []uint32{1}, 0, withCT, Requirements{TransparencyLog: true, IntegratedTime: true, SCT: true}},
		{"rekor_v2_tsa", []uint32{2}, 1, withCT, Requirements{TransparencyLog: true, SignedTimestamps: true, SCT: true}},
		{"tsa_only", nil, 1, noCT, Requirements{SignedTimestamps: true}},
		{"rekor_v1_and_tsa", []uint32{1}, 1, noCT, Requirements{TransparencyLog: true, SignedTimestamps: true}},
	}
	for _, tc := range cases {
		if got := RequirementsFor(tc.logs, tc.tsas, tc.tr); got != tc.want {
			t.Errorf("%s: RequirementsFor() = %+v, want %+v", tc.name, got, tc.want)
		}
	}
}

func TestBundle_refusals(t *testing.T) {
	t.Parallel()
	id := Identity{SAN: "https://github.com/o/r/.github/workflows/x.yml@refs/heads/main", Issuer: "https://issuer.test"}
	cases := []struct {
		name, bundle string
		req          Requirements
		wantErr      string
	}{
		{"not_json", `{`, Requirements{SignedTimestamps: true}, "not a valid Sigstore bundle"},
		{"no_time_source", `{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json"}`, Requirements{}, ""},
	}
	for _, tc := range cases {
		_, err := Bundle([]byte(tc.bundle), &ctRoot{}, "sha256", strings.Repeat("ab", 32), id, tc.req)
		if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
			t.Errorf("%s: error = %v, want %q", tc.name, err, tc.wantErr)
		}
	}
}
