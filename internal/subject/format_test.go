package subject

import (
	"github.com/provenant/provenant/internal/intoto"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestFormatSHA256Sum(t *testing.T) {
	t.Parallel()
	subjects := []intoto.Subject{
		{Name: "b.txt", Digest: d256("b")},
		{Name: "only-512", Digest: map[string]string{"sha512": sum512("x")}},
		{Name: "*star", Digest: d256("s")},
		{Name: " space", Digest: d256("sp")},
		{Name: "a.txt", Digest: map[string]string{"sha256": hexA, "sha512": sum512("a")}},
	}
	want := hexB + "  b.txt\n" + sum256("s") + " **star\n" + sum256("sp") + " * space\n" + hexA + "  a.txt\n"
	if diff := cmp.Diff(want, string(FormatSHA256Sum(subjects))); diff != "" {
		t.Errorf("FormatSHA256Sum() mismatch (-want +got):\n%s", diff)
	}
	if got := FormatSHA256Sum(nil); len(got) != 0 {
		t.Errorf("FormatSHA256Sum(nil) = %q; want empty", got)
	}
}

// TestEncodeBase64_roundTrip checks that EncodeBase64 output read back as
// base64-subjects (and FormatSHA256Sum output as subject-checksums) gives
// the sha256 subjects back.
func TestEncodeBase64_roundTrip(t *testing.T) {
	t.Parallel()
	subjects := []intoto.Subject{
		{Name: "dist/app_linux_amd64.tar.gz", Digest: d256("1")},
		{Name: "*starts-with-star", Digest: d256("2")},
		{Name: "  two leading spaces", Digest: d256("3")},
		{Name: `back\slash and "quotes" and ünïcode`, Digest: d256("4")},
		{Name: "user@host:tag", Digest: d256("5")},
	}
	for _, in := range []Inputs{
		{Base64: EncodeBase64(subjects)},
		{Checksums: string(FormatSHA256Sum(subjects))},
	} {
		got, err := Resolve(t.Context(), in, WithWorkspace(t.TempDir()))
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(subjects, got); diff != "" {
			t.Errorf("round trip mismatch (-want +got):\n%s", diff)
		}
	}
}

func TestImageRefs(t *testing.T) {
	t.Parallel()
	h := strings.Repeat("ab", 32)
	cases := []struct {
		in   Inputs
		want []string
	}{
		{Inputs{Images: "ghcr.io/acme/app:1.0@sha256:" + h + "\n127.0.0.1:15000/o/b@sha256:" + h},
			[]string{"ghcr.io/acme/app@sha256:" + h, "127.0.0.1:15000/o/b@sha256:" + h}},
		{Inputs{Images: "ghcr.io/acme/app", ImageDigest: "sha256:" + h}, []string{"ghcr.io/acme/app@sha256:" + h}},
		{Inputs{Images: "ghcr.io/acme/app:latest"}, nil},
		{Inputs{}, nil},
	}
	for _, tc := range cases {
		if diff := cmp.Diff(tc.want, ImageRefs(tc.in)); diff != "" {
			t.Errorf("ImageRefs(%+v) mismatch (-want +got):\n%s", tc.in, diff)
		}
	}
}
