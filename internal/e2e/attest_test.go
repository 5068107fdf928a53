package e2e

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const (
	owner   = "octo-org"
	repo    = "octo-org/octo-repo"
	sha     = "c27d339ee6075c1f744c5d4b200f7901aad2c369"
	ref     = "refs/tags/v1.2.3"
	builder = "https://github.com/octo-org/octo-repo/.github/workflows/release.yml@refs/tags/v1.2.3"
	signer  = "octo-org/octo-repo/.github/workflows/release.yml"
)

var versions = []version{
	{"v1", "https://slsa.dev/provenance/v1", "slsaprovenance1"},
	{"v0.2", "https://slsa.dev/provenance/v0.2", "slsaprovenance02"},
}

// TestAttest_verifiedByCosignAndGh is the matrix: for each predicate
// version, files and an image digest are attested as the runner runs the
// action, and every bundle must be accepted by cosign and gh, and refused
// by both when the artifact, the repository or the signer is wrong.
func TestAttest_verifiedByCosignAndGh(t *testing.T) {
	st := needStack(t)
	for _, v := range versions {
		t.Run(v.input+"/files", func(t *testing.T) {
			s := newStep(t, st, "tag_push")
			s.file("dist/app_linux_amd64", "linux build "+v.input+"\n")
			s.file("dist/app_darwin_arm64", "darwin build "+v.input+"\n")
			s.run(map[string]string{"SUBJECT-PATH": "dist/*", "PREDICATE-VERSION": v.input})
			b := s.expectSigned(1, 2)
			for _, a := range []string{"dist/app_linux_amd64", "dist/app_darwin_arm64"} {
				artifact := filepath.Join(s.ws, a)
				expectVerified(t, st, v, b, artifact, "")
			}
			expectRefusals(t, st, v, b, s)
		})
		t.Run(v.input+"/image", func(t *testing.T) {
			s := newStep(t, st, "tag_push")
			// The image digest is the sha256 of a local file, so that gh,
			// which verifies files or registry images, can check it too.
			digest := s.file("image-manifest.json", `{"schemaVersion":2,"note":"`+v.input+`"}`)
			s.run(map[string]string{"IMAGE": "127.0.0.1:15000/octo-org/app@sha256:" + digest, "PREDICATE-VERSION": v.input})
			b := s.expectSigned(1, 1)
			stmt := statement(t, b[0])
			if got := stmt.Subject[0].Name; got != "127.0.0.1:15000/octo-org/app" {
				t.Errorf("image subject name = %q", got)
			}
			expectVerified(t, st, v, b, filepath.Join(s.ws, "image-manifest.json"), digest)
		})
	}
}

// TestAttest_onePerSubject checks the per-subject layout: one line per
// subject in the .intoto.jsonl, which gh reads whole.
func TestAttest_onePerSubject(t *testing.T) {
	st := needStack(t)
	s := newStep(t, st, "tag_push")
	s.file("dist/a.whl", "wheel a\n")
	s.file("dist/b.tar.gz", "sdist b\n")
	s.run(map[string]string{"SUBJECT-PATH": "dist/*", "ONE-ATTESTATION-PER-SUBJECT": "true"})
	b := s.expectSigned(2, 2)
	for i, name := range []string{"dist/a.whl", "dist/b.tar.gz"} {
		if got := statement(t, b[i]).Subject; len(got) != 1 || got[0].Name != name {
			t.Errorf("bundle %d subjects = %+v, want only %s", i, got, name)
		}
		code, out := tool(t, "gh", ghArgs(st, versions[0], filepath.Join(s.ws, "multiple.intoto.jsonl"), filepath.Join(s.ws, name))...)
		if code != 0 {
			t.Errorf("gh refused %s from the .intoto.jsonl: %s", name, out)
		}
	}
}

// TestAttest_rerunIsSafe runs the same step twice: the second run refuses to
// replace the files unless overwrite-files is set.
func TestAttest_rerunIsSafe(t *testing.T) {
	st := needStack(t)
	s := newStep(t, st, "tag_push")
	s.file("dist/app", "app\n")
	s.run(map[string]string{"SUBJECT-PATH": "dist/*"})
	first := s.expectSigned(1, 1)
	s.run(map[string]string{"SUBJECT-PATH": "dist/*"})
	if s.code != 1 || !strings.Contains(s.stderr, "overwrite-files") {
		t.Fatalf("second run: exit %d, stderr %s", s.code, s.stderr)
	}
	if got := read(t, filepath.Join(s.ws, "app.sigstore.json")); string(got) != string(first[0]) {
		t.Error("a refused re-run changed the bundle")
	}
	must(t, os.WriteFile(s.output, nil, 0o644))
	s.run(map[string]string{"SUBJECT-PATH": "dist/*", "OVERWRITE-FILES": "true"})
	s.expectSigned(1, 1)
}

