package config

import "slices"

// Kind is the type of an option's value.
type Kind int

// Option kinds.
const (
	String Kind = iota
	Bool
	// Multiline is a string that may hold several lines (lists, JSON).
	Multiline
	// List is a repeatable flag: each use adds one value, and the Source
	// returns them one per line, in the order given.
	List
)

// Spec describes one option. The same name is a command-line flag
// (--subject-path) and an action input (subject-path).
type Spec struct {
	Name    string
	Default string
	// ActionDefault, when set, is the default in action.yml instead of
	// Default: an expression the runner evaluates, such as ${{ github.token }}.
	ActionDefault string
	Kind          Kind
	Description   string
	// Secret values are masked in the job log as soon as they are read.
	Secret bool
	// Commands are the commands that take the option (CmdAttest, ...).
	Commands []string
}

// The commands whose options the table lists.
const (
	CmdAttest   = "attest"
	CmdSubjects = "subjects"
	CmdVerify   = "verify"
)

var (
	attestAndSubjects = []string{CmdAttest, CmdSubjects}
	attestOnly        = []string{CmdAttest}
	verifyOnly        = []string{CmdVerify}
)

// TakesActionInputs reports whether the options of cmd may also come from
// the action inputs of the same name when it runs inside GitHub Actions.
// verify takes its options from the command line only.
func TakesActionInputs(cmd string) bool { return cmd != CmdVerify }

// For returns the options of the command cmd, in the order they are
// documented.
func For(cmd string) []Spec {
	var out []Spec
	for _, sp := range table {
		if slices.Contains(sp.Commands, cmd) {
			out = append(out, sp)
		}
	}
	return out
}

// Attest lists the options of `provenant attest`, in the order they are
// documented.
var Attest = For(CmdAttest)

// Subjects lists the options of `provenant subjects`: the subject inputs of
// attest.
var Subjects = For(CmdSubjects)

// Verify lists the options of `provenant verify`, in the order they are
// documented. They are command-line flags only, never action inputs.
var Verify = For(CmdVerify)

