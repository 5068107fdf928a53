package cli

import (
	"errors"
	"fmt"

	"github.com/provenant/provenant/internal/policy"
)

// policyFlags names the flag that sets each policy field.
var policyFlags = map[string]string{
	"SourceURI":          "--source-uri",
	"SourceOwner":        "--owner",
	"SourceRef":          "--source-ref",
	"SourceVersionedTag": "--source-versioned-tag",
	"PredicateTypes":     "--predicate-type",
}

// policyUsage says a policy mistake in terms of the verify command line.
func policyUsage(err error) error {
	var fe *policy.FieldError
	switch {
	case err == nil:
		return nil
	case errors.Is(err, policy.ErrNoSource):
		return errors.New("--source-uri is required (e.g. github.com/owner/repo), or --repo/--owner; pass --insecure-any-source to accept any repository")
	case errors.As(err, &fe) && fe.Field == "SourceRef":
		return fmt.Errorf("--source-ref %q: want %s (or use --source-tag / --source-branch)", fe.Value, fe.Want)
	case errors.As(err, &fe) && policyFlags[fe.Field] != "":
		return fmt.Errorf("%s %q: want %s", policyFlags[fe.Field], fe.Value, fe.Want)
	}
	return err
}
