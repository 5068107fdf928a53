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

// A write refused as racing another writer of the same content is made
// at most this many times in all; the waits between tries of a referrer
// push double from raceWait.
const (
	raceAttempts = 5
	raceWait     = 50 * time.Millisecond
)

// raceCodes are the registry errors a write can get while another process
// uploads a blob or manifest with the same digest: distribution's
// filesystem storage (docker-registry 2.8) rewrites a repository's link
// file in place, so a manifest PUT that checks its blobs in that instant
// reads an empty link and answers MANIFEST_BLOB_UNKNOWN or DIGEST_INVALID
// for a blob that is there (and an index PUT, MANIFEST_UNKNOWN for a
// manifest that is there). Attestations of one image share their config
// blob (the empty JSON object), so concurrent runs meet this. The same
// codes can also mean the content really is missing or wrong; then every
// try is refused and the last error is reported.
var raceCodes = []transport.ErrorCode{
	transport.ManifestBlobUnknownErrorCode,
	transport.BlobUnknownErrorCode,
	transport.DigestInvalidErrorCode,
	transport.ManifestUnknownErrorCode,
}

// isWriteRace reports whether every error the registry gave is one of
// raceCodes.
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

// giveUp words the error after the last refused try.
func giveUp(err error) error {
	return fmt.Errorf("%w (refused %d times; if other jobs were pushing attestations of the same image, run again)", err, raceAttempts)
}

// retryWriteRace runs write, which uploads content and then writes a
// manifest by digest that refers to it, again while the registry refuses
// it as racing (isWriteRace). Each try uploads again. Only for writes by
// digest: a tag written from an earlier read must be read again instead
// (raceBudget), or the retried write could drop entries others wrote in
// the meantime.
func retryWriteRace(ctx context.Context, write func() error) error {
	wait := raceWait
	for attempt := 1; ; attempt++ {
		err := write()
		if err == nil || !isWriteRace(err) {
			return err
		}
		if attempt == raceAttempts {
			return giveUp(err)
		}
		if serr := httpretry.Sleep(ctx, wait/2+rand.N(wait/2+1)); serr != nil {
			return errors.Join(serr, err)
		}
		wait *= 2
	}
}

// raceBudget lets a read-modify-write of a shared tag (fallback index,
// .att image) treat a write refused as racing like a write another
// writer undid: the step reports its entry as not held, and converge
// reads the tag again and rebuilds the write from what is there now. It
// counts the tries left.
type raceBudget int

// absorb returns nil for a racing refusal while tries are left, the
// error (worded as the last try) when none are, and any other error as
// it is.
func (b *raceBudget) absorb(err error) error {
	if err == nil || !isWriteRace(err) {
		return err
	}
	*b--
	if *b <= 0 {
		return giveUp(err)
	}
	return nil
}
