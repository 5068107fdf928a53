package main

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"io"
	"log"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// staticELF writes a minimal static ELF executable header for the machine.
func staticELF(t *testing.T, dir string, machine elf.Machine) string {
	t.Helper()
	var buf bytes.Buffer
	hdr := elf.Header64{
		Ident:   [elf.EI_NIDENT]byte{0x7f, 'E', 'L', 'F', byte(elf.ELFCLASS64), byte(elf.ELFDATA2LSB), byte(elf.EV_CURRENT)},
		Type:    uint16(elf.ET_EXEC),
		Machine: uint16(machine),
		Version: uint32(elf.EV_CURRENT),
		Ehsize:  64,
	}
	if err := binary.Write(&buf, binary.LittleEndian, hdr); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, machine.String())
	if err := os.WriteFile(p, buf.Bytes(), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

func setup(t *testing.T) (reg, dir, ca string) {
	t.Helper()
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	t.Cleanup(srv.Close)
	dir = t.TempDir()
	ca = filepath.Join(dir, "ca.crt")
	if err := os.WriteFile(ca, []byte("-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("DOCKER_CONFIG", dir) // no credentials: anonymous access
	return strings.TrimPrefix(srv.URL, "http://"), dir, ca
}

func TestRun(t *testing.T) {
	reg, dir, ca := setup(t)
	amd := staticELF(t, dir, elf.EM_X86_64)
	arm := staticELF(t, dir, elf.EM_AARCH64)
	cases := []struct {
		name      string
		binaries  []string
		wantIndex bool
	}{
		{"one_platform", []string{"linux/amd64=" + amd}, false},
		{"two_platforms", []string{"linux/amd64=" + amd, "linux/arm64=" + arm}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			args := []string{"--ca", ca, "--ref", reg + "/provenant/provenant:" + tc.name, "--version", "v1.2.3",
				"--revision", "c27d339ee6075c1f744c5d4b200f7901aad2c369"}
			for _, b := range tc.binaries {
				args = append(args, "--binary", b)
			}
			var stdout, stderr bytes.Buffer
			if err := run(t.Context(), args, &stdout, &stderr, "1767225600"); err != nil {
				t.Fatalf("run: %v\n%s", err, stderr.String())
			}
			out := strings.TrimSpace(stdout.String())
			if !regexp.MustCompile(`^` + regexp.QuoteMeta(reg) + `/provenant/provenant@sha256:[0-9a-f]{64}$`).MatchString(out) {
				t.Fatalf("stdout = %q, want the digest reference", out)
			}
			if n := strings.Count(stderr.String(), "bytes uncompressed"); n != len(tc.binaries) {
				t.Errorf("stderr has %d size lines, want %d:\n%s", n, len(tc.binaries), stderr.String())
			}
			d, err := name.NewDigest(out)
			if err != nil {
				t.Fatal(err)
			}
			desc, err := remote.Get(d)
			if err != nil {
				t.Fatal(err)
			}
			if desc.MediaType.IsIndex() != tc.wantIndex {
				t.Errorf("pushed a %s", desc.MediaType)
			}
		})
	}
}

func TestRun_refusals(t *testing.T) {
	reg, dir, ca := setup(t)
	amd := staticELF(t, dir, elf.EM_X86_64)
	ref := reg + "/provenant/provenant:x"
	cases := []struct {
		name    string
		args    []string
		epoch   string
		wantErr string
	}{
		{"no_ref", []string{"--binary", amd, "--ca", ca}, "", "--ref are required"},
		{"no_binary", []string{"--ref", ref, "--ca", ca}, "", "--binary and --ref are required"},
		{"bad_epoch", []string{"--binary", amd, "--ca", ca, "--ref", ref}, "yesterday", "--source-date-epoch"},
		{"missing_ca", []string{"--binary", amd, "--ca", filepath.Join(dir, "none"), "--ref", ref}, "", "reading the CA bundle"},
		{"wrong_arch", []string{"--binary", "linux/arm64=" + amd, "--ca", ca, "--ref", ref}, "", "not for arm64"},
		{"no_arch", []string{"--binary", "linux=" + amd, "--ca", ca, "--ref", ref}, "", "names no architecture"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := run(t.Context(), tc.args, &stdout, &stderr, tc.epoch)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("run() error = %v, want one containing %q", err, tc.wantErr)
			}
			if stdout.Len() != 0 {
				t.Errorf("a refused run printed %q", stdout.String())
			}
		})
	}
}
