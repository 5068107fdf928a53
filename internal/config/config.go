package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/provenant/provenant/internal/input"
	"github.com/provenant/provenant/internal/provenance"
	"github.com/provenant/provenant/internal/subject"
)

// Source returns the value the user gave for the named option, and whether
// they gave one at all. An empty value counts as not given.
type Source func(name string) (string, bool)

// Config is the validated configuration of `provenant attest` and
// `provenant subjects`.
type Config struct {
	Subjects           subject.Inputs
	PredicateVersion   provenance.Version
	IncludeInputs      bool
	WorkflowInputs     map[string]any
	Vars               map[string]any
	RedactEventPayload bool
	OIDCIssuer         string
	Sigstore           string
	TrustedRoot        string
	PrivateRepository  bool
	RekorVersion       uint32
	PerSubject         bool
	OverwriteFiles     bool
	ShowSummary        bool
	ContinueOnError    bool
	Delivery           Delivery
	ProvenanceName     string
	OutputDir          string
	DryRun             bool
	// Timings asks for the stages' durations on stderr.
	Timings bool
}

// Load reads the options in specs from src, applies defaults and validates
// them. It reports every problem at once, and returns the partly filled
// Config even then.
//
// The subject inputs are only copied into Config.Subjects: they are
// checked in one place, subject.Resolve, which reports each of their
// problems once. A caller that wants every mistake in one run resolves the
// subjects also when Load fails, and joins the two errors.
func Load(specs []Spec, src Source) (*Config, error) {
	l := loader{src: src, specs: specs}
	c := &Config{
		Subjects: subject.Inputs{
			Paths:       l.str("subject-path"),
			NameStyle:   subject.NameStyle(l.str("subject-name-style")),
			Digest:      l.str("subject-digest"),
			Name:        l.str("subject-name"),
			Subjects:    l.str("subjects"),
			Checksums:   l.str("subject-checksums"),
			Base64:      l.str("base64-subjects"),
			Base64File:  l.str("base64-subjects-file"),
			Images:      l.str("image"),
			ImageDigest: l.str("digest"),
		},
		IncludeInputs:      l.boolean("include-inputs"),
		RedactEventPayload: l.boolean("redact-event-payload"),
		OIDCIssuer:         l.str("oidc-issuer"),
		Sigstore:           l.str("sigstore"),
		TrustedRoot:        l.str("trusted-root"),
		PrivateRepository:  l.boolean("private-repository"),
		PerSubject:         l.boolean("one-attestation-per-subject"),
		OverwriteFiles:     l.boolean("overwrite-files"),
		ShowSummary:        l.boolean("show-summary"),
		ContinueOnError:    l.boolean("continue-on-error"),
		Delivery: Delivery{
			PushToRegistry:        l.boolean("push-to-registry"),
			LegacyAtt:             l.boolean("oci-legacy-att"),
			AttestPlatforms:       l.boolean("attest-platforms"),
			AttestationRepository: l.str("attestation-repository"),
			RegistryUsername:      l.str("registry-username"),
			RegistryPassword:      l.str("registry-password"),
			GitHubToken:           l.str("github-token"),
			UploadAssets:          l.boolean("upload-assets"),
			UploadTagName:         l.str("upload-tag-name"),
			DraftRelease:          l.str("draft-release"),
			OverwriteAssets:       l.boolean("overwrite-assets"),
			GitHubAttestations:    l.boolean("github-attestations"),
			FailOnStorageError:    l.boolean("fail-on-storage-error"),
		},
		ProvenanceName: l.str("provenance-name"),
		OutputDir:      l.str("output-dir"),
		DryRun:         l.boolean("dry-run"),
		Timings:        l.boolean("timings"),
	}
	if l.has("predicate-version") {
		v, err := provenance.ParseVersion(l.str("predicate-version"))
		if err != nil {
			l.fail("predicate-version", "%v", err)
		}
		c.PredicateVersion = v
	}
	switch v := l.str("rekor-version"); v {
	case "", "auto":
	case "1", "v1":
		c.RekorVersion = 1
	case "2", "v2":
		c.RekorVersion = 2
	default:
		l.fail("rekor-version", "is %q; use 1 or 2, or leave it empty for the newest the signing config offers", v)
	}
	c.WorkflowInputs = l.jsonObject("workflow-inputs")
	if c.WorkflowInputs != nil {
		c.IncludeInputs = true
	}
	c.Vars = l.jsonObject("vars")
	l.checkDelivery(c.Delivery, c.Subjects.Images != "")
	l.checkProvenanceName(c.ProvenanceName)
	if _, ok := l.spec("output-dir"); ok {
		l.checkOutputDir(c.OutputDir)
	}
	return c, errors.Join(l.errs...)
}

