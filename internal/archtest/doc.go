// Package archtest holds only tests: they check that dependencies point
// inwards (front ends → pipeline → feature packages → provenance) and that
// the pure packages stay pure.
package archtest