// table is every option, each stating the commands that take it. A name
// may appear twice when two commands give it different meanings.
var table = []Spec{
	{Name: "subject-path", Kind: Multiline, Description: "Files to attest: paths or globs (`**` matches any number of directories), separated by newlines or commas, relative to the workspace.", Commands: attestAndSubjects},
	{Name: "subject-name-style", Default: "relative", Description: "How files from subject-path are named: `relative` (path relative to the workspace) or `basename` (the file name only, as actions/attest-build-provenance names them).", Commands: attestAndSubjects},
	{Name: "subject-digest", Description: "Digest of one subject, `sha256:<hex>` (also sha384, sha512). Requires subject-name.", Commands: attestAndSubjects},
	{Name: "subject-name", Description: "Name of the subject given by subject-digest. Without subject-digest, every file from subject-path gets this name.", Commands: attestAndSubjects},
	{Name: "subjects", Kind: Multiline, Description: "Subjects, one per line, as `name@sha256:<hex>`.", Commands: attestAndSubjects},
	{Name: "subject-checksums", Kind: Multiline, Description: "A checksums file (sha256sum/sha512sum output, text or binary mode, or BSD `SHA256 (name) = hex` lines), or that text inline.", Commands: attestAndSubjects},
	{Name: "base64-subjects", Kind: Multiline, Description: "base64 of `sha256sum` output, as slsa-github-generator takes it. Limited to about 128 KiB by the runner; use base64-subjects-file for more.", Commands: attestAndSubjects},
	{Name: "base64-subjects-file", Description: "Path of a file holding base64-subjects text, for subject lists of any size.", Commands: attestAndSubjects},
	{Name: "image", Kind: Multiline, Description: "Container images to attest, one per line: `registry/repository@sha256:<hex>`. A tag without a digest is refused. With digest, one image name without tag or digest.", Commands: attestAndSubjects},
	{Name: "digest", Description: "Image digest `sha256:<hex>` for the single name in image (slsa-github-generator's container generator style).", Commands: attestAndSubjects},
	{Name: "predicate-version", Default: "v1", Description: "SLSA provenance version: `v1` (SLSA v1.0, GitHub's workflow build type) or `v0.2` (slsa-github-generator's layout).", Commands: attestOnly},
	{Name: "include-inputs", Default: "false", Kind: Bool, Description: "Record the workflow's inputs (workflow_dispatch inputs from the event, or workflow-inputs) in the provenance. Off by default because inputs may be private. SLSA v0.2 always records workflow_dispatch inputs, as slsa-github-generator does, unless redact-event-payload is set.", Commands: attestOnly},
	{Name: "workflow-inputs", Kind: Multiline, Description: "JSON object of inputs to record, for workflow_call inputs that are not in the event payload: pass `${{ toJSON(inputs) }}`. Implies include-inputs.", Commands: attestOnly},
	{Name: "vars", Kind: Multiline, Description: "JSON object of configuration variables to record: pass `${{ toJSON(vars) }}`. Nothing is recorded unless given, since variables may be private.", Commands: attestOnly},
	{Name: "redact-event-payload", Default: "false", Kind: Bool, Description: "SLSA v0.2 only: leave the event payload (which holds names, e-mail addresses and commit messages) and the event inputs out of the provenance.", Commands: attestOnly},
	{Name: "sigstore", Default: "auto", Description: "Which Sigstore signs: `auto` (by the repository visibility in the verified OIDC token: `public-good` for public repositories, `github` for private and internal ones), `public-good` (public Fulcio and Rekor, trust from the public TUF repository), `github` (GitHub's instance: Fulcio and a timestamp authority, no public log; trust from GitHub's TUF repository), or the path of a signing config JSON for a private instance (needs trusted-root).", Commands: attestOnly},
	{Name: "trusted-root", Description: "Path of the trusted root JSON of the Sigstore instance, or JSON Lines of several as `gh attestation trusted-root` prints them (the one naming the signing instance's certificate or timestamp authority is used), to check every bundle before it is written. Required with a signing config path; replaces the root from TUF for `public-good` and `github`.", Commands: attestOnly},
	{Name: "private-repository", Default: "false", Kind: Bool, Description: "Allow signing a private or internal repository on `public-good`, which publishes the repository's name, workflow and commit in the public transparency log. Without it such runs are refused; `sigstore: github` needs no opt-in.", Commands: attestOnly},
	{Name: "rekor-version", Description: "Transparency log API version to use when the signing config offers several: `1` or `2`. Default: the newest offered.", Commands: attestOnly},
	{Name: "one-attestation-per-subject", Default: "false", Kind: Bool, Description: "Sign one statement per subject instead of one for all (for consumers that expect an attestation per file); the `.intoto.jsonl` file then has one line per subject.", Commands: attestOnly},
	{Name: "overwrite-files", Default: "false", Kind: Bool, Description: "Replace provenance files that already exist with different content. Without it such a run fails and leaves them alone; identical files are always left as they are.", Commands: attestOnly},
	{Name: "show-summary", Default: "true", Kind: Bool, Description: "Write a job summary with the subjects, where the provenance was stored, the log entry and commands to verify it.", Commands: attestOnly},
	{Name: "push-to-registry", Default: "false", Kind: Bool, Description: "Attach the attestation to every image subject in its registry: an OCI 1.1 referrer carrying the Sigstore bundle, with the `sha256-<hex>` fallback tag on registries without the referrers API.", Commands: attestOnly},
	{Name: "oci-legacy-att", Default: "false", Kind: Bool, Description: "With push-to-registry, also write cosign's legacy `sha256-<hex>.att` tag (DSSE layer with certificate and log annotations), appending to attestations already there.", Commands: attestOnly},
	{Name: "attest-platforms", Default: "false", Kind: Bool, Description: "For every image subject that is a multi-platform image index, also attest each per-platform image manifest: they are added as subjects and, with push-to-registry, the attestation is attached to each of them too.", Commands: attestOnly},
	{Name: "attestation-repository", Description: "Store registry attestations in this repository instead of the image's own (like cosign's COSIGN_REPOSITORY), e.g. `ghcr.io/acme/attestations`.", Commands: attestOnly},
	{Name: "registry-username", Description: "User name for the registries of the image subjects. Without it: the github-token for ghcr.io, then the docker config (DOCKER_CONFIG; a container action's HOME is empty).", Commands: attestOnly},
	{Name: "registry-password", Secret: true, Description: "Password or token for registry-username. Masked in the log.", Commands: attestOnly},
	{Name: "github-token", ActionDefault: "${{ github.token }}", Secret: true, Description: "Token for the GitHub API (release assets, attestations API) and for ghcr.io. Needs `contents: write` for assets, `attestations: write` for the attestations API, `packages: write` for ghcr.io. Masked in the log.", Commands: attestOnly},
	{Name: "upload-assets", Default: "false", Kind: Bool, Description: "Upload the `.intoto.jsonl` and `.sigstore.json` files to the GitHub release of the triggering tag (or of upload-tag-name), creating the release when it is missing.", Commands: attestOnly},
	{Name: "upload-tag-name", Description: "Release tag to upload to, instead of the tag that triggered the run.", Commands: attestOnly},
	{Name: "draft-release", Description: "When the release must be created: `true` creates a draft; any other non-empty value creates a published release; empty creates a published release and leaves an existing one as it is.", Commands: attestOnly},
	{Name: "overwrite-assets", Default: "false", Kind: Bool, Description: "Replace release assets of the same name whose content differs and that another workflow run made. Without it such a run fails. Assets from an earlier attempt of the same run are always replaced, identical ones left alone, so re-runs are safe.", Commands: attestOnly},
	{Name: "github-attestations", Default: "false", Kind: Bool, Description: "Also store the bundle with the GitHub attestations API (`gh attestation verify` finds it online).", Commands: attestOnly},
	{Name: "fail-on-storage-error", Default: "false", Kind: Bool, Description: "Fail when the attestations API refuses because of the repository's plan; by default that is a warning.", Commands: attestOnly},
	{Name: "continue-on-error", Default: "false", Kind: Bool, Description: "Do not fail the step when attesting fails: report the error, set the `outcome` output to `failure` and exit 0, so a later step can decide (slsa-github-generator's input of the same name). Nothing is uploaded that was not verified either way.", Commands: attestOnly},
	{Name: "oidc-issuer", Description: "The OIDC issuer tokens must come from. Default: derived from the server (https://token.actions.githubusercontent.com, also with an enterprise slug; https://token.actions.<tenant>.ghe.com for GHE.com).", Commands: attestOnly},
	{Name: "provenance-name", Description: "Name of the provenance file; must end in `.intoto.jsonl`. Default: `<subject name>.intoto.jsonl` for one subject, `multiple.intoto.jsonl` for several.", Commands: attestOnly},
	{Name: "output-dir", Default: ".", Description: "Directory, relative to the workspace, where files are written.", Commands: attestOnly},
	{Name: "dry-run", Default: "false", Kind: Bool, Description: "Build the statement and print it; sign, write and upload nothing.", Commands: attestOnly},
	{Name: "provenance-path", Kind: List, Description: "A `.intoto.jsonl` file: one Sigstore bundle per line (repeatable). The bare DSSE envelopes slsa-github-generator wrote before v2.1.0 are verified with their Rekor entry, looked up in rekor-url or the trusted root's log.", Commands: verifyOnly},
	{Name: "bundle", Kind: List, Description: "A `.sigstore.json` bundle (repeatable).", Commands: verifyOnly},
	{Name: "digest", Kind: List, Description: "Verify an artifact by digest, `sha256:<hex>` (also sha384, sha512), without the file (repeatable).", Commands: verifyOnly},
	{Name: "trusted-root", Kind: List, Description: "Trusted root JSON, or JSON Lines of several (as `gh attestation trusted-root` prints); nothing is fetched then (repeatable).", Commands: verifyOnly},
	{Name: "sigstore", Description: "Without trusted-root: `public-good` (the default: trust from the public TUF repository, cached).", Commands: verifyOnly},
	{Name: "repo", Description: "`OWNER/REPO`: without provenance-path or bundle, list the artifact's attestations stored there through the GitHub attestations API (token from GH_TOKEN or GITHUB_TOKEN, API from GITHUB_API_URL), as `gh attestation verify --repo` does. Implies source-uri `<server host>/OWNER/REPO` unless source-uri is given and, as gh, that a workflow of OWNER/REPO signed unless signer-workflow or builder-id names the signer.", Commands: verifyOnly},
	{Name: "owner", Description: "Organization or user: like repo, listing the attestations of all its repositories (the organization's endpoint, then the user's). Implies that the source repository belongs to OWNER unless source-uri is given and, as gh, that a workflow of OWNER signed unless signer-workflow or builder-id names the signer.", Commands: verifyOnly},
	{Name: "rekor-url", Description: "Rekor v1 log in which the entries of slsa-github-generator v1 envelopes are looked up. Default: the log URLs the trusted root names (tlogs[].baseUrl).", Commands: verifyOnly},
	{Name: "offline", Default: "false", Kind: Bool, Description: "Look nothing up online: slsa-github-generator v1 envelopes are then refused, as their Rekor entry cannot be fetched; repo and owner need provenance-path or bundle.", Commands: verifyOnly},
	{Name: "source-uri", Description: "Repository the build must come from: `github.com/OWNER/REPO` (required unless repo, owner or insecure-any-source).", Commands: verifyOnly},
	{Name: "insecure-any-source", Default: "false", Kind: Bool, Description: "Accept an attestation from any repository.", Commands: verifyOnly},
	{Name: "source-ref", Description: "Full git ref the build must come from, e.g. `refs/tags/v1.2.3`.", Commands: verifyOnly},
	{Name: "source-tag", Description: "Tag the build must come from (`refs/tags/TAG`).", Commands: verifyOnly},
	{Name: "source-branch", Description: "Branch the build must come from (`refs/heads/BRANCH`).", Commands: verifyOnly},
	{Name: "source-versioned-tag", Description: "Semantic version the build's tag must have, as slsa-verifier's flag: `v1` accepts tags v1.x.y, `v1.2` tags v1.2.y, `v1.2.3` only v1.2.3.", Commands: verifyOnly},
	{Name: "builder-id", Description: "Builder: exact (`URL@ref`), or its URL without `@ref`, which must then be at a tag.", Commands: verifyOnly},
	{Name: "signer-workflow", Description: "Workflow that signed: `OWNER/REPO/.github/workflows/FILE.yml` (host optional), at any ref.", Commands: verifyOnly},
	{Name: "cert-oidc-issuer", Default: "https://token.actions.githubusercontent.com", Description: "OIDC issuer the certificate must name.", Commands: verifyOnly},
	{Name: "predicate-type", Kind: List, Description: "Accepted predicate type: `v1` or `v0.2` (repeatable; default both).", Commands: verifyOnly},
	{Name: "deny-self-hosted-runners", Default: "false", Kind: Bool, Description: "Refuse builds that ran on self-hosted runners.", Commands: verifyOnly},
	{Name: "require-known-build-type", Default: "false", Kind: Bool, Description: "Refuse predicates of a build type provenant cannot cross-check with the certificate; by default they are verified on the certificate alone, and the output says so.", Commands: verifyOnly},
	{Name: "build-workflow-input", Kind: List, Description: "`KEY=VALUE` the provenance must record as a workflow input (repeatable). Inputs are signed only as part of the predicate: no certificate extension vouches for them, so they are as trustworthy as the builder that wrote the predicate.", Commands: verifyOnly},
	{Name: "format", Default: "text", Description: "Output format: `text` or `json`.", Commands: verifyOnly},
	{Name: "print-provenance", Description: "Write the verified statements, one JSON per line and each once however many artifacts it verified, to this file (`-` for stdout).", Commands: verifyOnly},
	{Name: "timings", Default: "false", Kind: Bool, Description: "Print how long each stage took (for attest: subjects, token, Fulcio, timestamp authority, log upload with a Rekor v2 log's checkpoint wait, self-verification, writes, each upload) as one line of JSON on stderr, after `provenant timings: `. The environment variable PROVENANT_TIMINGS=1 does the same.", Commands: []string{CmdAttest, CmdVerify}},
}

