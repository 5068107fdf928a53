// Package oci delivers signed attestations to OCI registries.
//
// Pusher.Attach takes a Sigstore bundle v0.3 whose DSSE payload is an
// in-toto statement about a container image and stores it next to that
// image in the layouts of formats.md, section 6:
//
//   - an OCI 1.1 referrer manifest (artifactType
//     application/vnd.dev.sigstore.bundle.v0.3+json, the empty config, one
//     layer holding the bundle, subject = the image); this is what cosign v3,
//     actions/attest and `gh attestation verify --bundle-from-oci` use;
//   - on registries without the referrers API (GHCR, Docker Hub,
//     distribution 2.8), the `sha256-<hex>` fallback tag index that lists
//     the referrer, with its artifactType and annotations
//     (https://github.com/opencontainers/distribution-spec/blob/main/spec.md#referrers-tag-schema);
//   - optionally, cosign's legacy `sha256-<hex>.att` image with one DSSE
//     envelope layer per attestation.
//
// The image must already be in the registry: its descriptor becomes the
// referrer's subject. Platforms lists the per-platform manifests of an
// image index, for callers that attest each platform as well.
//
// The fallback index and the .att image are shared, read-modify-write tags.
// Attach calls of one Pusher serialize their updates per tag. Registries
// offer no reliable compare-and-swap (distribution 2.8.2 ignores
// If-Match), so against other processes Attach re-reads the tag after
// writing and repairs it, backing off, until two reads a settle wait
// apart both list its entry, within the context's deadline (at most two
// minutes). A writer whose read and write lie further apart than that
// wait could still drop an entry; that writer's own check does not see
// it. Both tags also show up in tag lists and can break immutable-tag
// policies; callers should say so.
//
// A step that runs again in the same workflow run (a retried step, or
// "Re-run jobs", which bumps the attempt) replaces its earlier copies
// instead of adding a second referrer: once the new copy is stored, the
// earlier referrers of the same subjects and predicate type from the same
// run are deleted (a registry that refuses DELETE is reported, and the
// run goes on) and dropped from the fallback index, and their .att
// layers dropped. "Same run" is read from the Fulcio certificates (OIDC
// issuer, signer, source repository, and Run Invocation URI without its
// attempt), and an earlier statement counts only when its certificate's
// key signed it; copies from other runs, repositories or signers stay.
// Two copies of one run stored at once leave the one signed later.
//
// The package neither signs nor verifies bundles; it reads only what it
// needs for the layout (the predicate type, the certificate, the log
// promise and the timestamps) and for re-runs (the run its certificate
// names, and that the certificate's key made the DSSE signature). It
// never logs, never reads the environment itself (authn.DefaultKeychain,
// the last link of Keychain, reads the Docker configuration) and never
// puts passwords or tokens in errors. It is built on go-containerregistry,
// the Sigstore protobuf types and sigstore-go's certificate summary, and
// must not import any front end (internal/action, internal/cli).
package oci
