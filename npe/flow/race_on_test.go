//go:build race

package flow

// raceEnabled reports a -race build: sync.Pool then drops items at random
// and instrumentation allocates, so allocation counts are not meaningful.
const raceEnabled = true
