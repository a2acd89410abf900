package hmc

import (
	"math"
	"math/rand/v2"
)

var (
	inf = math.Inf(1)
	nan = math.NaN()
)

// logSumExp returns log(eᵃ + eᵇ), stable for −Inf arguments.
func logSumExp(a, b float64) float64 {
	if a == math.Inf(-1) {
		return b
	}
	if b == math.Inf(-1) {
		return a
	}
	if a > b {
		return a + math.Log1p(math.Exp(b-a))
	}
	return b + math.Log1p(math.Exp(a-b))
}

// acceptUniform is the uniform progressive multinomial step used inside a
// subtree (Betancourt 2017, §A.3.2): having built the two halves with log
// weights logWInit and logWFinal, the proposal moves to the final half with
// probability W_final/(W_init + W_final). One uniform is consumed unless
// the final half carries all the weight, exactly as Stan does.
func acceptUniform(rng *rand.Rand, logWFinal, logWSubtree float64) bool {
	if logWFinal > logWSubtree {
		return true
	}
	return rng.Float64() < math.Exp(logWFinal-logWSubtree)
}

// acceptBiased is the biased progressive sampling step at the top level of
// the trajectory (Betancourt 2017, §A.3.2): the new subtree's proposal
// replaces the current sample with probability min(1, W_new/W_old), which
// favours states far from the start while leaving the multinomial
// distribution over the trajectory invariant.
func acceptBiased(rng *rand.Rand, logWNew, logWOld float64) bool {
	if logWNew > logWOld {
		return true
	}
	return rng.Float64() < math.Exp(logWNew-logWOld)
}

var negInf = math.Inf(-1)

func exp(x float64) float64 { return math.Exp(x) }
