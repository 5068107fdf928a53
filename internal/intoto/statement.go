package intoto

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Statement is an in-toto statement with its predicate left raw.
type Statement struct {
	Type          string          `json:"_type"`
	Subject       []Subject       `json:"subject"`
	PredicateType string          `json:"predicateType"`
	Predicate     json.RawMessage `json:"predicate"`
}

// ParseStatement reads an in-toto statement (v1 or v0.1). It checks the
// shape, not what the statement claims.
func ParseStatement(b []byte) (*Statement, error) {
	var st Statement
	if err := json.Unmarshal(b, &st); err != nil {
		return nil, fmt.Errorf("not an in-toto statement: %s", jsonProblem(err))
	}
	if st.Type != StatementV1 && st.Type != StatementV01 {
		return nil, fmt.Errorf("not an in-toto statement: _type is %q, want %s or %s", st.Type, StatementV1, StatementV01)
	}
	if st.PredicateType == "" {
		return nil, fmt.Errorf("in-toto statement has no predicateType")
	}
	if len(st.Subject) == 0 {
		return nil, fmt.Errorf("in-toto statement has no subject")
	}
	return &st, nil
}

// Names reports whether a subject of the statement has digest d.
func (s *Statement) Names(d Digest) bool {
	return slices.ContainsFunc(s.Subject, func(sub Subject) bool { return sub.Digest.Matches(d.Alg, d.Hex) })
}

// Digests returns every subject digest of the statement, lower-cased.
func (s *Statement) Digests() []Digest {
	var out []Digest
	for _, sub := range s.Subject {
		for alg, h := range sub.Digest {
			out = append(out, Digest{Alg: alg, Hex: strings.ToLower(h)})
		}
	}
	return out
}

// jsonProblem describes a JSON decoding error without Go type names.
func jsonProblem(err error) string {
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &te):
		field := te.Field
		if field == "" {
			field = "the document"
		}
		return fmt.Sprintf("%s has the wrong type (a JSON %s where another kind of value belongs)", field, te.Value)
	case errors.As(err, &se):
		return fmt.Sprintf("invalid JSON at byte %d", se.Offset)
	}
	return err.Error()
}
