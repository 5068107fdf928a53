package subject

import (
	"encoding/base64"
	"github.com/provenant/provenant/internal/intoto"
	"strings"
)

// FormatSHA256Sum writes the subjects that have a sha256 digest as sha256sum
// output, one "<hex>  <name>\n" line each, in the order given. Subjects
// without sha256 are left out.
//
// A name that starts with a space or "*" is written in binary mode,
// "<hex> *<name>", so that sha256sum -c and the base64-subjects input (which
// drops one leading "*") both read it back unchanged. Names are not escaped
// the way GNU sha256sum escapes backslashes and newlines; Resolve never
// returns a name with a newline.
func FormatSHA256Sum(subjects []intoto.Subject) []byte {
	n := 0
	for _, s := range subjects {
		if h, ok := s.Digest["sha256"]; ok {
			n += len(h) + 3 + len(s.Name)
		}
	}
	buf := make([]byte, 0, n)
	for _, s := range subjects {
		h, ok := s.Digest["sha256"]
		if !ok {
			continue
		}
		sep := "  "
		if strings.HasPrefix(s.Name, " ") || strings.HasPrefix(s.Name, "*") {
			sep = " *"
		}
		buf = append(buf, h...)
		buf = append(buf, sep...)
		buf = append(buf, s.Name...)
		buf = append(buf, '\n')
	}
	return buf
}

// EncodeBase64 returns the standard base64 encoding of FormatSHA256Sum's
// output: the value slsa-github-generator's base64-subjects input takes,
// which Resolve reads back as Inputs.Base64.
func EncodeBase64(subjects []intoto.Subject) string {
	return base64.StdEncoding.EncodeToString(FormatSHA256Sum(subjects))
}
