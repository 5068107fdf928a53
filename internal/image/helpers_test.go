package image

import (
	"archive/tar"
	"bytes"
	"debug/elf"
	"encoding/binary"
	"io"
	"log"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// fakeELF returns a minimal 64-bit little-endian ELF executable for the
// machine, with a program interpreter when dynamic is true, followed by
// size bytes of padding that stand for the program.
func fakeELF(t *testing.T, machine elf.Machine, dynamic bool, size int) []byte {
	t.Helper()
	progs := []elf.Prog64{{Type: uint32(elf.PT_LOAD), Flags: uint32(elf.PF_R | elf.PF_X)}}
	if dynamic {
		progs = append(progs, elf.Prog64{Type: uint32(elf.PT_INTERP), Flags: uint32(elf.PF_R)})
	}
	hdr := elf.Header64{
		Ident:     [elf.EI_NIDENT]byte{0x7f, 'E', 'L', 'F', byte(elf.ELFCLASS64), byte(elf.ELFDATA2LSB), byte(elf.EV_CURRENT)},
		Type:      uint16(elf.ET_EXEC),
		Machine:   uint16(machine),
		Version:   uint32(elf.EV_CURRENT),
		Phoff:     64,
		Ehsize:    64,
		Phentsize: 56,
		Phnum:     uint16(len(progs)),
	}
	var buf bytes.Buffer
	if err := binary.Write(&buf, binary.LittleEndian, hdr); err != nil {
		t.Fatal(err)
	}
	for _, p := range progs {
		if err := binary.Write(&buf, binary.LittleEndian, p); err != nil {
			t.Fatal(err)
		}
	}
	// Incompressible-ish padding, so compressed sizes mean something.
	pad := make([]byte, size)
	x := uint32(2463534242)
	for i := range pad {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		pad[i] = byte(x)
	}
	buf.Write(pad)
	return buf.Bytes()
}

const testCA = "-----BEGIN CERTIFICATE-----\nMIIBdGVzdCBidW5kbGU=\n-----END CERTIFICATE-----\n"

func testConfig(t *testing.T) Config {
	t.Helper()
	return Config{
		Binary:   fakeELF(t, elf.EM_X86_64, false, 4096),
		CACerts:  []byte(testCA),
		Platform: v1.Platform{OS: "linux", Architecture: "amd64"},
		Version:  "v1.2.3",
		Revision: "c27d339ee6075c1f744c5d4b200f7901aad2c369",
	}
}

// tarEntry is what a test checks about one entry of a layer.
type tarEntry struct {
	Name       string
	Type       byte
	Mode       int64
	UID, GID   int
	Uname      string
	Gname      string
	ModTime    int64
	Data       string
	PAXRecords map[string]string
}

func readLayer(t *testing.T, l v1.Layer) []tarEntry {
	t.Helper()
	rc, err := l.Uncompressed()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	var out []tarEntry
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, tarEntry{Name: h.Name, Type: h.Typeflag, Mode: h.Mode, UID: h.Uid, GID: h.Gid,
			Uname: h.Uname, Gname: h.Gname, ModTime: h.ModTime.Unix(), Data: string(data), PAXRecords: h.PAXRecords})
	}
}

// newRegistry starts ggcr's in-process registry and returns its host:port.
func newRegistry(t *testing.T, opts ...registry.Option) string {
	t.Helper()
	srv := httptest.NewServer(registry.New(append(opts, registry.Logger(log.New(io.Discard, "", 0)))...))
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}
