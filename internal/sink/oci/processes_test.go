package oci

import (
	"sync"
	"testing"
	"time"
)

// TestPusher_Attach_separateProcesses attaches 8 attestations to one image
// at once, each through its own Pusher, as 8 runs in separate processes
// would: their in-process locks do not see each other. The fallback index
// must list all 8, and the legacy .att image hold all 8 layers, in every
// round (20 rounds; 3 under the race detector).
func TestPusher_Attach_separateProcesses(t *testing.T) {
	t.Parallel()
	const runs = 8
	rounds := 20
	if raceEnabled {
		rounds = 3
	}
	host := newRegistry(t, false)
	for round := range rounds {
		img := pushImage(t, host, "octo-org/app")
		var wg sync.WaitGroup
		for i := range runs {
			created := fixedTime.Add(time.Duration(round*runs+i) * time.Second)
			bundle, chain := bundleFor(t, img, kindRekorV1)
			p := newPusher(t, WithLegacyAtt(true), WithClock(func() time.Time { return created }))
			wg.Go(func() {
				if _, err := p.Attach(t.Context(), img.String(), bundle, chain); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if n := len(getIndex(t, img.Context().Name()+":sha256-"+img.DigestStr()[7:]).Manifests); n != runs {
			t.Fatalf("round %d: fallback index lists %d referrers, want %d", round, n, runs)
		}
		if n := len(attLayers(t, legacyTagOf(img))); n != runs {
			t.Fatalf("round %d: .att has %d layers, want %d", round, n, runs)
		}
	}
}
