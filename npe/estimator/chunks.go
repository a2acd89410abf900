package estimator

import "math/rand/v2"

// sampleChunk is the number of draws in one parallel chunk of sampling.
// Draws are cut into chunks of this many rows (or of whole datasets, when
// they have fewer draws each), and each chunk takes its random numbers
// from its own stream, seeded in chunk order from the caller's rng, so
// draws depend on the data, the number of draws and the seed, but not on
// GOMAXPROCS.
const sampleChunk = 256

// drawChunk is rows [lo, hi) of a batch of draws whose contexts are rows
// ctx, ctx+1, … each repeated per times.
type drawChunk struct{ lo, hi, ctx, per int }

// drawChunks cuts the rows of sets×n draws (n per context) into chunks of
// about sampleChunk rows, aligned to contexts.
func drawChunks(sets, n int) []drawChunk {
	var cs []drawChunk
	if n >= sampleChunk {
		for s := 0; s < sets; s++ {
			for lo := 0; lo < n; lo += sampleChunk {
				hi := min(lo+sampleChunk, n)
				cs = append(cs, drawChunk{s*n + lo, s*n + hi, s, hi - lo})
			}
		}
		return cs
	}
	k := sampleChunk / n
	for s := 0; s < sets; s += k {
		e := min(s+k, sets)
		cs = append(cs, drawChunk{s * n, e * n, s, n})
	}
	return cs
}

// splitRand returns k generators seeded in order from rng.
func splitRand(rng *rand.Rand, k int) []*rand.Rand {
	rs := make([]*rand.Rand, k)
	for i := range rs {
		rs[i] = rand.New(rand.NewPCG(rng.Uint64(), rng.Uint64()))
	}
	return rs
}
