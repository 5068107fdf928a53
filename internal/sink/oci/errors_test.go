package oci

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/random"
)

func TestPusher_Attach_errors(t *testing.T) {
	t.Parallel()
	host := newRegistry(t, false)
	img := pushImage(t, host, "octo-org/app")
	bundle, chain := bundleFor(t, img, kindRekorV1)
	missing, err := random.Image(64, 1)
	if err != nil {
		t.Fatal(err)
	}
	missingDigest, _ := missing.Digest()
	missingRef := img.Context().Digest(missingDigest.String())
	missingBundle, _ := bundleFor(t, missingRef, kindRekorV1)
	messageSig := []byte(`{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","verificationMaterial":{"publicKey":{"hint":"k"}},` +
		`"messageSignature":{"messageDigest":{"algorithm":"SHA2_256","digest":"AAAA"},"signature":"AAAA"}}`)
	oldBundle := []byte(strings.Replace(string(bundle), wantBundleMT, "application/vnd.dev.sigstore.bundle+json;version=0.2", 1))

	cases := []struct {
		name    string
		ref     string
		bundle  []byte
		wantIs  error
		wantMsg []string
	}{
		{name: "image_not_pushed", ref: missingRef.String(), bundle: missingBundle, wantIs: ErrImageNotFound,
			wantMsg: []string{"looking up " + missingRef.String(), "must be pushed before it is attested"}},
		{name: "tag_reference", ref: img.Context().Name() + ":latest", bundle: bundle, wantMsg: []string{"has no digest"}},
		{name: "statement_about_another_image", ref: img.String(), bundle: missingBundle,
			wantMsg: []string{"does not list " + img.DigestStr()}},
		{name: "not_json", ref: img.String(), bundle: []byte("not a bundle"), wantMsg: []string{"attaching to " + img.String(), "not Sigstore bundle JSON"}},
		{name: "message_signature", ref: img.String(), bundle: messageSig, wantMsg: []string{"no DSSE envelope"}},
		{name: "old_bundle_version", ref: img.String(), bundle: oldBundle, wantMsg: []string{"version=0.2", "only application/vnd.dev.sigstore.bundle.v0.3+json"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			st, err := newPusher(t).Attach(t.Context(), tc.ref, tc.bundle, chain)
			if err == nil {
				t.Fatalf("Attach = %+v, want an error", st)
			}
			t.Log(err)
			if tc.wantIs != nil && !errors.Is(err, tc.wantIs) {
				t.Errorf("error %v is not %v", err, tc.wantIs)
			}
			for _, want := range tc.wantMsg {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not mention %q", err, want)
				}
			}
		})
	}
}

func TestNew_options(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		opts    []Option
		wantErr []string
	}{
		{name: "defaults"},
		{name: "empty_attestation_repository_is_default", opts: []Option{WithAttestationRepository("")}},
		{name: "bad_attestation_repository", opts: []Option{WithAttestationRepository("ghcr.io/Octo Org/x")}, wantErr: []string{"attestation repository"}},
		{name: "all_problems_at_once", opts: []Option{WithKeychain(nil), WithTransport(nil), WithClock(nil)},
			wantErr: []string{"keychain is nil", "transport is nil", "clock is nil"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := New(tc.opts...)
			if len(tc.wantErr) == 0 {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil {
				t.Fatal("New succeeded, want an error")
			}
			for _, want := range tc.wantErr {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not mention %q", err, want)
				}
			}
		})
	}
}
