//go:build !race

package oci

// raceEnabled is set when the race detector is on.
const raceEnabled = false
