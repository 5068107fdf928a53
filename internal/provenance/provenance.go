package provenance

import (
	"errors"
	"fmt"
	"maps"
	"slices"

	itpb "github.com/in-toto/attestation/go/v1"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/provenant/provenant/internal/ghctx"
	"github.com/provenant/provenant/internal/intoto"
)

// Predicate types and statement types written by Build.
const (
	PredicateV1  = intoto.SLSAProvenanceV1
	PredicateV02 = intoto.SLSAProvenanceV02

	StatementV1  = itpb.StatementTypeUri
	StatementV01 = intoto.StatementV01

	// BuildTypeV1 is GitHub's workflow build type, as actions/attest emits it.
	BuildTypeV1 = "https://actions.github.io/buildtypes/workflow/v1"
	// BuildTypeV02 is provenant's own build type for the SLSA v0.2 layout of
	// slsa-github-generator's generic generator.
	BuildTypeV02 = "https://github.com/provenant/provenant/generic@v1"
)

// Version selects the SLSA predicate version.
type Version string

// The predicate versions Build can write.
const (
	V1  Version = "v1"
	V02 Version = "v0.2"
)

// ParseVersion accepts the spellings users write for a predicate version.
func ParseVersion(s string) (Version, error) {
	switch s {
	case "", "v1", "v1.0", "1", "1.0", PredicateV1:
		return V1, nil
	case "v0.2", "0.2", PredicateV02:
		return V02, nil
	}
	return "", fmt.Errorf("unknown predicate version %q: use v1 (the default) or v0.2", s)
}

// Options are the user's choices about what a statement contains.
type Options struct {
	// Version is the predicate version; the zero value means V1.
	Version Version
	// Inputs, when non-nil, are recorded as the run's inputs: in v1 as
	// externalParameters.inputs, in v0.2 as invocation.parameters.event_inputs.
	// Front ends fill it only when the user opted in (v1) or as the
	// generator would (v0.2).
	Inputs map[string]any
	// Vars, when non-empty, is the `vars` context, recorded as
	// externalParameters.vars (v1) or invocation.parameters.vars (v0.2).
	Vars map[string]any
	// RedactEventPayload drops github_event_payload from the v0.2 environment.
	RedactEventPayload bool
}

// Build returns the in-toto statement as protojson marshals it (up to
// insignificant whitespace). The statement has been checked with the
// in-toto types' Validate. The subject array is encoded directly, without a
// protobuf message per subject; TestBuild_equalsProtojson holds the two
// encodings equal.
func Build(c ghctx.Context, subjects []intoto.Subject, o Options) ([]byte, error) {
	h, err := newHead(c, subjects, o)
	if err != nil {
		return nil, err
	}
	if err := validateSubjects(subjects); err != nil {
		return nil, fmt.Errorf("building provenance: statement is invalid: %w", err)
	}
	b, err := marshal(h.Type, h.PredicateType, subjects, h.GetPredicate())
	if err != nil {
		return nil, fmt.Errorf("building provenance: encoding the statement: %w", err)
	}
	return b, nil
}

// Statement is Build before marshalling.
func Statement(c ghctx.Context, subjects []intoto.Subject, o Options) (*itpb.Statement, error) {
	st, err := newHead(c, subjects, o)
	if err != nil {
		return nil, err
	}
	st.Subject = descriptors(subjects)
	if err := st.Validate(); err != nil {
		return nil, fmt.Errorf("building provenance: statement is invalid: %w", err)
	}
	return st, nil
}

// newHead returns the statement with its type, predicate type and
// predicate, and only the first subject, with which it passes Validate.
func newHead(c ghctx.Context, subjects []intoto.Subject, o Options) (*itpb.Statement, error) {
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("building provenance: %w", err)
	}
	if len(subjects) == 0 {
		return nil, errors.New("building provenance: no subjects")
	}
	var (
		pred     *structpb.Struct
		predType string
		stType   string
		err      error
	)
	switch o.Version {
	case V1, "":
		pred, err = predicateV1(c, o)
		predType, stType = PredicateV1, StatementV1
	case V02:
		pred, err = predicateV02(c, o)
		predType, stType = PredicateV02, StatementV01
	default:
		err = fmt.Errorf("unknown predicate version %q", o.Version)
	}
	if err != nil {
		return nil, fmt.Errorf("building provenance: %w", err)
	}
	st := &itpb.Statement{
		Type:          stType,
		Subject:       descriptors(subjects[:1]),
		PredicateType: predType,
		Predicate:     pred,
	}
	if err := st.Validate(); err != nil {
		return nil, fmt.Errorf("building provenance: statement is invalid: %w", err)
	}
	return st, nil
}

// descriptors shares each subject's digest map with the statement rather
// than copying it: with 100,000 subjects the copies cost tens of MiB, and
// neither side changes the maps afterwards.
func descriptors(subjects []intoto.Subject) []*itpb.ResourceDescriptor {
	out := make([]*itpb.ResourceDescriptor, len(subjects))
	for i, s := range subjects {
		out[i] = &itpb.ResourceDescriptor{Name: s.Name, Digest: s.Digest}
	}
	return out
}

// toStruct turns a protobuf message into a structpb.Struct through protojson,
// which is how in-toto expects typed predicates to be embedded.
func toStruct(m proto.Message) (*structpb.Struct, error) {
	b, err := protojson.Marshal(m)
	if err != nil {
		return nil, err
	}
	s := &structpb.Struct{}
	if err := protojson.Unmarshal(b, s); err != nil {
		return nil, err
	}
	return s, nil
}

// sortedKeys is used where deterministic iteration matters for tests.
func sortedKeys(m map[string]any) []string {
	return slices.Sorted(maps.Keys(m))
}
