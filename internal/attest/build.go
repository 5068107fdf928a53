package attest

import (
	"github.com/provenant/provenant/internal/config"
	"github.com/provenant/provenant/internal/ghctx"
	"github.com/provenant/provenant/internal/intoto"
	"github.com/provenant/provenant/internal/provenance"
)

// statementChoices are the user's choices about what statements hold.
type statementChoices struct {
	version        provenance.Version
	includeInputs  bool
	workflowInputs map[string]any
	vars           map[string]any
	redactEvent    bool
	perSubject     bool
}

func statementInput(cfg *config.Config) statementChoices {
	return statementChoices{
		version: cfg.PredicateVersion, includeInputs: cfg.IncludeInputs, workflowInputs: cfg.WorkflowInputs,
		vars: cfg.Vars, redactEvent: cfg.RedactEventPayload, perSubject: cfg.PerSubject,
	}
}

// statements are the unsigned statements of a run.
type statements struct {
	predicateType string
	// each is one statement per group of subjects, with its subjects.
	each   [][]byte
	groups [][]intoto.Subject
}

// buildStatements makes one statement for all subjects, or one per subject.
func buildStatements(gc ghctx.Context, subjects []intoto.Subject, c statementChoices) (statements, error) {
	popts, err := predicateOptions(c, gc)
	if err != nil {
		return statements{}, err
	}
	out := statements{predicateType: provenance.PredicateV1, groups: [][]intoto.Subject{subjects}}
	if popts.Version == provenance.V02 {
		out.predicateType = provenance.PredicateV02
	}
	if c.perSubject {
		out.groups = make([][]intoto.Subject, len(subjects))
		for i := range subjects {
			out.groups[i] = subjects[i : i+1]
		}
	}
	for _, g := range out.groups {
		st, err := provenance.Build(gc, g, popts)
		if err != nil {
			return statements{}, err
		}
		out.each = append(out.each, st)
	}
	return out, nil
}

// predicateOptions decides which optional, possibly private, facts go in.
func predicateOptions(c statementChoices, gc ghctx.Context) (provenance.Options, error) {
	o := provenance.Options{Version: c.version, Vars: c.vars, RedactEventPayload: c.redactEvent}
	if o.Version == "" {
		o.Version = provenance.V1
	}
	inputs := c.workflowInputs
	if inputs == nil {
		ev, err := gc.EventInputs()
		if err != nil {
			return o, err
		}
		inputs = ev
	}
	switch {
	case c.includeInputs || c.workflowInputs != nil:
		o.Inputs = inputs
	case o.Version == provenance.V02 && !c.redactEvent:
		// slsa-github-generator records workflow_dispatch inputs always.
		o.Inputs = inputs
	}
	return o, nil
}

// provenanceName is the .intoto.jsonl file name: the given one, or
// slsa-github-generator's default for the subjects.
func provenanceName(given string, subjects []intoto.Subject) string {
	if given != "" {
		return given
	}
	names := make([]string, len(subjects))
	for i, s := range subjects {
		names[i] = s.Name
	}
	return config.DefaultProvenanceName(names)
}
