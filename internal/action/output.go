package action

import (
	"errors"
	"fmt"
	"os"
)

// Output is one step output.
type Output struct {
	Name, Value string
}

// SetOutputs writes step outputs to GITHUB_OUTPUT. Outside Actions it does
// nothing. It checks the file first, because go-githubactions panics on a
// missing one.
func (e *Env) SetOutputs(outs []Output) error {
	if !e.InActions() {
		return nil
	}
	if err := checkFileCommand(e.getenv, "GITHUB_OUTPUT"); err != nil {
		return err
	}
	for _, o := range outs {
		e.gha.SetOutput(o.Name, o.Value)
	}
	return nil
}

// Summary appends markdown to the job summary. Outside Actions, or when the
// runner offers no summary file, it does nothing.
func (e *Env) Summary(markdown string) error {
	if !e.InActions() || e.getenv("GITHUB_STEP_SUMMARY") == "" {
		return nil
	}
	if err := checkFileCommand(e.getenv, "GITHUB_STEP_SUMMARY"); err != nil {
		return err
	}
	e.gha.AddStepSummary(markdown)
	return nil
}

// Errorf reports an error annotation to the runner.
func (e *Env) Errorf(format string, args ...any) { e.gha.Errorf(format, args...) }

// Warningf reports a warning annotation to the runner.
func (e *Env) Warningf(format string, args ...any) { e.gha.Warningf(format, args...) }

// Noticef reports a notice annotation to the runner.
func (e *Env) Noticef(format string, args ...any) { e.gha.Noticef(format, args...) }

func checkFileCommand(getenv func(string) string, name string) error {
	p := getenv(name)
	if p == "" {
		return fmt.Errorf("%s is not set: the runner did not provide the file for step outputs", name)
	}
	f, err := os.OpenFile(p, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("%s names %s, which does not exist", name, p)
		}
		return fmt.Errorf("%s names %s, which cannot be written: %w", name, p, err)
	}
	return f.Close()
}
