// Package config defines every option of provenant's commands once — name,
// default, meaning — and turns the values a user gave, from command-line
// flags or from GitHub Actions inputs of the same name, into a validated
// Config. All problems are reported together as *input.Error values.
package config
