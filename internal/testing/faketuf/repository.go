package faketuf

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"sync"
	"time"

	"github.com/sigstore/sigstore/pkg/signature"
	"github.com/theupdateframework/go-tuf/v2/metadata"
)

// lifetime is how long the metadata published is valid.
const lifetime = 24 * time.Hour

// roles are the top-level roles, each with its own key.
var roles = []string{metadata.ROOT, metadata.TARGETS, metadata.SNAPSHOT, metadata.TIMESTAMP}

// Repository is a TUF repository in memory. All methods are safe for
// concurrent use.
type Repository struct {
	mu   sync.Mutex
	keys map[string]ed25519.PrivateKey // by role

	root      *metadata.Metadata[metadata.RootType]
	targets   *metadata.Metadata[metadata.TargetsType]
	snapshot  *metadata.Metadata[metadata.SnapshotType]
	timestamp *metadata.Metadata[metadata.TimestampType]

	// files are what the handler serves, by path without the leading
	// slash: N.root.json, N.targets.json, N.snapshot.json, timestamp.json,
	// targets/<sha256>.<name>.
	files    map[string][]byte
	down     bool
	requests map[string]int
}

// New returns a repository at version 1 of every role that publishes
// targets (name → content), e.g. {"trusted_root.json": …}.
func New(targets map[string][]byte) (*Repository, error) {
	r := &Repository{keys: map[string]ed25519.PrivateKey{}, files: map[string][]byte{}, requests: map[string]int{}}
	expires := time.Now().Add(lifetime).UTC()
	r.root = metadata.Root(expires)
	for _, role := range roles {
		if err := r.newKey(role); err != nil {
			return nil, err
		}
	}
	if err := r.publishRoot(nil); err != nil {
		return nil, err
	}
	r.targets = metadata.Targets(expires)
	r.snapshot = metadata.Snapshot(expires)
	r.timestamp = metadata.Timestamp(expires)
	r.targets.Signed.Version, r.snapshot.Signed.Version, r.timestamp.Signed.Version = 0, 0, 0
	if err := r.publishTargets(targets); err != nil {
		return nil, err
	}
	return r, nil
}

// InitialRoot returns version 1 of the root metadata, the trust anchor a
// client starts from.
func (r *Repository) InitialRoot() []byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]byte(nil), r.files["1.root.json"]...)
}

// Publish adds or replaces the targets, as a new version of the targets,
// snapshot and timestamp metadata.
func (r *Repository) Publish(targets map[string][]byte) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.publishTargets(targets)
}

// newKey gives role a fresh key in the root metadata, replacing its old
// one. The caller publishes the root.
func (r *Repository) newKey(role string) error {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return fmt.Errorf("faketuf: generating the %s key: %w", role, err)
	}
	key, err := metadata.KeyFromPublicKey(pub)
	if err != nil {
		return fmt.Errorf("faketuf: %w", err)
	}
	if old, ok := r.keys[role]; ok {
		oldKey, err := metadata.KeyFromPublicKey(old.Public())
		if err != nil {
			return fmt.Errorf("faketuf: %w", err)
		}
		id, err := oldKey.ID()
		if err != nil {
			return fmt.Errorf("faketuf: %w", err)
		}
		if err := r.root.Signed.RevokeKey(id, role); err != nil {
			return fmt.Errorf("faketuf: revoking the %s key: %w", role, err)
		}
	}
	if err := r.root.Signed.AddKey(key, role); err != nil {
		return fmt.Errorf("faketuf: adding the %s key: %w", role, err)
	}
	r.keys[role] = priv
	return nil
}

// publishRoot signs the root with its current key and, in a rotation,
// with the previous root key too, and serves it as N.root.json.
func (r *Repository) publishRoot(previous ed25519.PrivateKey) error {
	r.root.ClearSignatures()
	for _, k := range []ed25519.PrivateKey{previous, r.keys[metadata.ROOT]} {
		if k == nil {
			continue
		}
		if err := sign(r.root, k); err != nil {
			return err
		}
	}
	return serve(r, fmt.Sprintf("%d.root.json", r.root.Signed.Version), r.root)
}

// publishTargets adds targets and publishes new targets, snapshot and
// timestamp versions.
func (r *Repository) publishTargets(targets map[string][]byte) error {
	for name, data := range targets {
		tf, err := metadata.TargetFile().FromBytes(name, data, "sha256")
		if err != nil {
			return fmt.Errorf("faketuf: describing target %s: %w", name, err)
		}
		r.targets.Signed.Targets[name] = tf
		r.files[fmt.Sprintf("targets/%s.%s", tf.Hashes["sha256"], name)] = append([]byte(nil), data...)
	}
	r.targets.Signed.Version++
	if err := r.signAndServe(metadata.TARGETS); err != nil {
		return err
	}
	r.snapshot.Signed.Version++
	r.snapshot.Signed.Meta["targets.json"] = metadata.MetaFile(r.targets.Signed.Version)
	if err := r.signAndServe(metadata.SNAPSHOT); err != nil {
		return err
	}
	return r.publishTimestamp(r.snapshot.Signed.Version, time.Now().Add(lifetime))
}

// publishTimestamp publishes a new timestamp version naming snapshot
// version snap, expiring at expires.
func (r *Repository) publishTimestamp(snap int64, expires time.Time) error {
	r.timestamp.Signed.Version++
	r.timestamp.Signed.Expires = expires.UTC()
	r.timestamp.Signed.Meta["snapshot.json"] = metadata.MetaFile(snap)
	return r.signAndServe(metadata.TIMESTAMP)
}

// signAndServe signs the role's metadata with its key and serves it.
func (r *Repository) signAndServe(role string) error {
	k := r.keys[role]
	switch role {
	case metadata.TARGETS:
		r.targets.ClearSignatures()
		if err := sign(r.targets, k); err != nil {
			return err
		}
		return serve(r, fmt.Sprintf("%d.targets.json", r.targets.Signed.Version), r.targets)
	case metadata.SNAPSHOT:
		r.snapshot.ClearSignatures()
		if err := sign(r.snapshot, k); err != nil {
			return err
		}
		return serve(r, fmt.Sprintf("%d.snapshot.json", r.snapshot.Signed.Version), r.snapshot)
	default:
		r.timestamp.ClearSignatures()
		if err := sign(r.timestamp, k); err != nil {
			return err
		}
		return serve(r, "timestamp.json", r.timestamp)
	}
}

// sign adds a signature by k to m.
func sign[T metadata.Roles](m *metadata.Metadata[T], k ed25519.PrivateKey) error {
	s, err := signature.LoadSigner(k, crypto.Hash(0))
	if err != nil {
		return fmt.Errorf("faketuf: loading a signer: %w", err)
	}
	if _, err := m.Sign(s); err != nil {
		return fmt.Errorf("faketuf: signing: %w", err)
	}
	return nil
}

// serve stores m's bytes at path.
func serve[T metadata.Roles](r *Repository, path string, m *metadata.Metadata[T]) error {
	b, err := m.ToBytes(false)
	if err != nil {
		return fmt.Errorf("faketuf: encoding %s: %w", path, err)
	}
	r.files[path] = b
	return nil
}
