package oci

import (
	"sync"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
)

// TestPusher_Attach_concurrent attaches two attestations to each of several
// images at once through one Pusher, the way a pipeline handles several
// images per run. Nothing may be lost from the shared tags.
func TestPusher_Attach_concurrent(t *testing.T) {
	t.Parallel()
	const images, perImage = 4, 2
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			host := newRegistry(t, m.referrers)
			var tick sync.Mutex
			now := fixedTime
			clock := func() time.Time { // distinct created times, so distinct referrers
				tick.Lock()
				defer tick.Unlock()
				now = now.Add(time.Second)
				return now
			}
			p := newPusher(t, WithLegacyAtt(true), WithClock(clock))
			var imgs []name.Digest
			for range images {
				imgs = append(imgs, pushImage(t, host, "octo-org/app"))
			}
			var wg sync.WaitGroup
			stored := make(chan *Stored, images*perImage)
			for _, img := range imgs {
				for range perImage {
					bundle, chain := bundleFor(t, img, kindRekorV1)
					wg.Go(func() {
						st, err := p.Attach(t.Context(), img.String(), bundle, chain)
						if err != nil {
							t.Error(err)
							return
						}
						stored <- st
					})
				}
			}
			wg.Wait()
			close(stored)
			referrers := map[string]int{}
			for st := range stored {
				referrers[st.Subject]++
			}
			for _, img := range imgs {
				if referrers[img.Name()] != perImage {
					t.Errorf("%s: %d successful attaches, want %d", img, referrers[img.Name()], perImage)
				}
				if n := len(attLayers(t, legacyTagOf(img))); n != perImage {
					t.Errorf("%s: .att has %d layers, want %d", img, n, perImage)
				}
				if !m.referrers {
					if n := len(getIndex(t, img.Context().Name()+":sha256-"+img.DigestStr()[7:]).Manifests); n != perImage {
						t.Errorf("%s: fallback index lists %d referrers, want %d", img, n, perImage)
					}
				}
			}
		})
	}
}
