package oci

import (
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// verdict is how a stored copy relates to the attestation being stored.
type verdict int

const (
	unrelated verdict = iota // another run, signer, predicate type or subject set: it stays
	older                    // an earlier copy of the same run: the new one replaces it
	newer                    // a copy of the same run signed after the new one: it replaces the new one
)

// earlier sorts stored copies by how they relate to an attestation (see
// signed.replaces). It remembers each verdict by digest, so that rounds
// of re-reading a shared tag fetch each copy once. A copy that cannot be
// read or parsed is unrelated.
type earlier struct {
	s       *session
	repo    name.Repository
	subject v1.Hash
	mine    *signed // nil when the attestation names no run
	decided map[v1.Hash]verdict
}

// earlier returns the sorter for att's copies of subject in repo. An
// attestation whose certificate names no workflow run has no copies from
// the same run, and nothing is read to look for them.
func (s *session) earlier(repo name.Repository, subject v1.Hash, att *attestation) *earlier {
	e := &earlier{s: s, repo: repo, subject: subject, decided: map[v1.Hash]verdict{}}
	if att.signed != nil {
		if _, ok := runOf(att.signed.leaf); ok {
			e.mine = att.signed
		}
	}
	return e
}

// copies sorts the referrer manifests among descs, or (layers) the .att
// layers, leaving out own, the new copy. stale are the older copies;
// superseded is true when a newer copy is among them.
func (e *earlier) copies(ctx context.Context, descs []v1.Descriptor, own v1.Hash, layers bool) (stale []v1.Hash, superseded bool) {
	for _, d := range descs {
		if d.Digest == own || e.mine == nil {
			continue
		}
		v, ok := e.decided[d.Digest]
		if !ok {
			v = e.judge(ctx, d, layers)
			e.decided[d.Digest] = v
		}
		switch v {
		case older:
			stale = append(stale, d.Digest)
		case newer:
			superseded = true
		}
	}
	return stale, superseded
}

// judge reads one copy; the annotations filter first, when there are any.
func (e *earlier) judge(ctx context.Context, d v1.Descriptor, layer bool) verdict {
	var other *signed
	if layer {
		cert := d.Annotations[annotationCertificate]
		if cert == "" || !e.samePredicate(d.Annotations[annotationLegacyPredicateType]) {
			return unrelated
		}
		other = e.layerStatement(ctx, d.Digest, cert)
	} else {
		if !mayBeBundle(d.ArtifactType) || !e.samePredicate(d.Annotations[annotationPredicateType]) {
			return unrelated
		}
		other = e.referrerStatement(ctx, d.Digest)
	}
	switch {
	case other == nil:
		return unrelated
	case e.mine.replaces(other):
		return older
	case other.replaces(e.mine):
		return newer
	}
	return unrelated
}

// samePredicate is a cheap first filter on an annotation, when there is one.
func (e *earlier) samePredicate(annotated string) bool {
	return annotated == "" || annotated == e.mine.predicateType
}

// referrerStatement reads a referrer manifest's bundle.
func (e *earlier) referrerStatement(ctx context.Context, h v1.Hash) *signed {
	raw, err := e.s.referrerBundle(ctx, e.repo, h, e.subject)
	if err != nil {
		return nil
	}
	a, err := parseBundle(raw)
	if err != nil {
		return nil
	}
	return a.signed
}

// layerStatement reads a DSSE envelope layer; certPEM is its certificate
// annotation.
func (e *earlier) layerStatement(ctx context.Context, h v1.Hash, certPEM string) *signed {
	leaf := parseLeafPEM([]byte(certPEM))
	if leaf == nil {
		return nil
	}
	raw, err := e.blob(ctx, h)
	if err != nil {
		return nil
	}
	s, err := signedEnvelope(raw, leaf)
	if err != nil {
		return nil
	}
	return s
}

func (e *earlier) blob(ctx context.Context, h v1.Hash) ([]byte, error) {
	return e.s.readBlob(ctx, e.repo, v1.Descriptor{Digest: h})
}

// signedEnvelope reads a DSSE envelope in the JSON form of cosign's .att
// layers, signed with leaf's key.
func signedEnvelope(raw []byte, leaf *x509.Certificate) (*signed, error) {
	var env struct {
		PayloadType string `json:"payloadType"`
		Payload     string `json:"payload"`
		Signatures  []struct {
			Sig string `json:"sig"`
		} `json:"signatures"`
	}
	if err := json.Unmarshal(raw, &env); err != nil {
		return nil, err
	}
	if env.PayloadType != inTotoPayloadType || len(env.Signatures) == 0 {
		return nil, errors.New("not a signed in-toto envelope")
	}
	payload, err := base64.StdEncoding.DecodeString(env.Payload)
	if err != nil {
		return nil, err
	}
	sig, err := base64.StdEncoding.DecodeString(env.Signatures[0].Sig)
	if err != nil {
		return nil, err
	}
	var st statement
	if err := json.Unmarshal(payload, &st); err != nil {
		return nil, err
	}
	return &signed{predicateType: st.PredicateType, subjects: st.Subject, payloadType: env.PayloadType, payload: payload, sig: sig, leaf: leaf}, nil
}

// deleteReferrers deletes the replaced referrer manifests, after the new
// referrer is stored. It returns those deleted (or already gone) and, for
// the others, why not: a registry may refuse DELETE (distribution answers
// 405 when deletion is off), which must not fail the run.
func (s *session) deleteReferrers(ctx context.Context, repo name.Repository, stale []v1.Hash) (deleted []string, refused []string) {
	for _, h := range stale {
		ref := repo.Digest(h.String())
		err := s.pusher.Delete(ctx, ref)
		var terr *transport.Error
		if err == nil || (errors.As(err, &terr) && terr.StatusCode == http.StatusNotFound) {
			deleted = append(deleted, ref.Name())
			continue
		}
		refused = append(refused, fmt.Sprintf("%s: %s", ref.Name(), deleteProblem(redact(err, s.keychain))))
	}
	return deleted, refused
}

// deleteProblem says in a few words why a DELETE failed; err is already
// redacted.
func deleteProblem(err error) string {
	var terr *transport.Error
	if errors.As(err, &terr) {
		switch terr.StatusCode {
		case http.StatusMethodNotAllowed:
			return "the registry does not allow deleting manifests (HTTP 405)"
		case http.StatusUnauthorized, http.StatusForbidden:
			return fmt.Sprintf("the credentials may not delete manifests (HTTP %d)", terr.StatusCode)
		}
		return fmt.Sprintf("the registry refused the delete (HTTP %d)", terr.StatusCode)
	}
	return strings.TrimSpace(err.Error())
}
