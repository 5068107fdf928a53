package verify

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReadBundles(t *testing.T) {
	good, err := os.ReadFile("../sink/oci/testdata/rekor-v2-tsa.sigstore.json")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	line := []byte(strings.Join(strings.Fields(string(good)), " "))
	tests := []struct {
		name      string
		path      string
		count     int
		wantErr   string
		wantWhere string // of the last bundle, when set
	}{
		{name: "single bundle, indented", path: write("a.sigstore.json", good), count: 1},
		{name: "two lines", path: write("b.intoto.jsonl", append(append(append(line, '\n'), line...), '\n')), count: 2},
		{name: "blank lines skipped", path: write("c.intoto.jsonl", append(append([]byte("\n"), line...), "\n\n"...)), count: 1},
		{name: "empty", path: write("d.intoto.jsonl", []byte(" \n")), wantErr: "is empty"},
		{name: "garbage line", path: write("e.intoto.jsonl", append(append(line, '\n'), "[1,2]\n"...)), wantErr: "line 2: not a JSON object"},
		{name: "not an object", path: write("f.sigstore.json", []byte(`"bundle"`)), wantErr: "must be a JSON object"},
		{name: "missing", path: filepath.Join(dir, "none.jsonl"), wantErr: "no such file"},
		{name: "npm attestations document", path: "../../testdata/attestations/slsa-verifier/npm_gha_gundam-visor-cli-v1-tag.tgz.json", count: 2,
			wantWhere: "attestations[1] (https://slsa.dev/provenance/v1)"},
		{name: "npm document, one attestation", path: write("g.json", []byte(`{"attestations":[{"predicateType":"https://slsa.dev/provenance/v1","bundle":`+string(good)+`}]}`)), count: 1},
		{name: "npm document, attestations not an array", path: write("h.json", []byte(`{"attestations":{"bundle":{}}}`)), wantErr: "must be an array"},
		{name: "npm document, no bundle", path: write("i.json", []byte(`{"attestations":[{"predicateType":"x"}]}`)), wantErr: "attestations[0] has no bundle object"},
		{name: "attestations API answer, bundle_url only", path: write("k.json", []byte(`{"attestations":[{"bundle":null,"bundle_url":"https://example.test/b","repository_id":1}]}`)), wantErr: "only a bundle_url"},
		{name: "attestations API answer", path: write("l.json", []byte(`{"attestations":[{"bundle":`+string(good)+`,"repository_id":1}]}`)), count: 1},
		{name: "npm document, predicate type with control characters", path: write("m.json", []byte(`{"attestations":[{"predicateType":"https://slsa.dev/provenance/v1\u001b[2J\u202e","bundle":`+string(good)+`}]}`)), count: 1,
			wantWhere: `attestations[0] ("https://slsa.dev/provenance/v1\x1b[2J\u202e")`},
		{name: "npm document, empty", path: write("j.json", []byte(`{"attestations":[]}`)), wantErr: "lists no attestation"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ReadBundles(tt.path)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != tt.count {
				t.Fatalf("%d bundles, want %d", len(got), tt.count)
			}
			last := got[len(got)-1].Where
			switch {
			case tt.wantWhere != "" && !strings.HasSuffix(last, tt.wantWhere):
				t.Errorf("Where = %q, want it to end in %q", last, tt.wantWhere)
			case tt.wantWhere == "" && tt.count == 2 && !strings.HasSuffix(last, "line 2"):
				t.Errorf("Where = %q", last)
			}
		})
	}
}

func TestReadBundles_tooLarge(t *testing.T) {
	p := filepath.Join(t.TempDir(), "big.intoto.jsonl")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(MaxFile + 1); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if _, err := ReadBundles(p); err == nil || !strings.Contains(err.Error(), "larger than 64 MiB") {
		t.Fatalf("err = %v", err)
	}
}

func TestReadTrustedRoots(t *testing.T) {
	if _, err := ReadTrustedRoots("../cli/testdata/empty_trusted_root.json"); err != nil {
		t.Fatalf("a root with nothing in it still parses: %v", err)
	}
	p := filepath.Join(t.TempDir(), "bad.json")
	if err := os.WriteFile(p, []byte("{\"mediaType\": 3}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadTrustedRoots(p); err == nil || !strings.Contains(err.Error(), "line 1") {
		t.Fatalf("err = %v", err)
	}
}
