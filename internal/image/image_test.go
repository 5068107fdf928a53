package image

import (
	"debug/elf"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/google/go-containerregistry/pkg/v1/validate"
)

func TestBuild_layer(t *testing.T) {
	t.Parallel()
	c := testConfig(t)
	c.Created = time.Date(2026, 1, 2, 3, 4, 5, 600, time.UTC)
	img, err := Build(c)
	if err != nil {
		t.Fatal(err)
	}
	layers, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	if len(layers) != 1 {
		t.Fatalf("%d layers, want 1", len(layers))
	}
	mt, err := layers[0].MediaType()
	if err != nil || mt != types.OCILayer {
		t.Errorf("layer media type = %q, %v; want %q", mt, err, types.OCILayer)
	}
	when := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC).Unix()
	dir := func(name string) tarEntry {
		return tarEntry{Name: name, Type: '5', Mode: 0o755, ModTime: when}
	}
	want := []tarEntry{
		dir("etc/"), dir("etc/ssl/"), dir("etc/ssl/certs/"),
		{Name: "etc/ssl/certs/ca-certificates.crt", Type: '0', Mode: 0o644, ModTime: when, Data: testCA},
		{Name: "provenant", Type: '0', Mode: 0o755, ModTime: when, Data: string(c.Binary)},
	}
	if diff := cmp.Diff(want, readLayer(t, layers[0])); diff != "" {
		t.Errorf("layer entries mismatch (-want +got):\n%s", diff)
	}
}

func TestBuild_config(t *testing.T) {
	t.Parallel()
	img, err := Build(testConfig(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := validate.Image(img); err != nil {
		t.Errorf("validate.Image: %v", err)
	}
	m, err := img.Manifest()
	if err != nil {
		t.Fatal(err)
	}
	if m.MediaType != types.OCIManifestSchema1 || m.Config.MediaType != types.OCIConfigJSON {
		t.Errorf("media types = %q, %q; want OCI", m.MediaType, m.Config.MediaType)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	epoch := v1.Time{Time: time.Unix(0, 0).UTC()}
	want := v1.Config{
		Entrypoint: []string{"/provenant"},
		Env:        []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"},
		Labels: map[string]string{
			"org.opencontainers.image.source":   "https://github.com/provenant/provenant",
			"org.opencontainers.image.version":  "v1.2.3",
			"org.opencontainers.image.revision": "c27d339ee6075c1f744c5d4b200f7901aad2c369",
		},
	}
	// No Cmd (the action's args choose the command), no User (container
	// actions run as root), no WorkingDir (the runner sets it).
	if diff := cmp.Diff(want, cf.Config); diff != "" {
		t.Errorf("config mismatch (-want +got):\n%s", diff)
	}
	if cf.OS != "linux" || cf.Architecture != "amd64" || !cf.Created.Equal(epoch.Time) {
		t.Errorf("os/arch/created = %s/%s/%s", cf.OS, cf.Architecture, cf.Created)
	}
	if len(cf.History) != 1 || !cf.History[0].Created.Equal(epoch.Time) || len(cf.RootFS.DiffIDs) != 1 {
		t.Errorf("history %+v, diff ids %v", cf.History, cf.RootFS.DiffIDs)
	}
}

func TestBuild_reproducible(t *testing.T) {
	t.Parallel()
	digest := func(c Config) v1.Hash {
		t.Helper()
		img, err := Build(c)
		if err != nil {
			t.Fatal(err)
		}
		d, err := img.Digest()
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	c := testConfig(t)
	first, second := digest(c), digest(c)
	if first != second {
		t.Errorf("the same inputs gave %s and %s", first, second)
	}
	changes := map[string]func(*Config){
		"created":  func(c *Config) { c.Created = time.Unix(1767225600, 0) },
		"version":  func(c *Config) { c.Version = "v1.2.4" },
		"binary":   func(c *Config) { c.Binary = append(append([]byte{}, c.Binary...), 0) },
		"ca_certs": func(c *Config) { c.CACerts = []byte(testCA + testCA) },
	}
	for name, change := range changes {
		changed := testConfig(t)
		change(&changed)
		if digest(changed) == first {
			t.Errorf("changing %s left the digest as it was", name)
		}
	}
}

func TestBuild_sizeBudget(t *testing.T) {
	t.Parallel()
	c := testConfig(t)
	c.Binary = fakeELF(t, elf.EM_X86_64, false, 1<<20)
	img, err := Build(c)
	if err != nil {
		t.Fatal(err)
	}
	s, err := Measure(img)
	if err != nil {
		t.Fatal(err)
	}
	// Everything beyond the two files is tar headers and padding, the
	// manifest and the config: a few KiB.
	inputs := int64(len(c.Binary) + len(c.CACerts))
	if over := s.Uncompressed - inputs; over < 0 || over > 8<<10 {
		t.Errorf("uncompressed %d bytes for %d bytes of files: %d bytes of overhead", s.Uncompressed, inputs, over)
	}
	if s.Compressed <= 0 || s.Compressed > s.Uncompressed+8<<10 {
		t.Errorf("compressed %d bytes, uncompressed %d", s.Compressed, s.Uncompressed)
	}
	if _, err := Build(c, WithMaxSize(s.Uncompressed)); err != nil {
		t.Errorf("an image of exactly the budget was refused: %v", err)
	}
	_, err = Build(c, WithMaxSize(s.Uncompressed-1))
	var se *SizeError
	if !errors.As(err, &se) || se.Size != s.Uncompressed || se.Max != s.Uncompressed-1 {
		t.Errorf("one byte over the budget: err = %v", err)
	}
	if _, err := Build(c, WithMaxSize(0)); err != nil {
		t.Errorf("no budget: %v", err)
	}
	if DefaultMaxSize != 28_000_000 {
		t.Errorf("DefaultMaxSize = %d; the budget is 28 MB", DefaultMaxSize)
	}
}

func TestBuild_refusals(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		change  func(t *testing.T, c *Config)
		wantErr string
	}{
		{"empty_binary", func(t *testing.T, c *Config) { c.Binary = nil }, "binary is empty"},
		{"empty_ca_bundle", func(t *testing.T, c *Config) { c.CACerts = nil }, "CA bundle is empty"},
		{"no_architecture", func(t *testing.T, c *Config) { c.Platform.Architecture = "" }, "no architecture"},
		{"not_linux", func(t *testing.T, c *Config) { c.Platform.OS = "windows" }, "Linux only"},
		{"not_elf", func(t *testing.T, c *Config) { c.Binary = []byte("#!/bin/sh\n") }, "not an ELF executable"},
		{"dynamic", func(t *testing.T, c *Config) { c.Binary = fakeELF(t, elf.EM_X86_64, true, 16) }, "CGO_ENABLED=0"},
		{"wrong_architecture", func(t *testing.T, c *Config) { c.Binary = fakeELF(t, elf.EM_AARCH64, false, 16) }, "not for amd64"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := testConfig(t)
			tc.change(t, &c)
			_, err := Build(c)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("Build() error = %v, want one containing %q", err, tc.wantErr)
			}
		})
	}
}
