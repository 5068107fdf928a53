package fakesigstore_test

import (
	"crypto/x509"
	"encoding/json"
	"testing"
	"time"

	prototrustroot "github.com/sigstore/protobuf-specs/gen/pb-go/trustroot/v1"
	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/sign"

	"github.com/provenant/provenant/internal/testing/fakesigstore"
)

func TestTrustedRoot(t *testing.T) {
	t.Parallel()
	ss := fakesigstore.NewTestServer(t)
	tr := trustedRoot(t, ss)
	if n := len(tr.RekorLogs()) + len(tr.CTLogs()); n != 0 {
		t.Errorf("trusted root lists %d logs, want none", n)
	}
	cas := tr.FulcioCertificateAuthorities()
	tsas := tr.TimestampingAuthorities()
	if len(cas) != 1 || len(tsas) != 1 {
		t.Fatalf("trusted root has %d CAs and %d TSAs, want one of each", len(cas), len(tsas))
	}
	ca := cas[0].(*root.FulcioCertificateAuthority)
	tsa := tsas[0].(*root.SigstoreTimestampingAuthority)
	if ca.URI != ss.FulcioURL() || tsa.URI != ss.TSAURL() {
		t.Errorf("URIs = %q, %q; want %q, %q", ca.URI, tsa.URI, ss.FulcioURL(), ss.TSAURL())
	}
	if len(ca.Intermediates) != 1 || tsa.Leaf == nil || len(tsa.Intermediates) != 0 {
		t.Errorf("chains: %d Fulcio intermediates, TSA leaf %v, %d TSA intermediates; want 1, present, 0", len(ca.Intermediates), tsa.Leaf != nil, len(tsa.Intermediates))
	}
	if start := ca.ValidityPeriodStart; time.Since(start) < 59*time.Minute || time.Since(start) > 61*time.Minute {
		t.Errorf("CA valid from %v, want about an hour ago", start)
	}
	if tsa.Leaf != nil {
		checkTSALeaf(t, tsa.Leaf)
	}
}

// checkTSALeaf checks the one extended key usage a timestamping leaf may
// have, marked critical.
func checkTSALeaf(t *testing.T, leaf *x509.Certificate) {
	t.Helper()
	if len(leaf.ExtKeyUsage) != 1 || leaf.ExtKeyUsage[0] != x509.ExtKeyUsageTimeStamping || leaf.IsCA {
		t.Errorf("TSA leaf EKU = %v, IsCA %v; want [timeStamping], false", leaf.ExtKeyUsage, leaf.IsCA)
	}
	critical := false
	for _, e := range leaf.Extensions {
		if e.Id.String() == "2.5.29.37" {
			critical = e.Critical
		}
	}
	if !critical {
		t.Error("TSA leaf's extended key usage is not critical")
	}
}

func TestSigningConfigJSON(t *testing.T) {
	t.Parallel()
	ss := fakesigstore.NewTestServer(t)
	b, err := ss.SigningConfigJSON(ss.FulcioURL(), ss.TSAURL())
	if err != nil {
		t.Fatalf("SigningConfigJSON() error = %v", err)
	}
	var doc struct {
		MediaType string `json:"mediaType"`
	}
	if err := json.Unmarshal(b, &doc); err != nil || doc.MediaType != root.SigningConfigMediaType02 {
		t.Errorf("mediaType = %q (error %v), want %q", doc.MediaType, err, root.SigningConfigMediaType02)
	}
	sc, err := root.NewSigningConfigFromJSON(b)
	if err != nil {
		t.Fatalf("parsing SigningConfigJSON(): %v", err)
	}
	fulcio, err := root.SelectService(sc.FulcioCertificateAuthorityURLs(), sign.FulcioAPIVersions, time.Now())
	if err != nil || fulcio.URL != ss.FulcioURL() {
		t.Errorf("selected Fulcio = %q (error %v), want %q", fulcio.URL, err, ss.FulcioURL())
	}
	tsas, err := root.SelectServices(sc.TimestampAuthorityURLs(), sc.TimestampAuthorityURLsConfig(), sign.TimestampAuthorityAPIVersions, time.Now())
	if err != nil || len(tsas) != 1 || tsas[0].URL != ss.TSAURL() {
		t.Errorf("selected TSAs = %+v (error %v), want just %q", tsas, err, ss.TSAURL())
	}
	if n := len(sc.RekorLogURLs()) + len(sc.OIDCProviderURLs()); n != 0 {
		t.Errorf("signing config names %d Rekor or OIDC services, want none", n)
	}
	if sel := sc.TimestampAuthorityURLsConfig().Selector; sel != prototrustroot.ServiceSelector_ANY {
		t.Errorf("TSA selector = %v, want ANY", sel)
	}
}
