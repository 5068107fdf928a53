package fakesigstore_test

import (
	"bytes"
	"crypto/x509"
	"encoding/asn1"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	protobundle "github.com/sigstore/protobuf-specs/gen/pb-go/bundle/v1"
	"github.com/sigstore/sigstore-go/pkg/fulcio/certificate"
	"google.golang.org/protobuf/proto"

	"github.com/provenant/provenant/internal/testing/fakeoidc"
	"github.com/provenant/provenant/internal/testing/fakesigstore"
)

// wantExtensions is what sigstore-go parses from a leaf issued for the
// default fakeoidc claims, with URIs built on server.
func wantExtensions(issuer, server string) certificate.Extensions {
	repo := server + "/octo-org/octo-repo"
	wf := repo + "/.github/workflows/release.yml@refs/tags/v1.2.3"
	return certificate.Extensions{
		Issuer:                              issuer,
		GithubWorkflowTrigger:               "push",
		GithubWorkflowSHA:                   commit,
		GithubWorkflowName:                  "release",
		GithubWorkflowRepository:            "octo-org/octo-repo",
		GithubWorkflowRef:                   "refs/tags/v1.2.3",
		BuildSignerURI:                      wf,
		BuildSignerDigest:                   commit,
		RunnerEnvironment:                   "github-hosted",
		SourceRepositoryURI:                 repo,
		SourceRepositoryDigest:              commit,
		SourceRepositoryRef:                 "refs/tags/v1.2.3",
		SourceRepositoryIdentifier:          "123",
		SourceRepositoryOwnerURI:            server + "/octo-org",
		SourceRepositoryOwnerIdentifier:     "456",
		BuildConfigURI:                      wf,
		BuildConfigDigest:                   commit,
		BuildTrigger:                        "push",
		RunInvocationURI:                    repo + "/actions/runs/789/attempts/1",
		SourceRepositoryVisibilityAtSigning: "public",
	}
}

func TestSignAndVerify(t *testing.T) {
	t.Parallel()
	oidc := fakeoidc.NewTestServer(t)
	ss := fakesigstore.NewTestServer(t)
	pb, err := signWith(t, ss, mint(t, oidc, nil), 0)
	if err != nil {
		t.Fatalf("sign.Bundle() error = %v", err)
	}
	exts := wantExtensions(oidc.Issuer(), "https://github.com")

	res, err := verifyBundle(t, ss, pb, oidc.Issuer(), workflowURL, exts)
	if err != nil {
		t.Fatalf("Verify() error = %v", err)
	}
	if n := len(res.VerifiedTimestamps); n != 1 || res.VerifiedTimestamps[0].URI != ss.TSAURL() {
		t.Errorf("VerifiedTimestamps = %+v, want one from %s", res.VerifiedTimestamps, ss.TSAURL())
	}

	tampered := proto.Clone(pb).(*protobundle.Bundle)
	env := tampered.GetDsseEnvelope()
	env.Payload = bytes.Replace(env.Payload, []byte(`"predicate":{}`), []byte(`"predicate":{"x":1}`), 1)
	if bytes.Equal(env.Payload, pb.GetDsseEnvelope().GetPayload()) {
		t.Fatal("tampering left the payload unchanged")
	}
	if _, err := verifyBundle(t, ss, tampered, oidc.Issuer(), workflowURL, exts); err == nil {
		t.Error("Verify(tampered payload) succeeded, want an error")
	}

	other := exts
	other.SourceRepositoryURI = "https://github.com/octo-org/other-repo"
	if _, err := verifyBundle(t, ss, pb, oidc.Issuer(), workflowURL, other); err == nil {
		t.Error("Verify(other repository) succeeded, want an error")
	}

	foreign := fakesigstore.NewTestServer(t)
	if _, err := verifyBundle(t, foreign, pb, oidc.Issuer(), workflowURL, exts); err == nil {
		t.Error("Verify() under another fake's trusted root succeeded, want an error")
	}
}

