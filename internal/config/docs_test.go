package config

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the generated parts of README.md and action.yml")

func markdownTable(specs []Spec, withDefault bool) string {
	var b strings.Builder
	if withDefault {
		b.WriteString("| Input | Default | Meaning |\n|---|---|---|\n")
	} else {
		b.WriteString("| Output | Meaning |\n|---|---|\n")
	}
	for _, s := range specs {
		desc := strings.ReplaceAll(s.Description, "|", "\\|")
		if withDefault {
			def := ""
			switch {
			case s.ActionDefault != "":
				def = "`" + s.ActionDefault + "` (action)"
			case s.Default != "":
				def = "`" + s.Default + "`"
			}
			fmt.Fprintf(&b, "| `%s` | %s | %s |\n", s.Name, def, desc)
		} else {
			fmt.Fprintf(&b, "| `%s` | %s |\n", s.Name, desc)
		}
	}
	return b.String()
}

func yamlInputs(specs []Spec) string {
	var b strings.Builder
	b.WriteString("inputs:\n")
	for _, s := range specs {
		fmt.Fprintf(&b, "  %s:\n    description: %q\n    required: false\n", s.Name, strings.ReplaceAll(s.Description, "`", "'"))
		switch {
		case s.ActionDefault != "":
			fmt.Fprintf(&b, "    default: %q\n", s.ActionDefault)
		case s.Default != "":
			fmt.Fprintf(&b, "    default: %q\n", s.Default)
		}
	}
	b.WriteString("outputs:\n")
	for _, s := range AttestOutputs {
		fmt.Fprintf(&b, "  %s:\n    description: %q\n", s.Name, strings.ReplaceAll(s.Description, "`", "'"))
	}
	return b.String()
}

// replaceBetween swaps the text between two marker lines.
func replaceBetween(t *testing.T, doc, begin, end, body string) string {
	t.Helper()
	i, j := strings.Index(doc, begin), strings.Index(doc, end)
	if i < 0 || j < i {
		t.Fatalf("markers %q / %q not found", begin, end)
	}
	return doc[:i+len(begin)] + "\n" + body + doc[j:]
}

// TestDocsInStep keeps README.md and action.yml in step with the option
// table: every input and output with the same name, default and meaning.
func TestDocsInStep(t *testing.T) {
	root := filepath.Join("..", "..")
	files := []struct {
		name  string
		parts [][3]string // begin, end, generated body
	}{
		{"README.md", [][3]string{
			{"<!-- attest-inputs:begin -->", "<!-- attest-inputs:end -->", markdownTable(Attest, true)},
			{"<!-- attest-outputs:begin -->", "<!-- attest-outputs:end -->", markdownTable(AttestOutputs, false)},
			{"<!-- subjects-outputs:begin -->", "<!-- subjects-outputs:end -->", markdownTable(SubjectsOutputs, false)},
		}},
		{"action.yml", [][3]string{
			{"# inputs:begin (generated from internal/config; go test ./internal/config -update)", "# inputs:end", yamlInputs(Attest)},
		}},
	}
	for _, f := range files {
		p := filepath.Join(root, f.name)
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		doc := string(b)
		want := doc
		for _, part := range f.parts {
			want = replaceBetween(t, want, part[0], part[1], part[2])
		}
		if *update {
			if err := os.WriteFile(p, []byte(want), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if doc != want {
			t.Errorf("%s is out of step with the option table in internal/config; run go test ./internal/config -update", f.name)
		}
	}
}