// AttestOutputs names the outputs `provenant attest` sets, with their meaning.
var AttestOutputs = []Spec{
	{Name: "provenance-name", Description: "Workspace-relative path of the `.intoto.jsonl` file: one Sigstore bundle per line."},
	{Name: "bundle-path", Description: "Workspace-relative path of the `.sigstore.json` bundle (with one-attestation-per-subject, of the `.intoto.jsonl` file holding them all)."},
	{Name: "attestation-digest", Description: "`sha256:<hex>` of the bundle JSON (with several bundles, of the first)."},
	{Name: "log-index", Description: "Index of the transparency log entry; empty without a log."},
	{Name: "log-url", Description: "Where the log entry can be looked up; empty without a log."},
	{Name: "certificate-identity", Description: "The signing certificate's identity (SAN): the builder, `<server>/<job_workflow_ref>`."},
	{Name: "certificate-issuer", Description: "The OIDC issuer recorded in the certificate."},
	{Name: "release-id", Description: "ID of the release the assets were uploaded to."},
	{Name: "attestation-id", Description: "ID returned by the GitHub attestations API (the first, with several bundles)."},
	{Name: "attestation-url", Description: "`<server>/<owner>/<repo>/attestations/<id>` for attestation-id."},
	{Name: "outcome", Description: "`success` or `failure`. Only `failure` with continue-on-error: the step then exits 0."},
	{Name: "predicate-type", Description: "The predicate type URI of the statement."},
	{Name: "subject-count", Description: "How many subjects the statement has."},
}

// SubjectsOutputs names the outputs `provenant subjects` sets.
var SubjectsOutputs = []Spec{
	{Name: "sha256sum", Description: "The resolved subjects as `sha256sum` lines."},
	{Name: "base64-subjects", Description: "The same, base64-encoded: feed it to base64-subjects of a later job."},
	{Name: "subject-count", Description: "How many subjects were resolved."},
}