type loader struct {
	src   Source
	specs []Spec
	errs  []error
}

func (l *loader) spec(name string) (Spec, bool) {
	for _, s := range l.specs {
		if s.Name == name {
			return s, true
		}
	}
	return Spec{}, false
}

func (l *loader) has(name string) bool {
	if _, ok := l.spec(name); !ok {
		return false
	}
	_, ok := l.src(name)
	return ok
}

func (l *loader) str(name string) string {
	s, ok := l.spec(name)
	if !ok {
		return ""
	}
	if v, ok := l.src(name); ok {
		if s.Kind == Multiline {
			return v
		}
		return strings.TrimSpace(v)
	}
	return s.Default
}

func (l *loader) boolean(name string) bool {
	v := l.str(name)
	switch strings.ToLower(v) {
	case "true":
		return true
	case "false", "":
		return false
	}
	l.fail(name, "is %q; use true or false", v)
	return false
}

func (l *loader) jsonObject(name string) map[string]any {
	v := strings.TrimSpace(l.str(name))
	if v == "" || v == "null" {
		return nil
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(v), &m); err != nil {
		l.fail(name, "is not a JSON object (%s); pass it with ${{ toJSON(...) }}", input.DescribeJSON(err))
		return nil
	}
	return m
}

func (l *loader) fail(name, format string, args ...any) {
	l.errs = append(l.errs, input.Errorf(name, 0, format, args...))
}

func (l *loader) checkProvenanceName(n string) {
	if n == "" {
		return
	}
	switch {
	case !strings.HasSuffix(n, ".intoto.jsonl"):
		l.fail("provenance-name", "%q must end in .intoto.jsonl", n)
	case strings.ContainsAny(n, "/\\") || n == ".intoto.jsonl":
		l.fail("provenance-name", "%q must be a plain file name; put the directory in output-dir", n)
	case strings.HasPrefix(n, ".."):
		l.fail("provenance-name", "%q starts with \"..\"; give a name that starts with a letter or digit", n)
	case strings.ContainsFunc(n, func(r rune) bool { return r < 0x20 || r == 0x7f }):
		l.fail("provenance-name", "%q contains a control character", n)
	default:
		if c, ok := input.Deceptive(n); ok {
			l.fail("provenance-name", "%+q contains %s, which changes how the name is displayed; remove it", n, c)
		}
	}
}

func (l *loader) checkOutputDir(d string) {
	if d == "" {
		l.fail("output-dir", "is empty; use . for the workspace")
		return
	}
	if filepath.IsAbs(d) {
		return
	}
	if c := path.Clean(filepath.ToSlash(d)); c == ".." || strings.HasPrefix(c, "../") {
		l.fail("output-dir", "%q leaves the workspace; use a directory inside it", d)
	}
}

// Delivery says where attestations go besides the files.
type Delivery struct {
	PushToRegistry        bool
	LegacyAtt             bool
	AttestPlatforms       bool
	AttestationRepository string
	RegistryUsername      string
	RegistryPassword      string
	GitHubToken           string
	UploadAssets          bool
	UploadTagName         string
	DraftRelease          string
	OverwriteAssets       bool
	GitHubAttestations    bool
	FailOnStorageError    bool
}

