package verify

import (
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/sigstore/sigstore-go/pkg/fulcio/certificate"
	"github.com/sigstore/sigstore-go/pkg/root"

	"github.com/provenant/provenant/internal/intoto"
	"github.com/provenant/provenant/internal/policy"
)

// Root is one trusted root and a name for messages.
type Root struct {
	Name    string
	Trusted root.TrustedMaterial
}

// Identity is who must have signed: the certificate's SAN and issuer, and
// the GitHub extensions that must hold exactly these values (empty fields
// are not checked).
type Identity struct {
	SAN        string
	Issuer     string
	Extensions certificate.Extensions
}

// Requirements say which evidence a bundle must carry. They come from how
// it was meant to be signed or from the trusted root, never from the
// bundle itself.
type Requirements struct {
	// TransparencyLog requires a verified log entry.
	TransparencyLog bool
	// SignedTimestamps requires a verified RFC 3161 timestamp.
	SignedTimestamps bool
	// IntegratedTime accepts a Rekor v1 integrated time as the signing time
	// when there is no RFC 3161 timestamp.
	IntegratedTime bool
	// ObserverTimestamp requires one trusted signing time of either kind:
	// an RFC 3161 timestamp or a log's integrated time.
	ObserverTimestamp bool
	// SCT requires a signed certificate timestamp from a CT log.
	SCT bool
}

// RequirementsFor derives the requirements for a bundle made with logs of
// the given API versions and the given number of timestamp authorities,
// under a trusted root: SCTs are required whenever the root lists CT logs.
func RequirementsFor(logVersions []uint32, tsas int, trusted root.TrustedMaterial) Requirements {
	r := Requirements{TransparencyLog: len(logVersions) > 0, SignedTimestamps: tsas > 0, SCT: len(trusted.CTLogs()) > 0}
	if tsas == 0 {
		for _, v := range logVersions {
			if v == 1 {
				r.IntegratedTime = true
			}
		}
	}
	return r
}

// RequirementsOf is what a trusted root demands of any bundle, when how it
// was signed is not known: a log entry whenever the root has logs, an SCT
// whenever it has CT logs, and always a trusted signing time.
func RequirementsOf(trusted root.TrustedMaterial) Requirements {
	return Requirements{
		TransparencyLog:   len(trusted.RekorLogs()) > 0,
		ObserverTimestamp: true,
		SCT:               len(trusted.CTLogs()) > 0,
	}
}

// Result is what a verified bundle says.
type Result struct {
	// Root is the name of the trusted root that accepted the bundle.
	Root string
	// Statement is the signed in-toto statement JSON.
	Statement  []byte
	Extensions certificate.Extensions
	SAN        string
}

// Evidence is the result as internal/policy reads it. Certificates from
// before Fulcio wrote the source repository extensions (1.3.6.1.4.1.57264.1.12
// onwards) carry the same facts in the deprecated ones (.2 to .6), which
// fill the gaps; the repository URL is then built on the SAN's server.
func (r *Result) Evidence() policy.Evidence {
	x := r.Extensions
	repo := x.SourceRepositoryURI
	if repo == "" && x.GithubWorkflowRepository != "" {
		repo = or(policy.ServerOf(r.SAN), "https://github.com") + "/" + x.GithubWorkflowRepository
	}
	return policy.Evidence{
		Certificate: policy.Certificate{
			SAN: r.SAN, Issuer: x.Issuer,
			SourceRepositoryURI:    repo,
			SourceRepositoryRef:    or(x.SourceRepositoryRef, x.GithubWorkflowRef),
			SourceRepositoryDigest: or(x.SourceRepositoryDigest, x.GithubWorkflowSHA),
			RunnerEnvironment:      x.RunnerEnvironment,
			RunInvocationURI:       x.RunInvocationURI,
			BuildConfigURI:         x.BuildConfigURI,
			BuildTrigger:           or(x.BuildTrigger, x.GithubWorkflowTrigger),
		},
		Statement: r.Statement,
	}
}

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// Bundle verifies bundleJSON under one trusted root: signature, certificate
// chain, the required log entries and timestamps, the identity, and that
// the statement's subjects include the artifact digest (alg, hex).
func Bundle(bundleJSON []byte, trusted root.TrustedMaterial, alg, digestHex string, id Identity, req Requirements) (*Result, error) {
	res, err := Verify(bundleJSON, []Root{{Trusted: trusted}}, intoto.Digest{Alg: alg, Hex: digestHex},
		WithIdentity(id), WithRequirements(req))
	if err != nil {
		return nil, fmt.Errorf("verifying the bundle: %w", err)
	}
	return res, nil
}

// Option configures Verify.
type Option func(*options) error

type options struct {
	identity    *Identity
	anyIdentity bool
	req         *Requirements
}

