package oci

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/google/go-containerregistry/pkg/v1/remote/transport"

	"github.com/provenant/provenant/internal/httpretry"
)

// Writes that lose a race with another writer storing the same content
// are tried again, this many times in all, the waits between them
// doubling from raceWait.
const (
	raceAttempts = 5
	raceWait     = 50 * time.Millisecond
)

// raceCodes are the registry errors a write can get while another process
// uploads a blob or manifest with the same digest: distribution's
// filesystem storage (docker-registry 2.8) rewrites a repository's link
// file in place, so a manifest PUT that checks its blobs in that instant
// reads an empty link and answers MANIFEST_BLOB_UNKNOWN or DIGEST_INVALID
// for a blob that is there. Attestations of one image share their config
// blob (the empty JSON object), so concurrent runs meet this.
var raceCodes = []transport.ErrorCode{
	transport.ManifestBlobUnknownErrorCode,
	transport.BlobUnknownErrorCode,
	transport.DigestInvalidErrorCode,
	transport.ManifestUnknownErrorCode,
}

// isWriteRace reports whether err is a registry's answer that only says
// content it should already hold was unreadable for a moment.
func isWriteRace(err error) bool {
	var terr *transport.Error
	if !errors.As(err, &terr) || len(terr.Errors) == 0 {
		return false
	}
	for _, d := range terr.Errors {
		known := false
		for _, c := range raceCodes {
			known = known || d.Code == c
		}
		if !known {
			return false
		}
	}
	return true
}

// retryWriteRace runs write, which uploads content and then writes what
// refers to it, again while the registry answers as it does when another
// writer is storing the same content (isWriteRace). Each attempt uploads
// again: what the registry could not read may have been half-written.
func retryWriteRace(ctx context.Context, write func() error) error {
	wait := raceWait
	for attempt := 1; ; attempt++ {
		err := write()
		if err == nil || !isWriteRace(err) {
			return err
		}
		if attempt == raceAttempts {
			return fmt.Errorf("%w (the registry answered so %d times; if another job was pushing the same content, run again)", err, raceAttempts)
		}
		if serr := httpretry.Sleep(ctx, wait/2+rand.N(wait/2+1)); serr != nil {
			return err
		}
		wait *= 2
	}
}
