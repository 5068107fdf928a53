package cli

import (
	"fmt"
	"strings"

	"github.com/provenant/provenant/internal/attest"
	"github.com/provenant/provenant/internal/policy"
	"github.com/provenant/provenant/internal/signing"
)

var storedKind = map[string]string{
	"file": "file", "registry": "registry", "release": "release asset", "attestations-api": "GitHub attestations API",
}

// maxSummaryRows caps the subject table; the files hold every subject.
const maxSummaryRows = 100

// attestSummary renders the job summary: the subjects, where the provenance
// is, the log and timestamp evidence, and commands to verify it. It holds no
// secrets: only names, digests, paths and public identities.
func attestSummary(res *attest.Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "## Provenance\n\nSigned %d attestation(s) (`%s`) for %d subject(s) on %s.\n\n",
		len(res.Bundles), res.PredicateType, len(res.Subjects), mdEscape(instanceLine(res)))
	fmt.Fprintf(&b, "- Builder (certificate identity): `%s`\n- Issuer: `%s`\n- Source: %s at `%s` (`%s`)\n\n",
		res.Identity.SAN, res.Identity.Issuer, res.Context.RepositoryURL(), res.Context.Claims.SHA, res.Context.Claims.Ref)
	b.WriteString("### Stored\n\n| Where | Copy | Note |\n|---|---|---|\n")
	for _, st := range res.Stored {
		where := "`" + mdEscape(st.Where) + "`"
		if st.URL != "" {
			where = "[" + mdEscape(st.Where) + "](" + st.URL + ")"
		}
		fmt.Fprintf(&b, "| %s | %s | %s |\n", storedKind[st.Kind], where, mdEscape(st.Note))
	}
	for _, bu := range res.Bundles {
		if bu.LogIndex >= 0 {
			fmt.Fprintf(&b, "| transparency log | [entry %d](%s) | `%s` |\n", bu.LogIndex, bu.LogURL, mdEscape(bu.Path))
		} else {
			fmt.Fprintf(&b, "| RFC 3161 timestamp | in `%s` | no transparency log on this instance |\n", mdEscape(bu.Path))
		}
	}
	b.WriteString("\n### Subjects\n\n| Subject | Digest |\n|---|---|\n")
	for i, sub := range res.Subjects {
		if i == maxSummaryRows {
			fmt.Fprintf(&b, "| … and %d more | |\n", len(res.Subjects)-maxSummaryRows)
			break
		}
		alg, d := "sha256", sub.Digest["sha256"]
		if d == "" {
			for alg, d = range sub.Digest {
				break
			}
		}
		fmt.Fprintf(&b, "| `%s` | `%s:%s` |\n", mdEscape(sub.Name), alg, d)
	}
	b.WriteString("\n### Verify\n\n")
	b.WriteString(verifyCommands(res))
	return b.String()
}

// verifyCommands gives copy-paste commands for gh and cosign.
func verifyCommands(res *attest.Result) string {
	artifact := "ARTIFACT"
	if len(res.Subjects) > 0 {
		artifact = res.Subjects[0].Name
	}
	signer := strings.TrimPrefix(res.Identity.SAN, res.Context.ServerURL+"/")
	if i := strings.LastIndex(signer, "@"); i > 0 {
		signer = signer[:i]
	}
	typ := "slsaprovenance1"
	if strings.HasSuffix(res.PredicateType, "v0.2") {
		typ = "slsaprovenance02"
	}
	bundle := res.Bundles[0].Path
	var b strings.Builder
	b.WriteString("```sh\n")
	source := strings.TrimPrefix(strings.TrimPrefix(res.Context.ServerURL, "https://"), "http://") + "/" + res.Context.Claims.Repository
	fmt.Fprintf(&b, "provenant verify %s --provenance-path %s \\\n  --source-uri %s --source-ref %s --builder-id %s%s\n\n",
		shellQuote(artifact), shellQuote(res.ProvenancePath), shellQuote(source), shellQuote(res.Context.Claims.Ref), shellQuote(res.Identity.SAN),
		provenantTrust(res))
	fmt.Fprintf(&b, "gh attestation verify %s --bundle %s \\\n  --owner %s --signer-workflow %s",
		shellQuote(artifact), shellQuote(bundle), shellQuote(res.Context.Claims.RepositoryOwner), shellQuote(signer))
	if res.Identity.Issuer != "" && res.Identity.Issuer != policy.GitHubIssuer {
		fmt.Fprintf(&b, " \\\n  --cert-oidc-issuer %s", shellQuote(res.Identity.Issuer))
	}
	if typ != "slsaprovenance1" {
		fmt.Fprintf(&b, " \\\n  --predicate-type %s", res.PredicateType)
	}
	b.WriteString("\n\n")
	fmt.Fprintf(&b, "cosign verify-blob-attestation --bundle %s --type %s \\\n  --certificate-identity %s \\\n  --certificate-oidc-issuer %s \\\n  %s\n",
		shellQuote(bundle), typ, shellQuote(res.Identity.SAN), shellQuote(res.Identity.Issuer), shellQuote(artifact))
	b.WriteString("```\n")
	switch res.Instance {
	case signing.PublicGood, "":
	case signing.GitHub:
		b.WriteString("\nThis is GitHub's instance: cosign needs `--trusted-root` with the output of `gh attestation trusted-root`.\n")
	default:
		b.WriteString("\nThis instance is not public-good: TRUSTED_ROOT.json is its trusted root; give it to cosign with `--trusted-root` and to gh with `--custom-trusted-root`.\n")
	}
	return b.String()
}

// provenantTrust is what `provenant verify` needs beyond its defaults to
// verify these bundles: the issuer when it is not GitHub's own, and the
// trust of an instance other than public-good.
func provenantTrust(res *attest.Result) string {
	var out string
	if res.Identity.Issuer != "" && res.Identity.Issuer != policy.GitHubIssuer {
		out += " \\\n  --cert-oidc-issuer " + shellQuote(res.Identity.Issuer)
	}
	switch res.Instance {
	case signing.PublicGood, "":
	case signing.GitHub:
		out += " --sigstore github"
	default:
		out += " --trusted-root TRUSTED_ROOT.json"
	}
	return out
}

// instanceLine names the instance that signed and why, e.g. "GitHub's
// Sigstore instance (repository is private)".
func instanceLine(res *attest.Result) string {
	if res.InstanceReason == "" {
		return signing.Describe(res.Instance)
	}
	return signing.Describe(res.Instance) + " (" + res.InstanceReason + ")"
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:@=+", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func mdEscape(s string) string {
	return strings.NewReplacer("|", "\\|", "`", "'", "\n", " ").Replace(s)
}
