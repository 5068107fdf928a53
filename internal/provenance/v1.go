package provenance

import (
	"fmt"

	slsa1 "github.com/in-toto/attestation/go/predicates/provenance/v1"
	itpb "github.com/in-toto/attestation/go/v1"
	"google.golang.org/protobuf/types/known/structpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/provenant/provenant/internal/ghctx"
)

// predicateV1 fills GitHub's workflow build type from the verified claims,
// field for field as actions/attest does, plus startedOn and the opt-in
// inputs and vars.
func predicateV1(c ghctx.Context, o Options) (*structpb.Struct, error) {
	cl := c.Claims
	path, err := cl.WorkflowPath()
	if err != nil {
		return nil, err
	}
	ext := map[string]any{
		"workflow": map[string]any{
			"ref":        cl.Ref,
			"repository": c.RepositoryURL(),
			"path":       path,
		},
	}
	if in := nonEmpty(o.Inputs); len(in) > 0 {
		ext["inputs"] = in
	}
	if len(o.Vars) > 0 {
		ext["vars"] = o.Vars
	}
	extS, err := structpb.NewStruct(ext)
	if err != nil {
		return nil, fmt.Errorf("encoding external parameters: %w", err)
	}
	intS, err := structpb.NewStruct(map[string]any{
		"github": map[string]any{
			"event_name":          cl.EventName,
			"repository_id":       cl.RepositoryID,
			"repository_owner_id": cl.RepositoryOwnerID,
			"runner_environment":  cl.RunnerEnvironment,
		},
	})
	if err != nil {
		return nil, fmt.Errorf("encoding internal parameters: %w", err)
	}
	p := &slsa1.Provenance{
		BuildDefinition: &slsa1.BuildDefinition{
			BuildType:          BuildTypeV1,
			ExternalParameters: extS,
			InternalParameters: intS,
			ResolvedDependencies: []*itpb.ResourceDescriptor{{
				Uri:    c.SourceURI(),
				Digest: map[string]string{"gitCommit": cl.SHA},
			}},
		},
		RunDetails: &slsa1.RunDetails{
			Builder:  &slsa1.Builder{Id: c.BuilderID()},
			Metadata: &slsa1.BuildMetadata{InvocationId: c.InvocationID()},
		},
	}
	if !c.StartedOn.IsZero() {
		p.RunDetails.Metadata.StartedOn = timestamppb.New(c.StartedOn.UTC())
	}
	if err := p.Validate(); err != nil {
		return nil, fmt.Errorf("SLSA v1 predicate is invalid: %w", err)
	}
	return toStruct(p)
}

// nonEmpty drops inputs whose value is the empty string or null, as the
// community build type asks.
func nonEmpty(in map[string]any) map[string]any {
	out := make(map[string]any, len(in))
	for _, k := range sortedKeys(in) {
		switch v := in[k].(type) {
		case nil:
			continue
		case string:
			if v == "" {
				continue
			}
		}
		out[k] = in[k]
	}
	return out
}
