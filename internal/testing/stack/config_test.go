package stack

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestParseArgs(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		args    string
		want    Config
		wantErr string
	}{
		{"defaults", "", Config{Rekor: "v2", CT: true, TSA: true}, ""},
		{"mode_a", "--rekor v1 --ct --no-tsa", Config{Rekor: "v1", CT: true}, ""},
		{"mode_b", "--rekor v2 --ct --tsa --registry", Config{Rekor: "v2", CT: true, TSA: true, Registry: true}, ""},
		{"mode_c", "--rekor none --no-ct --tsa", Config{Rekor: "none", TSA: true}, ""},
		{"equals_form", "--rekor=both", Config{Rekor: "both", CT: true, TSA: true}, ""},
		{"bad_rekor", "--rekor v3", Config{}, "rekor must be v1, v2, both or none"},
		{"rekor_without_value", "--rekor", Config{}, "--rekor needs a value"},
		{"nothing_to_timestamp", "--rekor none --no-tsa", Config{}, "nothing to timestamp"},
		{"unknown", "--fast", Config{}, `unknown stack option "--fast"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseArgs(strings.Fields(tc.args))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("ParseArgs(%q) error = %v, want %q", tc.args, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got, cmpopts.IgnoreFields(Config{}, "Logf")); diff != "" {
				t.Errorf("ParseArgs(%q) mismatch (-want +got):\n%s", tc.args, diff)
			}
			again, err := ParseArgs(strings.Fields(got.String()))
			if err != nil || again.String() != got.String() {
				t.Errorf("ParseArgs(%q) = %q, %v: String does not round-trip", got.String(), again.String(), err)
			}
		})
	}
}

func TestConfig_Tools(t *testing.T) {
	t.Parallel()
	got := Config{Rekor: "both", CT: true, TSA: true, Registry: true}.Tools()
	for _, want := range []string{"fulcio", "timestamp-server", "tesseract-posix", "rekor-tiles-posix",
		"rekor-server", "trillian_log_signer", "mariadbd", "docker-registry"} {
		if !slices.Contains(got, want) {
			t.Errorf("Tools() = %v, lacks %s", got, want)
		}
	}
	if got := (Config{Rekor: "none", TSA: true}).Tools(); !cmp.Equal(got, []string{"fulcio", "timestamp-server"}) {
		t.Errorf("Tools() for TSA only = %v", got)
	}
}

func TestMissingTools(t *testing.T) {
	tools := t.TempDir()
	must(t, os.MkdirAll(filepath.Join(tools, "bin"), 0o755))
	for _, name := range []string{"fulcio", "timestamp-server", "gh"} {
		must(t, os.WriteFile(filepath.Join(tools, "bin", name), []byte("#!/bin/sh\n"), 0o755))
	}
	t.Setenv("PATH", t.TempDir())
	cfg := Config{Rekor: "v1", TSA: true}
	err := MissingTools(cfg, tools, "cosign", "gh")
	var missing *MissingToolsError
	if !errors.As(err, &missing) {
		t.Fatalf("MissingTools() = %v, want a *MissingToolsError", err)
	}
	if slices.Contains(missing.Tools, "fulcio") || slices.Contains(missing.Tools, "gh") || !slices.Contains(missing.Tools, "rekor-server") ||
		!slices.Contains(missing.Tools, "cosign") {
		t.Errorf("missing tools = %v", missing.Tools)
	}
	if diff := cmp.Diff([]string{"rekor-v1", "verifiers"}, missing.Groups); diff != "" {
		t.Errorf("groups mismatch (-want +got):\n%s", diff)
	}
	if !strings.Contains(err.Error(), "scripts/install-tools.sh rekor-v1 verifiers") {
		t.Errorf("error does not say how to install: %v", err)
	}
	if err := MissingTools(Config{Rekor: "none", TSA: true}, tools); err != nil {
		t.Errorf("MissingTools() with everything installed = %v", err)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
