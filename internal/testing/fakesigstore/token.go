package fakesigstore

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// githubClaims are the claims Fulcio's github-workflow issuer type
// requires, each a non-empty string.
var githubClaims = []string{
	"job_workflow_ref", "sha", "event_name", "repository", "workflow", "ref",
	"job_workflow_sha", "runner_environment", "repository_id", "repository_owner",
	"repository_owner_id", "repository_visibility", "workflow_ref", "workflow_sha",
	"run_id", "run_attempt",
}

// parseToken decodes a JWT and checks what Fulcio checks apart from the
// signature: a well-formed token, iss and sub, the audience, expiry, and
// every claim of githubClaims. It returns the string-valued claims.
//
// The signature is not verified: the fake cannot know the issuer's keys.
func (s *Sigstore) parseToken(token string) (map[string]string, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, errors.New("token is not a JWS compact serialization")
	}
	var header map[string]any
	if err := decodeSegment(parts[0], &header); err != nil {
		return nil, fmt.Errorf("decoding token header: %w", err)
	}
	var raw map[string]any
	if err := decodeSegment(parts[1], &raw); err != nil {
		return nil, fmt.Errorf("decoding token payload: %w", err)
	}
	if err := s.checkRegistered(raw); err != nil {
		return nil, err
	}
	claims := map[string]string{}
	for k, v := range raw {
		if str, ok := v.(string); ok {
			claims[k] = str
		}
	}
	for _, k := range append([]string{"iss", "sub"}, githubClaims...) {
		if claims[k] == "" {
			return nil, fmt.Errorf("missing %s claim in ID token", k)
		}
	}
	return claims, nil
}

// checkRegistered checks aud and exp.
func (s *Sigstore) checkRegistered(raw map[string]any) error {
	exp, ok := raw["exp"].(float64)
	if !ok {
		return errors.New("token has no numeric exp")
	}
	if s.clock().After(time.Unix(int64(exp), 0)) {
		return errors.New("token is expired")
	}
	if s.audience == "" {
		return nil
	}
	switch aud := raw["aud"].(type) {
	case string:
		if aud == s.audience {
			return nil
		}
	case []any:
		if slices.Contains(aud, any(s.audience)) {
			return nil
		}
	}
	return fmt.Errorf("token audience is not %q", s.audience)
}

// decodeSegment decodes one base64url segment of a JWT into v.
func decodeSegment(seg string, v any) error {
	b, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}
