//go:build race

package resp

// raceEnabled: the race detector makes sync.Pool drop items at random, so
// tests of pooled reuse cannot count allocations.
const raceEnabled = true
