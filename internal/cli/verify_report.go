package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/provenant/provenant/internal/atomicfile"
	"github.com/provenant/provenant/internal/verifier"
)

// tufCache is where public-good's TUF metadata is cached.
func tufCache() string {
	if d, err := os.UserCacheDir(); err == nil {
		return filepath.Join(d, "provenant", "tuf")
	}
	return filepath.Join(os.TempDir(), "provenant-tuf")
}

// rootsUsage words the errors of verifier.Roots in verify's flags.
func (f *verifyFlags) rootsUsage(err error) error {
	var unknown *verifier.UnknownInstanceError
	var tuf *verifier.TrustUnavailableError
	switch {
	case errors.Is(err, verifier.ErrInstanceWithRoot):
		return usageError{fmt.Errorf("--sigstore %s with --trusted-root: the trusted root decides; leave --sigstore out", f.sigstore)}
	case errors.Is(err, verifier.ErrGitHubNeedsRoot):
		return usageError{errors.New("--sigstore github needs GitHub's trusted root: pass --trusted-root with the output of `gh attestation trusted-root`")}
	case errors.As(err, &unknown):
		return usageError{fmt.Errorf("--sigstore %q: use public-good, or give --trusted-root", unknown.Name)}
	case errors.As(err, &tuf):
		return fmt.Errorf("%w (offline? pass --trusted-root)", tuf.Err)
	}
	return err
}

// runUsage words the errors of verifier.Run in verify's flags: a missing
// artifact or attestation is a usage error, a bad --digest is named so.
func runUsage(err error) error {
	var none *verifier.NoAttestationError
	switch {
	case errors.Is(err, verifier.ErrNothingToVerify):
		return usageError{errors.New("nothing to verify: name artifact files, oci://IMAGE@sha256:HEX, or --digest")}
	case errors.As(err, &none):
		return usageError{fmt.Errorf("%s: no attestation given: pass --provenance-path or --bundle", none.Artifact)}
	}
	joined, ok := err.(interface{ Unwrap() []error })
	if !ok {
		return err
	}
	var out []error
	for _, e := range joined.Unwrap() {
		var de *verifier.DigestError
		if errors.As(e, &de) {
			e = fmt.Errorf("--digest %q: want sha256:<64 hex digits> (or sha384, sha512)", de.Value)
		}
		out = append(out, e)
	}
	return errors.Join(out...)
}

// errRefused is returned when an artifact did not verify; the details are
// already printed.
var errRefused = errors.New("verification failed: see the reasons above")

func report(s *session, f verifyFlags, rep *verifier.Report) error {
	if f.printTo != "" {
		var b strings.Builder
		for _, st := range verifiedStatements(rep) {
			b.Write(st)
			b.WriteByte('\n')
		}
		if f.printTo == "-" {
			fmt.Fprint(s.Stdout, b.String())
		} else if err := atomicfile.Write(f.printTo, []byte(b.String()), true); err != nil {
			return err
		}
	}
	w := s.Stdout
	if f.printTo == "-" {
		w = s.Stderr
	}
	if f.format == "json" {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return err
		}
	} else {
		for _, v := range rep.Artifacts {
			printVerdict(w, v)
		}
	}
	if !rep.Verified {
		return errRefused
	}
	return nil
}

// verifiedStatements returns each statement that verified an artifact,
// once, in the order of the artifacts: one statement naming 1,000
// artifacts is written once, not 1,000 times. Verdicts from one bundle
// share the statement's bytes, so most are told apart by address before
// their content is compared.
func verifiedStatements(rep *verifier.Report) [][]byte {
	type key struct {
		first *byte
		n     int
	}
	var out [][]byte
	byAddr, byContent := map[key]bool{}, map[string]bool{}
	for _, v := range rep.Artifacts {
		st := v.Statement
		if !v.Verified || len(st) == 0 {
			continue
		}
		k := key{&st[0], len(st)}
		if byAddr[k] {
			continue
		}
		byAddr[k] = true
		if byContent[string(st)] {
			continue
		}
		byContent[string(st)] = true
		out = append(out, st)
	}
	return out
}

func printVerdict(w io.Writer, v verifier.Verdict) {
	if v.Verified {
		p := v.Provenance
		fmt.Fprintf(w, "OK       %s (%s)\n", v.Name, v.Digest)
		fmt.Fprintf(w, "  attestation  %s, %s\n", v.Attestation, p.PredicateType)
		if p.BuildType != "" {
			fmt.Fprintf(w, "  build type   %s\n", p.BuildType)
		}
		fmt.Fprintf(w, "  built by     %s\n", p.BuilderID)
		fmt.Fprintf(w, "  source       %s @ %s (commit %s)\n", p.Repository, p.Ref, p.Commit)
		fmt.Fprintf(w, "  checks       %d held, trusted root %s\n", len(v.Checks), v.Root)
		for _, warn := range v.Warnings {
			fmt.Fprintf(w, "  warning      %s\n", warn)
		}
		return
	}
	fmt.Fprintf(w, "REFUSED  %s (%s)\n", v.Name, v.Digest)
	for _, r := range v.Refusals {
		fmt.Fprintf(w, "  %s: %s\n", r.Attestation, r.Reason)
	}
}
