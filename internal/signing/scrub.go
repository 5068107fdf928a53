package signing

import (
	"errors"
	"strings"
)

// scrub removes the token from an error a dependency produced.
func scrub(err error, token string) error {
	if token == "" || !strings.Contains(err.Error(), token) {
		return err
	}
	return errors.New(strings.ReplaceAll(err.Error(), token, "***"))
}
