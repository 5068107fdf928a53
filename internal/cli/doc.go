// Package cli is provenant's command-line front end: it parses subcommands
// and flags, falls back to GitHub Actions inputs of the same names when it
// runs as a step, calls the pipeline, and reports to the terminal and the
// runner. It is the only place, with package action, that writes for
// humans.
package cli