func TestLeafCertificate(t *testing.T) {
	t.Parallel()
	const reusable = "octo-org/provenant/.github/workflows/generic.yml@refs/tags/v1.0.0"
	cases := []struct {
		name   string
		opts   []fakesigstore.Option
		claims map[string]any
		server string
		edit   func(*certificate.Extensions)
	}{
		{name: "defaults", server: "https://github.com"},
		{
			name:   "reusable_workflow",
			claims: map[string]any{"job_workflow_ref": reusable, "job_workflow_sha": "0123"},
			server: "https://github.com",
			edit: func(e *certificate.Extensions) {
				e.BuildSignerURI = "https://github.com/" + reusable
				e.BuildSignerDigest = "0123"
			},
		},
		{
			name:   "enterprise_server",
			opts:   []fakesigstore.Option{fakesigstore.WithServerURL("https://ghe.example.com")},
			server: "https://ghe.example.com",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			oidc := fakeoidc.NewTestServer(t)
			ss := fakesigstore.NewTestServer(t, tc.opts...)
			pb, err := signWith(t, ss, mint(t, oidc, tc.claims), 0)
			if err != nil {
				t.Fatalf("sign.Bundle() error = %v", err)
			}
			leaf := leafOf(t, pb)
			want := wantExtensions(oidc.Issuer(), tc.server)
			if tc.edit != nil {
				tc.edit(&want)
			}
			got, err := certificate.ParseExtensions(leaf.Extensions)
			if err != nil {
				t.Fatalf("ParseExtensions() error = %v", err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("ParseExtensions() mismatch (-want +got):\n%s", diff)
			}
			checkLeafShape(t, leaf, want.BuildSignerURI)
			if _, err := verifyBundle(t, ss, pb, oidc.Issuer(), want.BuildSignerURI, want); err != nil {
				t.Errorf("Verify() error = %v", err)
			}
		})
	}
}

// checkLeafShape checks what Fulcio puts in every leaf besides the
// extensions sigstore-go parses.
func checkLeafShape(t *testing.T, leaf *x509.Certificate, san string) {
	t.Helper()
	if len(leaf.URIs) != 1 || leaf.URIs[0].String() != san {
		t.Errorf("SAN URIs = %v, want [%s]", leaf.URIs, san)
	}
	if d := leaf.NotAfter.Sub(leaf.NotBefore); d != 10*time.Minute {
		t.Errorf("leaf lifetime = %v, want 10m", d)
	}
	if !slices.Equal(leaf.ExtKeyUsage, []x509.ExtKeyUsage{x509.ExtKeyUsageCodeSigning}) || leaf.KeyUsage != x509.KeyUsageDigitalSignature {
		t.Errorf("leaf usage = %v / %v, want code signing / digital signature", leaf.ExtKeyUsage, leaf.KeyUsage)
	}
	if leaf.IsCA || len(leaf.SubjectKeyId) == 0 || len(leaf.AuthorityKeyId) == 0 {
		t.Errorf("leaf IsCA = %v, SKID %x, AKID %x; want an end entity with both key ids", leaf.IsCA, leaf.SubjectKeyId, leaf.AuthorityKeyId)
	}
	var sub string
	for _, e := range leaf.Extensions {
		if e.Id.Equal(asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 57264, 1, 24}) {
			if _, err := asn1.Unmarshal(e.Value, &sub); err != nil {
				t.Errorf("token subject extension: %v", err)
			}
		}
	}
	if want := "repo:octo-org/octo-repo:ref:refs/tags/v1.2.3"; sub != want {
		t.Errorf("token subject extension = %q, want %q", sub, want)
	}
}

func TestWithClock(t *testing.T) {
	t.Parallel()
	at := time.Date(2031, 3, 4, 5, 6, 7, 0, time.UTC)
	clock := func() time.Time { return at }
	oidc := fakeoidc.NewTestServer(t, fakeoidc.WithClock(clock))
	ss := fakesigstore.NewTestServer(t, fakesigstore.WithClock(clock))
	pb, err := signWith(t, ss, mint(t, oidc, nil), 0)
	if err != nil {
		t.Fatalf("sign.Bundle() error = %v", err)
	}
	if nb := leafOf(t, pb).NotBefore; !nb.Equal(at) {
		t.Errorf("leaf NotBefore = %v, want %v", nb, at)
	}
	res, err := verifyBundle(t, ss, pb, oidc.Issuer(), workflowURL, wantExtensions(oidc.Issuer(), "https://github.com"))
	if err != nil {
		t.Fatalf("Verify() error = %v", err)
	}
	if got := res.VerifiedTimestamps[0].Timestamp; !got.Equal(at) {
		t.Errorf("signed timestamp = %v, want %v", got, at)
	}
}

func TestNew_Errors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		opt  fakesigstore.Option
		want string
	}{
		{"nil_clock", fakesigstore.WithClock(nil), "clock is nil"},
		{"relative_server", fakesigstore.WithServerURL("github.com"), "not an absolute"},
		{"trailing_slash", fakesigstore.WithServerURL("https://github.com/"), "slash"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := fakesigstore.New(tc.opt)
			if err == nil || !bytes.Contains([]byte(err.Error()), []byte(tc.want)) {
				t.Errorf("New() error = %v, want one containing %q", err, tc.want)
			}
		})
	}
}
