package e2e

import (
	"bytes"
	"strings"
	"testing"

	"github.com/provenant/provenant/internal/testing/fakegithub"
)

// TestAttest_releaseAssets runs the release job three times against the
// fake GitHub API. The first run creates the release at the attested commit
// and uploads the files. A re-run signs anew, so its files differ from the
// assets: without overwrite-assets it fails with an error saying so and
// leaves the assets alone; with it the assets are replaced. Every run leaves
// exactly one copy of each asset.
func TestAttest_releaseAssets(t *testing.T) {
	st := needStack(t)
	gh := fakegithub.NewTestServer(t)
	must(t, gh.CreateRepo(fakegithub.Repo{Owner: "octo-org", Name: "octo-repo"}))
	s := newStep(t, st, "tag_push")
	s.env["GITHUB_API_URL"] = gh.APIURL
	s.file("dist/app", "app v1.2.3\n")
	inputs := map[string]string{"SUBJECT-PATH": "dist/*", "UPLOAD-ASSETS": "true", "GITHUB-TOKEN": fakegithub.DefaultToken,
		"GITHUB-ATTESTATIONS": "true"}

	// assets checks that the release holds exactly one copy of each file
	// and returns their contents by name.
	assets := func(run string) map[string][]byte {
		t.Helper()
		rels := gh.Releases("octo-org", "octo-repo")
		if len(rels) != 1 || rels[0].Tag != "v1.2.3" || rels[0].TargetCommitish != sha {
			t.Fatalf("%s: releases = %+v, want one for v1.2.3 at %s", run, rels, sha)
		}
		got := map[string][]byte{}
		count := map[string]int{}
		for _, a := range rels[0].Assets {
			got[a.Name] = a.Data
			count[a.Name]++
		}
		if len(count) != 2 || count["app.intoto.jsonl"] != 1 || count["app.sigstore.json"] != 1 {
			t.Fatalf("%s: assets = %v, want one app.intoto.jsonl and one app.sigstore.json", run, count)
		}
		return got
	}

	// Run 1: creates the release and uploads.
	s.run(inputs)
	s.expectSigned(1, 1)
	out := s.outputs()
	if out["release-id"] == "" || out["attestation-id"] == "" || !strings.Contains(out["attestation-url"], "/octo-org/octo-repo/attestations/") {
		t.Errorf("run 1: outputs = %v", out)
	}
	summary := string(read(t, s.summary))
	for _, want := range []string{"app.intoto.jsonl", "app.sigstore.json", "GitHub attestations API"} {
		if !strings.Contains(summary, want) {
			t.Errorf("run 1: summary does not list %q:\n%s", want, summary)
		}
	}
	first := assets("run 1")
	if !bytes.Equal(first["app.intoto.jsonl"], read(t, s.ws+"/app.intoto.jsonl")) {
		t.Error("run 1: the uploaded app.intoto.jsonl differs from the file written")
	}

	// Run 2, a re-run of the job in the same workflow run: its own earlier
	// copies are replaced, with a notice, and nothing is duplicated. (A copy
	// from another run still needs overwrite-assets: internal/attest tests it.)
	s.reset()
	s.run(inputs)
	if s.code != 0 || !strings.Contains(s.stderr, "replaced the copy from an earlier attempt of this workflow run") {
		t.Errorf("run 2, a re-run: exit %d, stderr:\n%s", s.code, s.stderr)
	}
	second := assets("run 2")
	if !bytes.Equal(second["app.intoto.jsonl"], read(t, s.ws+"/app.intoto.jsonl")) || bytes.Equal(second["app.intoto.jsonl"], first["app.intoto.jsonl"]) {
		t.Error("run 2: the re-run did not replace its earlier copy")
	}

	// Run 3, with overwrite-assets: replaced, still one copy each.
	s.reset()
	inputs["OVERWRITE-ASSETS"] = "true"
	s.run(inputs)
	s.expectSigned(1, 1)
	third := assets("run 3")
	if !bytes.Equal(third["app.intoto.jsonl"], read(t, s.ws+"/app.intoto.jsonl")) || bytes.Equal(third["app.intoto.jsonl"], first["app.intoto.jsonl"]) {
		t.Error("run 3: the asset was not replaced by the new provenance")
	}
	if !bytes.Equal(third["app.sigstore.json"], read(t, s.ws+"/app.sigstore.json")) {
		t.Error("run 3: the uploaded app.sigstore.json differs from the file written")
	}
	// Each of the three runs stored an attestation.
	if n := len(gh.Attestations("octo-org", "octo-repo")); n != 3 {
		t.Errorf("attestations API holds %d attestations, want 3", n)
	}
}

// TestAttest_attestationsAPIPlanIsAWarning checks that a plan refusal is a
// warning, not a failure, unless fail-on-storage-error is set.
func TestAttest_attestationsAPIPlanIsAWarning(t *testing.T) {
	st := needStack(t)
	gh := fakegithub.NewTestServer(t)
	must(t, gh.CreateRepo(fakegithub.Repo{Owner: "octo-org", Name: "octo-repo", Private: true}))
	s := newStep(t, st, "tag_push")
	s.env["GITHUB_API_URL"] = gh.APIURL
	s.file("dist/app", "app\n")
	s.run(map[string]string{"SUBJECT-PATH": "dist/*", "GITHUB-ATTESTATIONS": "true", "GITHUB-TOKEN": fakegithub.DefaultToken})
	s.expectSigned(1, 1)
	if !strings.Contains(s.stdout, "::warning") || !strings.Contains(s.stderr, "fail-on-storage-error") {
		t.Errorf("no warning about the plan:\nstdout %s\nstderr %s", s.stdout, s.stderr)
	}
	s.reset()
	s.run(map[string]string{"SUBJECT-PATH": "dist/*", "GITHUB-ATTESTATIONS": "true", "GITHUB-TOKEN": fakegithub.DefaultToken,
		"FAIL-ON-STORAGE-ERROR": "true"})
	if s.code != 1 || !strings.Contains(s.stderr, "attestations API") {
		t.Errorf("fail-on-storage-error: exit %d, stderr %s", s.code, s.stderr)
	}
}
