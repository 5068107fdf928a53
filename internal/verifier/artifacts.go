package verifier

import (
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"strings"

	"github.com/provenant/provenant/internal/intoto"
	"github.com/provenant/provenant/internal/verify"
)

// ErrNothingToVerify means the run names no artifact.
var ErrNothingToVerify = errors.New("nothing to verify")

// NoAttestationError means no attestation was given for an artifact file
// or digest.
type NoAttestationError struct{ Artifact string }

func (e *NoAttestationError) Error() string { return e.Artifact + ": no attestation given" }

// DigestError is an artifact digest that is not "alg:hex".
type DigestError struct{ Value string }

func (e *DigestError) Error() string {
	return fmt.Sprintf("digest %q: want sha256:<64 hex digits> (or sha384, sha512)", e.Value)
}

// artifact is one thing to verify and the bundles that may cover it.
type artifact struct {
	name       string
	digest     intoto.Digest
	candidates []verify.Candidate
	// unusable are attestations found that could not be read.
	unusable []Refusal
}

// find resolves the digests and targets of cfg to artifacts, each with
// the bundles that may cover it. Every bad input is reported at once.
func find(ctx context.Context, cfg Config, fetch Fetcher, lister *githubLister) ([]artifact, error) {
	given, err := readAttestations(cfg.Attestations)
	if err != nil {
		return nil, err
	}
	index := indexBySubject(given)
	var arts []artifact
	var errs []error
	for _, d := range cfg.Digests {
		dg, ok := intoto.ParseDigest(strings.ToLower(d))
		if !ok {
			errs = append(errs, &DigestError{Value: d})
			continue
		}
		arts = append(arts, artifact{name: d, digest: dg, candidates: index.covering(dg)})
	}
	if lister != nil {
		fetch = nil // the API is the source, for images too
	}
	for _, t := range cfg.Targets {
		a, err := target(ctx, t, index, fetch)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		arts = append(arts, a)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if lister != nil {
		if err := stored(ctx, arts, lister); err != nil {
			return nil, err
		}
	}
	return arts, covered(arts)
}

// stored lists the attestations GitHub stores for each artifact. None
// stored is that artifact's refusal; any other failure ends the run.
func stored(ctx context.Context, arts []artifact, lister *githubLister) error {
	for i := range arts {
		cs, err := lister.list(ctx, arts[i].digest)
		var none *NoStoredAttestationsError
		switch {
		case errors.As(err, &none):
			arts[i].unusable = append(arts[i].unusable, Refusal{Attestation: "attestations API " + none.Where, Reason: none.Error()})
		case err != nil:
			return err
		}
		arts[i].candidates = append(arts[i].candidates, cs...)
	}
	return nil
}

func readAttestations(paths []string) ([]verify.Candidate, error) {
	var out []verify.Candidate
	for _, p := range paths {
		cs, err := verify.ReadBundles(p)
		if err != nil {
			return nil, err
		}
		out = append(out, cs...)
	}
	return out, nil
}

func target(ctx context.Context, t string, index subjectIndex, fetch Fetcher) (artifact, error) {
	if ref, ok := strings.CutPrefix(t, "oci://"); ok {
		return image(ctx, ref, index.all, fetch)
	}
	sums, err := digestFile(t, index.algorithms())
	if err != nil {
		return artifact{}, err
	}
	dg := index.claimed(sums)
	return artifact{name: t, digest: dg, candidates: index.covering(dg)}, nil
}

// covered checks that every artifact has something to be verified with.
func covered(arts []artifact) error {
	if len(arts) == 0 {
		return ErrNothingToVerify
	}
	for _, a := range arts {
		if len(a.candidates) > 0 || len(a.unusable) > 0 {
			continue // the unusable ones are reported with their reasons
		}
		if strings.HasPrefix(a.name, "oci://") {
			return fmt.Errorf("%s: no attestation is attached to the image (referrers, fallback tag or .att)", a.name)
		}
		return &NoAttestationError{Artifact: a.name}
	}
	return nil
}

// image is an artifact for an image named by digest, with the given
// bundles or, without any, those attached to it in its registry (unless
// fetch is nil).
func image(ctx context.Context, ref string, given []verify.Candidate, fetch Fetcher) (artifact, error) {
	_, hexDigest, ok := strings.Cut(ref, "@sha256:")
	if !ok || len(hexDigest) != 64 {
		return artifact{}, fmt.Errorf("oci://%s: name the image by digest, oci://REGISTRY/REPO@sha256:HEX", ref)
	}
	art := artifact{name: "oci://" + ref, digest: intoto.Digest{Alg: intoto.SHA256, Hex: hexDigest}, candidates: given}
	if len(given) > 0 || fetch == nil {
		return art, nil
	}
	found, err := fetch(ctx, ref)
	if err != nil {
		return artifact{}, err
	}
	for _, fd := range found {
		if fd.Bundle == nil {
			where, reason, _ := strings.Cut(fd.Where, ": ")
			art.unusable = append(art.unusable, Refusal{Attestation: where, Reason: "unusable: " + reason})
			continue
		}
		art.candidates = append(art.candidates, verify.Candidate{JSON: fd.Bundle, Where: fd.Where})
	}
	return art, nil
}

// digestFile hashes the file at p with every algorithm of algs, in one
// read.
func digestFile(p string, algs []string) (map[string]string, error) {
	fh, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	st, err := fh.Stat()
	if err != nil {
		return nil, err
	}
	if st.IsDir() {
		return nil, fmt.Errorf("%s is a directory: name the artifact files", p)
	}
	hashes := map[string]hash.Hash{}
	var ws []io.Writer
	for _, a := range algs {
		h := newHash(a)
		hashes[a] = h
		ws = append(ws, h)
	}
	if _, err := io.Copy(io.MultiWriter(ws...), fh); err != nil {
		return nil, fmt.Errorf("reading %s: %w", p, err)
	}
	out := make(map[string]string, len(hashes))
	for a, h := range hashes {
		out[a] = hex.EncodeToString(h.Sum(nil))
	}
	return out, nil
}

func newHash(alg string) hash.Hash {
	switch alg {
	case intoto.SHA384:
		return sha512.New384()
	case intoto.SHA512:
		return sha512.New()
	}
	return sha256.New()
}
