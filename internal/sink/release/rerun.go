package release

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/url"
	"slices"
	"strings"
)

// Run identifies the workflow run that makes the attestation. An asset
// that holds only attestations from the same repository and the same run,
// any attempt, and that attests the same subject names, is a copy from an
// earlier attempt of this run (a retried step, or "Re-run jobs"), and is
// replaced without Options.Overwrite. Other jobs of the same run (a
// matrix) attest other subjects; their copy under the same name is not
// replaced.
type Run struct {
	// Repository is owner/name.
	Repository string
	// RunID is the workflow run's ID (GITHUB_RUN_ID).
	RunID string
}

// statement is the part of an in-toto statement that names its run: SLSA
// v1's runDetails.metadata.invocationId
// (<server>/<owner>/<repo>/actions/runs/<id>/attempts/<n>), or v0.2's
// invocation.configSource.uri (git+<server>/<owner>/<repo>@<ref>) and
// invocation.environment.github_run_id.
type statement struct {
	Subject []struct {
		Name string `json:"name"`
	} `json:"subject"`
	Predicate struct {
		RunDetails struct {
			Metadata struct {
				InvocationID string `json:"invocationId"`
			} `json:"metadata"`
		} `json:"runDetails"`
		Invocation struct {
			ConfigSource struct {
				URI string `json:"uri"`
			} `json:"configSource"`
			Environment struct {
				RunID string `json:"github_run_id"`
			} `json:"environment"`
		} `json:"invocation"`
	} `json:"predicate"`
}

// fromRun reports whether data, a .sigstore.json bundle or a .intoto.jsonl
// file of bundles, holds at least one attestation and only attestations
// of run. It does not verify them: replacing a forged one is harmless.
func fromRun(data []byte, run Run) bool {
	if run.Repository == "" || run.RunID == "" {
		return false
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, len(data)+1)
	n := 0
	for sc.Scan() {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		repo, id, ok := runOf(line)
		if !ok || !strings.EqualFold(repo, run.Repository) || id != run.RunID {
			return false
		}
		n++
	}
	if n == 0 && json.Valid(data) { // a pretty-printed .sigstore.json
		repo, id, ok := runOf(data)
		return ok && strings.EqualFold(repo, run.Repository) && id == run.RunID
	}
	return sc.Err() == nil && n > 0
}

// runOf reads the repository and run ID from one bundle's statement.
func runOf(bundleJSON []byte) (repo, runID string, ok bool) {
	st, ok := statementOf(bundleJSON)
	if !ok {
		return "", "", false
	}
	if id := st.Predicate.RunDetails.Metadata.InvocationID; id != "" {
		return parseInvocationID(id)
	}
	inv := st.Predicate.Invocation
	src, _, _ := strings.Cut(strings.TrimPrefix(inv.ConfigSource.URI, "git+"), "@")
	repo, ok = repoOf(src)
	return repo, inv.Environment.RunID, ok && inv.Environment.RunID != ""
}

// statementOf reads the statement of one bundle's DSSE envelope.
func statementOf(bundleJSON []byte) (statement, bool) {
	var b struct {
		DSSE struct {
			Payload string `json:"payload"`
		} `json:"dsseEnvelope"`
	}
	var st statement
	if json.Unmarshal(bundleJSON, &b) != nil {
		return st, false
	}
	payload, err := base64.StdEncoding.DecodeString(b.DSSE.Payload)
	if err != nil || json.Unmarshal(payload, &st) != nil {
		return st, false
	}
	return st, true
}

// parseInvocationID splits <server>/<owner>/<repo>/actions/runs/<id>/attempts/<n>.
func parseInvocationID(id string) (repo, runID string, ok bool) {
	repoURL, rest, found := strings.Cut(id, "/actions/runs/")
	if !found {
		return "", "", false
	}
	runID, _, _ = strings.Cut(rest, "/")
	repo, ok = repoOf(repoURL)
	return repo, runID, ok && runID != ""
}

// repoOf returns owner/repo from <server>/<owner>/<repo>.
func repoOf(repoURL string) (string, bool) {
	u, err := url.Parse(repoURL)
	if err != nil {
		return "", false
	}
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	if len(parts) < 2 {
		return "", false
	}
	return strings.Join(parts[len(parts)-2:], "/"), true
}

// sameSubjects reports whether two attestation files (a .sigstore.json
// bundle or a .intoto.jsonl file of bundles) name the same set of
// subjects. A re-run attests the same artifacts, rebuilt; another job of
// the same run attests its own.
func sameSubjects(a, b []byte) bool {
	sa, oka := subjectNames(a)
	sb, okb := subjectNames(b)
	return oka && okb && slices.Equal(sa, sb)
}

// subjectNames returns the sorted, distinct subject names of every
// statement in data.
func subjectNames(data []byte) ([]string, bool) {
	var names []string
	each := func(bundleJSON []byte) bool {
		st, ok := statementOf(bundleJSON)
		for _, s := range st.Subject {
			names = append(names, s.Name)
		}
		return ok
	}
	lines := bytes.Split(data, []byte("\n"))
	if json.Valid(data) {
		lines = [][]byte{data} // one bundle, perhaps pretty-printed
	}
	for _, l := range lines {
		if l = bytes.TrimSpace(l); len(l) > 0 && !each(l) {
			return nil, false
		}
	}
	slices.Sort(names)
	return slices.Compact(names), len(names) > 0
}
