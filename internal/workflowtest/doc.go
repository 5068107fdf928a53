// Package workflowtest holds only tests: they check the reusable workflows,
// the release workflow and the examples for the rules their security rests
// on (no expression inside a run script, third-party actions pinned by
// commit) and keep them in step with action.yml's inputs.
package workflowtest
