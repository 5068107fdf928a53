package fakesigstore_test

import (
	"crypto/x509/pkix"
	"slices"
	"testing"
	"time"

	protobundle "github.com/sigstore/protobuf-specs/gen/pb-go/bundle/v1"
	"github.com/sigstore/sigstore-go/pkg/fulcio/certificate"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/provenant/provenant/internal/testing/fakesigstore"
)

func TestAttest(t *testing.T) {
	t.Parallel()
	ss := fakesigstore.NewTestServer(t)
	claims := fakesigstore.GitHubClaims(map[string]string{"runner_environment": ""})
	if _, ok := claims["runner_environment"]; ok || claims["iss"] != fakesigstore.GitHubIssuer {
		t.Fatalf("GitHubClaims() = %v", claims)
	}
	b, err := ss.Attest(t.Context(), statement(t), claims)
	if err != nil {
		t.Fatal(err)
	}
	var pb protobundle.Bundle
	if err := protojson.Unmarshal(b, &pb); err != nil {
		t.Fatal(err)
	}
	if _, err := verifyBundle(t, ss, &pb, fakesigstore.GitHubIssuer, workflowURL, certificate.Extensions{SourceRepositoryURI: repoURL}); err != nil {
		t.Errorf("the bundle does not verify: %v", err)
	}
	if slices.ContainsFunc(leafOf(t, &pb).Extensions, func(e pkix.Extension) bool { return e.Id.Equal(certificate.OIDRunnerEnvironment) }) {
		t.Errorf("a claim left out still has its extension (runner environment)")
	}

	early := time.Now().Add(-30 * time.Minute)
	b, err = ss.Attest(t.Context(), statement(t), claims, fakesigstore.WithTimestampAt(early))
	if err != nil {
		t.Fatal(err)
	}
	if err := protojson.Unmarshal(b, &pb); err != nil {
		t.Fatal(err)
	}
	if _, err := verifyBundle(t, ss, &pb, fakesigstore.GitHubIssuer, workflowURL, certificate.Extensions{}); err == nil {
		t.Error("a bundle stamped before its certificate verifies")
	}
}