// expectSigned checks a successful run: outputs, files, and that the
// .intoto.jsonl holds the same bundles as the .sigstore.json files.
func (s *step) expectSigned(bundles, subjects int) [][]byte {
	t := s.t
	t.Helper()
	if s.code != 0 {
		t.Fatalf("provenant attest exit %d\nstderr:\n%s", s.code, s.stderr)
	}
	out := s.outputs()
	if out["certificate-identity"] != builder || out["certificate-issuer"] != s.st.issuer {
		t.Errorf("identity outputs = %q, %q", out["certificate-identity"], out["certificate-issuer"])
	}
	if out["outcome"] != "success" {
		t.Errorf("outcome = %q, want success", out["outcome"])
	}
	if out["subject-count"] != itoa(subjects) {
		t.Errorf("subject-count = %q, want %d", out["subject-count"], subjects)
	}
	hasLog := s.st.rekor != "none" && s.st.rekor != ""
	if (out["log-index"] != "") != hasLog || (out["log-url"] != "") != hasLog {
		t.Errorf("log outputs = %q, %q with rekor %q", out["log-index"], out["log-url"], s.st.rekor)
	}
	lines := strings.Split(strings.TrimSuffix(string(read(t, filepath.Join(s.ws, out["provenance-name"]))), "\n"), "\n")
	if len(lines) != bundles {
		t.Fatalf("%s has %d lines, want %d", out["provenance-name"], len(lines), bundles)
	}
	var bs [][]byte
	for _, l := range lines {
		bs = append(bs, []byte(l))
	}
	if bundles == 1 {
		single := read(t, filepath.Join(s.ws, out["bundle-path"]))
		if string(single) != lines[0] {
			t.Error("the .sigstore.json differs from the .intoto.jsonl line")
		}
		sum := sha256.Sum256(single)
		if out["attestation-digest"] != "sha256:"+hex.EncodeToString(sum[:]) {
			t.Errorf("attestation-digest = %q", out["attestation-digest"])
		}
	}
	summary := string(read(t, s.summary))
	for _, want := range []string{"provenant verify", "gh attestation verify", "cosign verify-blob-attestation", out["provenance-name"]} {
		if !strings.Contains(summary, want) {
			t.Errorf("summary lacks %q", want)
		}
	}
	s.expectNoSecrets(bs)
	return bs
}

// expectNoSecrets scans everything the step produced for the OIDC token and
// the token-request credential.
func (s *step) expectNoSecrets(bundles [][]byte) {
	t := s.t
	t.Helper()
	var jwt string
	var rest []string
	for _, l := range strings.Split(s.stdout, "\n") {
		if v, ok := strings.CutPrefix(l, "::add-mask::"); ok {
			if strings.Count(v, ".") == 2 {
				jwt = v
			}
			continue
		}
		rest = append(rest, l)
	}
	if jwt == "" {
		t.Fatal("the OIDC token was never masked")
	}
	secrets := []string{jwt, strings.Split(jwt, ".")[2], s.st.requestToken}
	places := map[string]string{"stdout": strings.Join(rest, "\n"), "stderr": s.stderr,
		"GITHUB_OUTPUT": string(read(t, s.output)), "GITHUB_STEP_SUMMARY": string(read(t, s.summary))}
	filepath.WalkDir(s.ws, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			places[p] = string(read(t, p))
		}
		return nil
	})
	if s.st.dir != "" {
		logs, _ := filepath.Glob(filepath.Join(s.st.dir, "logs", "*"))
		for _, l := range logs {
			places[l] = string(read(t, l))
		}
	}
	for where, text := range places {
		for _, sec := range secrets {
			if sec != "" && strings.Contains(text, sec) {
				t.Errorf("a secret appears in %s", where)
			}
		}
	}
}

type stmt struct {
	Type          string `json:"_type"`
	PredicateType string `json:"predicateType"`
	Subject       []struct {
		Name   string            `json:"name"`
		Digest map[string]string `json:"digest"`
	} `json:"subject"`
}

func statement(t *testing.T, bundle []byte) stmt {
	t.Helper()
	var b struct {
		DSSE struct {
			Payload []byte `json:"payload"`
		} `json:"dsseEnvelope"`
	}
	must(t, json.Unmarshal(bundle, &b))
	var s stmt
	must(t, json.Unmarshal(b.DSSE.Payload, &s))
	return s
}

func itoa(i int) string {
	b, _ := json.Marshal(i)
	return string(b)
}
