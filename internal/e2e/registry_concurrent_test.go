package e2e

import (
	"bytes"
	"os/exec"
	"sync"
	"testing"
	"time"
)

// Concurrent runs onto one image: runs processes per round, and rounds
// per registry. The fallback index of docker-registry is where a lost
// update shows, so it gets more rounds.
const concurrentRuns = 8

var concurrentRounds = map[string]int{"docker-registry": 3, "referrers-api": 1}

// TestRegistry_concurrentRuns starts 8 `provenant attest` processes at
// once, each a job of its own workflow run, attesting the same image with
// cosign's legacy layout on. Afterwards the image must have exactly 8
// referrers, each listed once (in the fallback index on docker-registry),
// 8 .att layers, and every referrer must verify. Each process has its own
// in-process locks, so only the registry read-back keeps their writes.
func TestRegistry_concurrentRuns(t *testing.T) {
	st := needStack(t)
	for kind, reg := range registries(t) {
		t.Run(kind, func(t *testing.T) {
			for round := range concurrentRounds[kind] {
				ref := pushImage(t, reg, "octo-org/concurrent-"+kind)
				steps := make([]*step, concurrentRuns)
				for i := range steps {
					steps[i] = jobStep(t, st, itoaRun(6000+100*round, i), "1")
				}
				start := time.Now()
				runAtOnce(t, steps, map[string]string{"IMAGE": ref, "PUSH-TO-REGISTRY": "true", "OCI-LEGACY-ATT": "true"})
				took := time.Since(start)
				for i, s := range steps {
					if s.code != 0 {
						t.Fatalf("round %d, run %d: exit %d\n%s", round, i, s.code, s.stderr)
					}
				}
				c := copiesOf(t, ref)
				if got := c.digests(t); len(got) != concurrentRuns || c.attLayers != concurrentRuns {
					t.Fatalf("round %d: %d referrers listed (%q) and %d .att layers; want %d of each", round, len(got), got, c.attLayers, concurrentRuns)
				}
				if n := verifyEachReferrer(t, st, ref); n != concurrentRuns {
					t.Errorf("round %d: provenant found %d referrers, want %d", round, n, concurrentRuns)
				}
				t.Logf("round %d: %d runs attested %s in %s", round, concurrentRuns, ref, took.Round(10*time.Millisecond))
				if round > 0 {
					continue
				}
				// As users verify: the image, with everything attached to it.
				if code, out := provenantVerify(t, verifyOCIArgs(st, versions[0], ref, "--signer-workflow", signer)...); code != 0 {
					t.Errorf("provenant verify oci://%s:\n%s", ref, out)
				}
				if code, out := tool(t, "cosign", cosignOCIArgs(st, versions[0], ref)...); code != 0 {
					t.Errorf("cosign verify-attestation %s:\n%s", ref, out)
				}
			}
		})
	}
}

// runAtOnce starts every step's process, then waits for them all.
func runAtOnce(t *testing.T, steps []*step, inputs map[string]string) {
	t.Helper()
	type proc struct {
		cmd      *exec.Cmd
		out, err *bytes.Buffer
	}
	procs := make([]proc, len(steps))
	for i, s := range steps {
		cmd, out, errb := s.command(inputs)
		must(t, cmd.Start())
		procs[i] = proc{cmd, out, errb}
	}
	var wg sync.WaitGroup
	for i, p := range procs {
		wg.Go(func() {
			_ = p.cmd.Wait() // the exit code is read below
			steps[i].stdout, steps[i].stderr, steps[i].code = p.out.String(), p.err.String(), p.cmd.ProcessState.ExitCode()
		})
	}
	wg.Wait()
}
