package faketuf

import (
	"errors"
	"time"

	"github.com/theupdateframework/go-tuf/v2/metadata"
)

// RotateRoot publishes the next root version with new root and timestamp
// keys, signed by both the old and the new root key, as a real rotation
// is, and a timestamp signed with the new key. A client that trusted the
// old root follows it.
func (r *Repository) RotateRoot() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	previous := r.keys[metadata.ROOT]
	for _, role := range []string{metadata.ROOT, metadata.TIMESTAMP} {
		if err := r.newKey(role); err != nil {
			return err
		}
	}
	r.root.Signed.Version++
	r.root.Signed.Expires = time.Now().Add(lifetime).UTC()
	if err := r.publishRoot(previous); err != nil {
		return err
	}
	return r.publishTimestamp(r.snapshot.Signed.Version, time.Now().Add(lifetime))
}

// ExpireTimestamp publishes a new, correctly signed timestamp version that
// expired an hour ago. A client must refuse it.
func (r *Repository) ExpireTimestamp() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.publishTimestamp(r.snapshot.Signed.Version, time.Now().Add(-time.Hour))
}

// RollbackSnapshot publishes a new, correctly signed timestamp version
// that names the snapshot version before the current one. A client that
// has seen the current snapshot must refuse it.
func (r *Repository) RollbackSnapshot() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.snapshot.Signed.Version < 2 {
		return errors.New("faketuf: RollbackSnapshot needs two snapshot versions; Publish again first")
	}
	return r.publishTimestamp(r.snapshot.Signed.Version-1, time.Now().Add(lifetime))
}

// SetDown makes the handler answer every request with 503 while down is
// true, as an outage would.
func (r *Repository) SetDown(down bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.down = down
}

// Requests returns how many requests reached the handler, down or not.
func (r *Repository) Requests() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, c := range r.requests {
		n += c
	}
	return n
}
