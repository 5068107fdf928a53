package provenance

import (
	"encoding/json"
	"fmt"

	slsa02 "github.com/in-toto/attestation/go/predicates/provenance/v02"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/provenant/provenant/internal/ghctx"
)

// predicateV02 fills the SLSA v0.2 predicate in slsa-github-generator's
// generic layout (v2.1.0), so that tools written against that generator's
// output read ours. Every value comes from the verified claims, except the
// event payload and inputs, which come from the payload file.
func predicateV02(c ghctx.Context, o Options) (*structpb.Struct, error) {
	cl := c.Claims
	path, err := cl.WorkflowPath()
	if err != nil {
		return nil, err
	}
	params := map[string]any{}
	if len(o.Inputs) > 0 {
		params["event_inputs"] = o.Inputs
	}
	if len(o.Vars) > 0 {
		params["vars"] = o.Vars
	}
	paramsS, err := structpb.NewStruct(params)
	if err != nil {
		return nil, fmt.Errorf("encoding parameters: %w", err)
	}
	env, hasPayload, err := environmentV02(c, o)
	if err != nil {
		return nil, err
	}
	p := &slsa02.Provenance{
		Builder:   &slsa02.Builder{Id: c.BuilderID()},
		BuildType: BuildTypeV02,
		Invocation: &slsa02.Invocation{
			ConfigSource: &slsa02.ConfigSource{
				Uri:        c.SourceURI(),
				Digest:     map[string]string{"sha1": cl.SHA},
				EntryPoint: path,
			},
			Parameters:  paramsS,
			Environment: env,
		},
		Metadata: &slsa02.Metadata{
			BuildInvocationId: cl.RunID + "-" + cl.RunAttempt,
			Completeness:      &slsa02.Completeness{Parameters: hasPayload},
		},
		Materials: []*slsa02.Material{{
			Uri:    c.SourceURI(),
			Digest: map[string]string{"sha1": cl.SHA},
		}},
	}
	s, err := toStruct(p)
	if err != nil {
		return nil, err
	}
	generatorSpelling(s)
	return s, nil
}

// environmentV02 builds invocation.environment. Every string key is present
// even when empty, so consumers can tell "empty" from "unknown".
func environmentV02(c ghctx.Context, o Options) (*structpb.Struct, bool, error) {
	cl := c.Claims
	env := map[string]any{
		"github_actor":               cl.Actor,
		"github_actor_id":            cl.ActorID,
		"github_base_ref":            cl.BaseRef,
		"github_event_name":          cl.EventName,
		"github_head_ref":            cl.HeadRef,
		"github_ref":                 cl.Ref,
		"github_ref_type":            cl.RefType,
		"github_repository_id":       cl.RepositoryID,
		"github_repository_owner":    cl.RepositoryOwner,
		"github_repository_owner_id": cl.RepositoryOwnerID,
		"github_run_attempt":         cl.RunAttempt,
		"github_run_id":              cl.RunID,
		"github_run_number":          cl.RunNumber,
		"github_sha1":                cl.SHA,
	}
	hasPayload := false
	if len(c.Event) > 0 && !o.RedactEventPayload {
		var payload any
		if err := json.Unmarshal(c.Event, &payload); err != nil {
			return nil, false, fmt.Errorf("decoding event payload: %w", err)
		}
		env["github_event_payload"] = payload
		hasPayload = true
	}
	s, err := structpb.NewStruct(env)
	if err != nil {
		return nil, false, fmt.Errorf("encoding environment: %w", err)
	}
	return s, hasPayload, nil
}

// generatorSpelling adjusts protojson's output of the v0.2 proto to what
// slsa-github-generator (through in-toto-golang) writes: the key
// "buildInvocationID" rather than the proto's "buildInvocationId", and the
// false booleans of metadata written out rather than omitted.
func generatorSpelling(pred *structpb.Struct) {
	md := pred.GetFields()["metadata"].GetStructValue()
	if md == nil {
		return
	}
	f := md.GetFields()
	if v, ok := f["buildInvocationId"]; ok {
		f["buildInvocationID"] = v
		delete(f, "buildInvocationId")
	}
	f["reproducible"] = structpb.NewBoolValue(false)
	comp := f["completeness"].GetStructValue()
	if comp == nil {
		comp = &structpb.Struct{Fields: map[string]*structpb.Value{}}
		f["completeness"] = structpb.NewStructValue(comp)
	}
	for _, k := range []string{"parameters", "environment", "materials"} {
		if _, ok := comp.Fields[k]; !ok {
			comp.Fields[k] = structpb.NewBoolValue(false)
		}
	}
}
