//go:build race

package oci

// raceEnabled is set when the race detector is on; it slows the
// in-process registry about tenfold, so stress tests run fewer rounds.
const raceEnabled = true
