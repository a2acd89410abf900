package calibration

import (
	"math"
	"math/rand/v2"
	"testing"
)

// newRand returns the test stream (seed, stream) of the PCG generator.
func newRand(seed, stream uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, stream))
}

// checkClose fails t unless |got − want| ≤ tol.
func checkClose(t *testing.T, name string, got, want, tol float64) {
	t.Helper()
	if !(math.Abs(got-want) <= tol) {
		t.Errorf("%s = %.10g, want %.10g ± %.3g", name, got, want, tol)
	}
}

// checkMC fails t unless |est − truth| < 4·se (a Monte Carlo check).
func checkMC(t *testing.T, name string, est, truth, se float64) {
	t.Helper()
	if !(math.Abs(est-truth) < 4*se) {
		t.Errorf("%s = %.6g, want %.6g within 4·MCSE = %.3g", name, est, truth, 4*se)
	}
}

// simulatedRanks returns n SBC ranks of truths θ* ~ N(0, 1) among l
// "posterior" draws from N(shift, scale²), all independent of θ*. With
// shift 0 and scale 1 the draws have the law of θ* and the ranks are
// uniform (Talts et al. 2018, Theorem 1 with a data-free model); a shift
// biases the ranks, scale < 1 gives a U-shaped (over-confident) and
// scale > 1 a ∩-shaped (under-confident) histogram.
func simulatedRanks(rng *rand.Rand, n, l int, shift, scale float64) []int {
	ranks := make([]int, n)
	draws := make([]float64, l)
	for i := range ranks {
		truth := rng.NormFloat64()
		for j := range draws {
			draws[j] = shift + scale*rng.NormFloat64()
		}
		ranks[i] = Rank(rng, draws, truth)
	}
	return ranks
}
