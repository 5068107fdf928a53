package oci_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http/httptest"
	"strings"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/provenant/provenant/internal/sink/oci"
)

// A pipeline builds one Pusher per run from the action's inputs and calls
// Attach once per image; the result says where each attestation went.
func ExampleNew() {
	p, err := oci.New(
		oci.WithKeychain(oci.Keychain("ci-bot", "password-from-a-secret", []string{"registry.example.com"}, "octocat", "ghs_token")),
		oci.WithAttestationRepository("ghcr.io/octo-org/attestations"),
		oci.WithLegacyAtt(true),
	)
	if err != nil {
		log.Fatal(err)
	}
	_ = p // st, err := p.Attach(ctx, "ghcr.io/octo-org/app@sha256:…", bundleJSON, chainPEM)
	fmt.Println("ready")
	// Output: ready
}

// Platforms lists the per-platform manifests of a multi-platform image, to
// attest each of them as well as the index.
func ExamplePlatforms() {
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	defer srv.Close()
	ctx := context.Background()

	idx, _ := random.Index(64, 1, 2)
	d, _ := idx.Digest()
	ref, _ := name.NewDigest(strings.TrimPrefix(srv.URL, "http://") + "/octo-org/app@" + d.String())
	if err := remote.WriteIndex(ref, idx, remote.WithContext(ctx)); err != nil {
		log.Fatal(err)
	}

	refs, err := oci.Platforms(ctx, ref.String(), oci.WithKeychain(authn.NewMultiKeychain()))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(refs), "platform manifests")
	// Output: 2 platform manifests
}