func (l *loader) checkDelivery(d Delivery, hasImages bool) {
	if d.AttestPlatforms && !hasImages {
		l.fail("attest-platforms", "is true but no image is given; name the images with image: registry/repository@sha256:<hex>")
	}
	if d.PushToRegistry && !hasImages {
		l.fail("push-to-registry", "is true but no image is given; name the images with image: registry/repository@sha256:<hex>")
	}
	if (d.LegacyAtt || d.AttestationRepository != "") && !d.PushToRegistry {
		name := "oci-legacy-att"
		if d.AttestationRepository != "" {
			name = "attestation-repository"
		}
		l.fail(name, "only applies with push-to-registry: true")
	}
	if (d.RegistryUsername == "") != (d.RegistryPassword == "") {
		l.fail("registry-username", "and registry-password must be given together")
	}
	if d.UploadTagName != "" && !d.UploadAssets {
		l.fail("upload-tag-name", "only applies with upload-assets: true")
	}
	if (d.UploadAssets || d.GitHubAttestations) && d.GitHubToken == "" {
		name := "upload-assets"
		if !d.UploadAssets {
			name = "github-attestations"
		}
		l.fail(name, "needs a token: set github-token (the action passes ${{ github.token }} by default)")
	}
}

// DefaultProvenanceName is slsa-github-generator's naming rule: the subject's
// base name plus .intoto.jsonl for one subject, multiple.intoto.jsonl for
// several.
func DefaultProvenanceName(names []string) string {
	if len(names) != 1 {
		return "multiple.intoto.jsonl"
	}
	base := path.Base(filepath.ToSlash(names[0]))
	base = strings.Map(func(r rune) rune {
		if r == ':' || r == '@' || r == '/' || r == '\\' || r < 0x20 {
			return '_'
		}
		return r
	}, base)
	if base == "" || base == "." || base == ".." {
		return "multiple.intoto.jsonl"
	}
	return fmt.Sprintf("%s.intoto.jsonl", base)
}

// SigstoreNames are the Sigstore instances the sigstore option names
// without a file: the public-good instance, GitHub's, and auto (GitHub's
// for private and internal repositories, public-good otherwise).
var SigstoreNames = []string{"public-good", "github", "auto"}

// CheckFiles checks the options that name files or directories against the
// workspace, as ws confines them: output-dir must stay inside it, and
// trusted-root and a sigstore signing config must be regular files in it.
// It touches no network, so front ends call it before anything else, in a
// dry run too. Every problem is an *input.Error.
func (c *Config) CheckFiles(ws input.Workspace) error {
	var errs []error
	fail := func(name, format string, args ...any) {
		errs = append(errs, input.Errorf(name, 0, format, args...))
	}
	if c.OutputDir != "" {
		if _, err := ws.Resolve(c.OutputDir); err != nil {
			fail("output-dir", "%v", err)
		}
	}
	if c.TrustedRoot != "" {
		if err := regularFile(ws, c.TrustedRoot); err != nil {
			fail("trusted-root", "%v", err)
		}
	}
	if c.Sigstore != "" && !slices.Contains(SigstoreNames, c.Sigstore) {
		if err := regularFile(ws, c.Sigstore); err != nil {
			fail("sigstore", "is neither %s nor the path of a signing config JSON: %v", strings.Join(SigstoreNames, ", "), err)
		} else if c.TrustedRoot == "" {
			fail("trusted-root", "is required with a signing config in sigstore: give the trusted root JSON of the same instance")
		}
	}
	if c.Sigstore == "github" && c.TrustedRoot == "" {
		fail("trusted-root", "is required with sigstore: github; get it with `gh attestation trusted-root`")
	}
	return errors.Join(errs...)
}

// regularFile checks that p names a regular file where ws allows.
func regularFile(ws input.Workspace, p string) error {
	real, err := ws.Resolve(p)
	if err != nil {
		return err
	}
	fi, err := os.Stat(real)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("%q does not exist (paths are relative to the workspace)", p)
	case err != nil:
		return fmt.Errorf("cannot read %q: %v", p, errors.Unwrap(err))
	case !fi.Mode().IsRegular():
		return fmt.Errorf("%q is not a regular file; give the path of a JSON file", p)
	}
	return nil
}
