package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/google/go-cmp/cmp"
	"github.com/sethvargo/go-githubactions"

	"github.com/provenant/provenant/internal/testing/fakeoidc"
)

func TestRun_Mint(t *testing.T) {
	t.Parallel()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	pkcs8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		pem    *pem.Block
		claims string // claims file content, "" for none
		want   map[string]any
	}{
		{name: "pkcs1_defaults", pem: &pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)},
			want: map[string]any{"ref": "refs/tags/v1.2.3", "workflow_sha": "c27d339ee6075c1f744c5d4b200f7901aad2c369"}},
		{name: "pkcs8_claims_file", pem: &pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8},
			claims: `{"ref": "refs/heads/main", "workflow_sha": null, "run_id": 42}`,
			want:   map[string]any{"ref": "refs/heads/main", "workflow_sha": nil, "run_id": float64(42)}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			keyFile := writeFile(t, dir, "key.pem", string(pem.EncodeToMemory(tc.pem)))
			ts := fakeoidc.NewTestServer(t, fakeoidc.WithKey(key))
			args := []string{"--mint", "sigstore", "--key", keyFile, "--issuer", ts.URL}
			if tc.claims != "" {
				args = append(args, "--claims", writeFile(t, dir, "claims.json", tc.claims))
			}
			var stdout, stderr bytes.Buffer
			if err := run(t.Context(), args, &stdout, &stderr); err != nil {
				t.Fatalf("run(%q) error = %v; stderr:\n%s", args, err, stderr.String())
			}
			tok, ok := strings.CutSuffix(stdout.String(), "\n")
			if !ok || strings.Contains(tok, "\n") {
				t.Fatalf("stdout = %q, want one line", stdout.String())
			}
			provider, err := oidc.NewProvider(t.Context(), ts.URL)
			if err != nil {
				t.Fatal(err)
			}
			idt, err := provider.Verifier(&oidc.Config{ClientID: "sigstore"}).Verify(t.Context(), tok)
			if err != nil {
				t.Fatalf("Verify() error = %v", err)
			}
			var claims map[string]any
			if err := idt.Claims(&claims); err != nil {
				t.Fatal(err)
			}
			got := map[string]any{}
			for k := range tc.want {
				got[k] = claims[k]
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("claims mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRun_MintDefaultIssuer(t *testing.T) {
	t.Parallel()
	var stdout bytes.Buffer
	if err := run(t.Context(), []string{"--mint", "sigstore"}, &stdout, io.Discard); err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(strings.TrimSpace(stdout.String()), ".")
	if len(parts) != 3 {
		t.Fatalf("stdout = %q, want a JWT", stdout.String())
	}
	var claims struct{ Iss, Aud string }
	if err := json.NewDecoder(base64.NewDecoder(base64.RawURLEncoding, strings.NewReader(parts[1]))).Decode(&claims); err != nil {
		t.Fatal(err)
	}
	want := struct{ Iss, Aud string }{"http://127.0.0.1:18080", "sigstore"}
	if diff := cmp.Diff(want, claims); diff != "" {
		t.Errorf("iss and aud mismatch (-want +got):\n%s", diff)
	}
}

func TestRun_Errors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.json")
	cases := []struct {
		name     string
		args     []string
		wantErr  string // substring; "" with wantNil
		wantNil  bool
		usageErr bool
	}{
		{name: "missing_claims_file", args: []string{"--mint", "x", "--claims", missing}, wantErr: missing},
		{name: "claims_not_json", args: []string{"--mint", "x", "--claims", writeFile(t, dir, "bad.json", "{ref: 1}")}, wantErr: "bad.json"},
		{name: "claims_array", args: []string{"--mint", "x", "--claims", writeFile(t, dir, "array.json", `["ref"]`)}, wantErr: "array.json"},
		{name: "claims_null", args: []string{"--mint", "x", "--claims", writeFile(t, dir, "null.json", "null")}, wantErr: "null.json"},
		{name: "claims_two_objects", args: []string{"--mint", "x", "--claims", writeFile(t, dir, "two.json", "{} {}")}, wantErr: "two.json"},
		{name: "claims_bad_in_serve_mode", args: []string{"--listen", "127.0.0.1:0", "--claims", writeFile(t, dir, "serve.json", "[")}, wantErr: "serve.json"},
		{name: "key_not_pem", args: []string{"--mint", "x", "--key", writeFile(t, dir, "key.pem", "nope")}, wantErr: "key.pem"},
		{name: "bad_issuer", args: []string{"--mint", "x", "--issuer", "http://127.0.0.1:1/"}, wantErr: "slash"},
		{name: "unknown_flag", args: []string{"--nope"}, usageErr: true},
		{name: "extra_argument", args: []string{"--mint", "x", "extra"}, usageErr: true},
		{name: "help", args: []string{"-h"}, wantNil: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var stdout bytes.Buffer
			err := run(t.Context(), tc.args, &stdout, io.Discard)
			switch {
			case tc.wantNil:
				if err != nil {
					t.Errorf("run(%q) error = %v, want nil", tc.args, err)
				}
			case tc.usageErr:
				if !errors.Is(err, errUsage) {
					t.Errorf("run(%q) error = %v, want errUsage", tc.args, err)
				}
			case err == nil || !strings.Contains(err.Error(), tc.wantErr):
				t.Errorf("run(%q) error = %v, want one naming %q", tc.args, err, tc.wantErr)
			}
			if stdout.Len() != 0 {
				t.Errorf("stdout = %q, want nothing", stdout.String())
			}
		})
	}
}

func TestRun_Serve(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := run(ctx, []string{"--listen", "127.0.0.1:0", "--request-token", "s3cret"}, io.Discard, pw)
		pw.Close()
		done <- err
	}()

	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatalf("reading start-up line: %v", err)
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	rest, ok := strings.CutPrefix(line, "fakeoidc: serving issuer ")
	issuer, addr, ok2 := strings.Cut(strings.TrimSuffix(rest, "\n"), " on ")
	if !ok || !ok2 {
		t.Fatalf("start-up line = %q, want \"fakeoidc: serving issuer <iss> on <addr>\"", line)
	}
	if issuer != "http://"+addr {
		t.Errorf("issuer %q, want http://%s", issuer, addr)
	}

	env := map[string]string{
		"ACTIONS_ID_TOKEN_REQUEST_URL":   issuer + "/token?api-version=2.0",
		"ACTIONS_ID_TOKEN_REQUEST_TOKEN": "s3cret",
	}
	action := githubactions.New(githubactions.WithGetenv(func(k string) string { return env[k] }), githubactions.WithWriter(io.Discard))
	tok, err := action.GetIDToken(ctx, "sigstore")
	if err != nil {
		t.Fatalf("GetIDToken() error = %v", err)
	}
	provider, err := oidc.NewProvider(ctx, issuer)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := provider.Verifier(&oidc.Config{ClientID: "sigstore"}).Verify(ctx, tok); err != nil {
		t.Errorf("Verify() error = %v", err)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("run() after cancel = %v, want nil", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("run() did not return after cancel")
	}
	if _, err := http.Get(issuer + "/.well-known/jwks"); err == nil {
		t.Error("server still answers after shutdown")
	}
}

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}
