package attest

import (
	"github.com/provenant/provenant/internal/config"
	"github.com/provenant/provenant/internal/ghctx"
	"github.com/provenant/provenant/internal/intoto"
	"github.com/provenant/provenant/internal/provenance"
)

// build makes one statement for all subjects, or one per subject.
func build(cfg *config.Config, gc ghctx.Context, subjects []intoto.Subject) (*Result, error) {
	popts, err := predicateOptions(cfg, gc)
	if err != nil {
		return nil, err
	}
	ps := make([]intoto.Subject, len(subjects))
	names := make([]string, len(subjects))
	for i, s := range subjects {
		ps[i] = intoto.Subject{Name: s.Name, Digest: s.Digest}
		names[i] = s.Name
	}
	groups := [][]intoto.Subject{ps}
	if cfg.PerSubject {
		groups = make([][]intoto.Subject, len(ps))
		for i := range ps {
			groups[i] = ps[i : i+1]
		}
	}
	res := &Result{Subjects: subjects, Context: gc, PredicateType: provenance.PredicateV1}
	if popts.Version == provenance.V02 {
		res.PredicateType = provenance.PredicateV02
	}
	for _, g := range groups {
		st, err := provenance.Build(gc, g, popts)
		if err != nil {
			return nil, err
		}
		res.Statements = append(res.Statements, st)
	}
	res.ProvenanceName = cfg.ProvenanceName
	if res.ProvenanceName == "" {
		res.ProvenanceName = config.DefaultProvenanceName(names)
	}
	return res, nil
}

// predicateOptions decides which optional, possibly private, facts go in.
func predicateOptions(cfg *config.Config, gc ghctx.Context) (provenance.Options, error) {
	o := provenance.Options{Version: cfg.PredicateVersion, Vars: cfg.Vars, RedactEventPayload: cfg.RedactEventPayload}
	if o.Version == "" {
		o.Version = provenance.V1
	}
	inputs := cfg.WorkflowInputs
	if inputs == nil {
		ev, err := gc.EventInputs()
		if err != nil {
			return o, err
		}
		inputs = ev
	}
	switch {
	case cfg.IncludeInputs:
		o.Inputs = inputs
	case o.Version == provenance.V02 && !cfg.RedactEventPayload:
		// slsa-github-generator records workflow_dispatch inputs always.
		o.Inputs = inputs
	}
	return o, nil
}