// WithIdentity requires the signing certificate to name id. Verify needs
// either this or WithoutIdentityUnsafe.
func WithIdentity(id Identity) Option {
	return func(o *options) error {
		if id.SAN == "" || id.Issuer == "" {
			return errors.New("an identity needs a SAN and an issuer")
		}
		o.identity = &id
		return nil
	}
}

// WithoutIdentityUnsafe leaves the signer unchecked: the caller must check
// the Result's SAN and Extensions itself, as internal/policy does for
// `provenant verify`.
func WithoutIdentityUnsafe() Option {
	return func(o *options) error { o.anyIdentity = true; return nil }
}

// WithRequirements sets the evidence every bundle must carry. The default
// is RequirementsOf each trusted root.
func WithRequirements(req Requirements) Option {
	return func(o *options) error { o.req = &req; return nil }
}

// Verify verifies bundleJSON for the artifact under the first of roots
// that accepts it: VerifyBundle, then Verified.For.
func Verify(bundleJSON []byte, roots []Root, artifact intoto.Digest, opts ...Option) (*Result, error) {
	v, err := VerifyBundle(bundleJSON, roots, opts...)
	if err != nil {
		return nil, err
	}
	return v.For(artifact)
}

// Verified is a bundle verified for no artifact in particular: For checks
// any number of artifacts against it without verifying it again.
type Verified struct {
	res         Result
	payloadType string
	stErr       error                      // why the statement could not be parsed
	named       map[intoto.Digest]struct{} // the statement's subject digests, hex lower-cased
}

// VerifyBundle verifies everything about bundleJSON that does not depend on
// the artifact, under the first of roots that accepts it. The signature is
// checked first, with the key of the bundle's own certificate, so that a
// changed payload, signature or certificate is refused as ErrSignature
// rather than as a log entry or timestamp that no longer matches. Then, for
// each root in turn: the log entries, the signing time, the certificate
// chain, the SCTs and the identity. The statement is parsed once, for For.
func VerifyBundle(bundleJSON []byte, roots []Root, opts ...Option) (*Verified, error) {
	var o options
	for _, opt := range opts {
		if err := opt(&o); err != nil {
			return nil, err
		}
	}
	if o.identity == nil && !o.anyIdentity {
		return nil, errors.New("no identity to check: use WithIdentity, or WithoutIdentityUnsafe and check it yourself")
	}
	if len(roots) == 0 {
		return nil, errors.New("no trusted root to verify against")
	}
	e, err := parse(bundleJSON)
	if err != nil {
		return nil, err
	}
	if err := e.signedByCertificate(); err != nil {
		return nil, err
	}
	var errs []error
	for _, r := range roots {
		req := RequirementsOf(r.Trusted)
		if o.req != nil {
			req = *o.req
		}
		res, err := e.verifyUnder(r.Trusted, req, o.identity)
		if err == nil {
			res.Root = r.Name
			v := &Verified{res: *res, payloadType: e.env.PayloadType}
			st, err := intoto.ParseStatement(e.statement)
			if err != nil {
				v.stErr = err
				return v, nil
			}
			v.named = make(map[intoto.Digest]struct{}, len(st.Subject))
			for _, d := range st.Digests() {
				v.named[d] = struct{}{}
			}
			return v, nil
		}
		var ve *Error
		if len(roots) > 1 && errors.As(err, &ve) {
			ve.Root = r.Name
		}
		errs = append(errs, err)
	}
	return nil, errors.Join(errs...)
}

// Evidence is the verified bundle as internal/policy reads it; it does not
// depend on the artifact.
func (v *Verified) Evidence() policy.Evidence {
	return v.res.Evidence()
}

// For checks that the verified statement has the artifact among its
// subjects and returns what the bundle says. The results of one Verified
// share the statement bytes; callers must not change them.
func (v *Verified) For(artifact intoto.Digest) (*Result, error) {
	if _, err := hex.DecodeString(artifact.Hex); err != nil || artifact.Hex == "" {
		return nil, refuse(ErrArtifactNotInStatement, "artifact digest %s is not hex", artifact)
	}
	if v.payloadType != intoto.PayloadType {
		return nil, refuse(ErrArtifactNotInStatement, "the DSSE payload type is %q, not an in-toto statement", v.payloadType)
	}
	if v.stErr != nil {
		return nil, &Error{Check: ErrArtifactNotInStatement, Err: v.stErr}
	}
	// A set rather than Statement.Names, whose scan over every subject for
	// each artifact made verifying n artifacts against one statement
	// quadratic.
	if _, ok := v.named[intoto.Digest{Alg: artifact.Alg, Hex: strings.ToLower(artifact.Hex)}]; !ok {
		return nil, refuse(ErrArtifactNotInStatement, "no subject has digest %s", artifact)
	}
	res := v.res
	return &res, nil
}
