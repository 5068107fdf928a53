package provenance

import (
	"errors"
	"fmt"
	"math/bits"
	"slices"
	"strconv"
	"unicode/utf8"

	itpb "github.com/in-toto/attestation/go/v1"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/provenant/provenant/internal/intoto"
)

// marshal writes the statement as protojson would marshal the
// *itpb.Statement that Statement returns, but encodes the subject array
// directly: with 100,000 subjects, a ResourceDescriptor message per subject
// and protojson's reflection over them cost most of the time and memory of
// Build. protojson still encodes the predicate. The output equals
// protojson's up to insignificant whitespace, which protojson varies on
// purpose.
func marshal(stType, predType string, subjects []intoto.Subject, pred *structpb.Struct) ([]byte, error) {
	predJSON, err := protojson.Marshal(pred)
	if err != nil {
		return nil, err
	}
	size := len(stType) + len(predType) + len(predJSON) + 64
	for _, s := range subjects {
		size += len(s.Name) + 32
		for alg, h := range s.Digest {
			size += len(alg) + len(h) + 6
		}
	}
	b := make([]byte, 0, size)
	b = append(b, `{"_type":`...)
	if b, err = appendString(b, stType); err != nil {
		return nil, err
	}
	b = append(b, `,"subject":[`...)
	keys := make([]string, 0, 4)
	for i, s := range subjects {
		if i > 0 {
			b = append(b, ',')
		}
		if b, err = appendSubject(b, s, keys[:0]); err != nil {
			return nil, err
		}
	}
	b = append(b, `],"predicateType":`...)
	if b, err = appendString(b, predType); err != nil {
		return nil, err
	}
	b = append(b, `,"predicate":`...)
	b = append(b, predJSON...)
	b = append(b, '}')
	return b, nil
}

// appendSubject writes one ResourceDescriptor with only a name and digests,
// as protojson does: an empty name is left out, and the digest map is
// written with its keys sorted. keys is scratch space.
func appendSubject(b []byte, s intoto.Subject, keys []string) ([]byte, error) {
	var err error
	b = append(b, '{')
	if s.Name != "" {
		b = append(b, `"name":`...)
		if b, err = appendString(b, s.Name); err != nil {
			return nil, err
		}
		b = append(b, ',')
	}
	b = append(b, `"digest":{`...)
	for k := range s.Digest {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		if b, err = appendString(b, k); err != nil {
			return nil, err
		}
		b = append(b, ':')
		if b, err = appendString(b, s.Digest[k]); err != nil {
			return nil, err
		}
	}
	return append(b, "}}"...), nil
}

// errInvalidUTF8 is protojson's complaint about a string that is not UTF-8.
var errInvalidUTF8 = errors.New("string field contains invalid UTF-8")

// appendString writes s as a JSON string with protojson's escaping: only
// control characters, the quote and the backslash are escaped, and invalid
// UTF-8 is an error.
func appendString(b []byte, s string) ([]byte, error) {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf {
			r, n := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && n == 1 {
				return nil, fmt.Errorf("encoding %q: %w", s, errInvalidUTF8)
			}
			i += n
			continue
		}
		if c >= ' ' && c != '"' && c != '\\' {
			i++
			continue
		}
		b = append(b, s[start:i]...)
		b = append(b, '\\')
		switch c {
		case '"', '\\':
			b = append(b, c)
		case '\b':
			b = append(b, 'b')
		case '\f':
			b = append(b, 'f')
		case '\n':
			b = append(b, 'n')
		case '\r':
			b = append(b, 'r')
		case '\t':
			b = append(b, 't')
		default:
			b = append(b, 'u')
			b = append(b, "0000"[1+(bits.Len32(uint32(c))-1)/4:]...)
			b = strconv.AppendUint(b, uint64(c), 16)
		}
		i++
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"'), nil
}

// validateSubjects runs the in-toto checks Statement.Validate makes on each
// subject, reusing one descriptor rather than allocating one per subject.
func validateSubjects(subjects []intoto.Subject) error {
	var rd itpb.ResourceDescriptor
	for _, s := range subjects {
		rd.Name, rd.Digest = s.Name, s.Digest
		if err := rd.Validate(); err != nil {
			return err
		}
		if len(s.Digest) == 0 {
			return itpb.ErrDigestRequired
		}
	}
	return nil
}
