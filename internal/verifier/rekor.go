package verifier

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/provenant/provenant/internal/verify"
)

const (
	// maxLogEntries bounds the entries fetched for one line, so that a
	// key the index files many entries under cannot make a run endless.
	maxLogEntries = 8
	// maxRekorAnswer bounds what is read of one Rekor answer.
	maxRekorAnswer = 8 << 20
)

// rekor finds the Rekor v1 entries of slsa-github-generator v1 lines.
type rekor struct {
	client  *http.Client
	urls    []string // the logs to search, in order
	offline bool
	done    map[string]resolved // by line, so a line is looked up once
}

type resolved struct {
	bundle []byte
	where  string
	err    error
}

// logURLs are the Rekor URL given or, without it, the base URLs of the
// trusted roots' transparency logs, without duplicates.
func logURLs(rekorURL string, roots []verify.Root) []string {
	if rekorURL != "" {
		return []string{strings.TrimRight(rekorURL, "/")}
	}
	var out []string
	seen := map[string]bool{}
	for _, r := range roots {
		for _, tl := range r.Trusted.RekorLogs() {
			if u := strings.TrimRight(tl.BaseURL, "/"); u != "" && !seen[u] {
				seen[u] = true
				out = append(out, u)
			}
		}
	}
	return out
}

// resolve joins a slsa-github-generator v1 line with its log entry into
// a bundle. Refusals are *verify.Error: ErrSignature for a line whose
// signature does not hold, ErrLegacyEnvelope when no entry was found.
func (r *rekor) resolve(ctx context.Context, line []byte) ([]byte, string, error) {
	if got, ok := r.done[string(line)]; ok {
		return got.bundle, got.where, got.err
	}
	b, where, err := r.lookup(ctx, line)
	r.done[string(line)] = resolved{b, where, err}
	return b, where, err
}

func (r *rekor) lookup(ctx context.Context, line []byte) ([]byte, string, error) {
	l, err := verify.ParseLegacy(line)
	if err != nil {
		return nil, "", err
	}
	missing := func(format string, args ...any) error {
		return &verify.Error{Check: verify.ErrLegacyEnvelope, Err: fmt.Errorf(format, args...)}
	}
	switch {
	case r.offline:
		return nil, "", missing("not looked up, as lookups are off (offline): the line holds the certificate but not the log entry that vouches for the time of signing")
	case len(r.urls) == 0:
		return nil, "", missing("the trusted root names no transparency log URL (tlogs[].baseUrl) to look it up in, and no Rekor URL was given")
	}
	var reasons []string
	for _, u := range r.urls {
		b, where, err := r.search(ctx, u, l)
		if err == nil {
			return b, where, nil
		}
		reasons = append(reasons, err.Error())
	}
	return nil, "", missing("%s", strings.Join(reasons, "; "))
}

// search looks for the line's entry in the log at base, by the payload's
// digest and then by the certificate's, as Rekor indexes intoto entries.
func (r *rekor) search(ctx context.Context, base string, l *verify.Legacy) ([]byte, string, error) {
	var others []string
	fetched := 0
	for _, key := range []string{l.PayloadDigest(), l.CertificateDigest()} {
		uuids, err := r.retrieve(ctx, base, key)
		if err != nil {
			return nil, "", fmt.Errorf("searching %s: %w", redactURL(base), err)
		}
		for _, id := range uuids {
			if fetched == maxLogEntries {
				break
			}
			fetched++
			e, err := r.entry(ctx, base, id)
			if err != nil {
				return nil, "", fmt.Errorf("fetching entry %s from %s: %w", id, redactURL(base), err)
			}
			b, err := l.Bundle(e)
			if err != nil {
				others = append(others, fmt.Sprintf("entry %s: %v", id, err))
				continue
			}
			return b, fmt.Sprintf("Rekor entry %d at %s", e.LogIndex, redactURL(base)), nil
		}
	}
	msg := fmt.Sprintf("%s holds no entry for it (searched by the payload %s and the certificate %s)", redactURL(base), l.PayloadDigest(), l.CertificateDigest())
	if len(others) > 0 {
		msg += "; the entries found are for other envelopes: " + strings.Join(others, "; ")
	}
	return nil, "", errors.New(msg)
}

// retrieve is POST /api/v1/index/retrieve {"hash": key}: the UUIDs of the
// entries filed under key.
func (r *rekor) retrieve(ctx context.Context, base, key string) ([]string, error) {
	body, _ := json.Marshal(map[string]string{"hash": key}) // a map of strings always marshals
	var uuids []string
	if err := r.do(ctx, http.MethodPost, base+"/api/v1/index/retrieve", body, &uuids); err != nil {
		return nil, err
	}
	return uuids, nil
}

// entry is GET /api/v1/log/entries/{uuid}.
func (r *rekor) entry(ctx context.Context, base, uuid string) (verify.LogEntry, error) {
	var m map[string]verify.LogEntry
	if err := r.do(ctx, http.MethodGet, base+"/api/v1/log/entries/"+url.PathEscape(uuid), nil, &m); err != nil {
		return verify.LogEntry{}, err
	}
	if len(m) != 1 {
		return verify.LogEntry{}, fmt.Errorf("the log answered %d entries, want 1", len(m))
	}
	for _, e := range m {
		return e, nil
	}
	return verify.LogEntry{}, nil
}

func (r *rekor) do(ctx context.Context, method, u string, body []byte, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, u, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := r.client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // the URL is named by the caller, without credentials
		}
		return fmt.Errorf("the log is unreachable: %w", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxRekorAnswer+1))
	switch {
	case err != nil:
		return err
	case len(b) > maxRekorAnswer:
		return fmt.Errorf("the answer is larger than %d MiB", maxRekorAnswer>>20)
	case resp.StatusCode != http.StatusOK:
		return fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("the answer is not what Rekor v1 answers: %w", err)
	}
	return nil
}

// redactURL drops credentials, query and fragment from a log URL.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "the log"
	}
	u.User, u.RawQuery, u.Fragment = nil, "", ""
	return u.String()
}
