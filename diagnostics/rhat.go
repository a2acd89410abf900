package diagnostics

import (
	"math"
	"slices"
)

// Rhat returns posterior::rhat: the larger of the bulk and tail
// rank-normalized split R̂ (Vehtari et al. 2021).
func Rhat(chains [][]float64) float64 {
	bulk, tail := RhatBulk(chains), RhatTail(chains)
	if math.IsNaN(bulk) || math.IsNaN(tail) {
		return math.NaN()
	}
	return math.Max(bulk, tail)
}

// RhatBulk returns R̂ of the rank-normalized split chains.
func RhatBulk(chains [][]float64) float64 {
	if shouldReturnNaN(chains) {
		return math.NaN()
	}
	return rhat(zScale(splitChains(chains)))
}

// RhatTail returns R̂ of the rank-normalized split folded chains
// |x − median(x)|, the median taken over all draws.
func RhatTail(chains [][]float64) float64 {
	if shouldReturnNaN(chains) {
		return math.NaN()
	}
	return rhat(zScale(splitChains(fold(chains))))
}

// RhatBasic returns the classic split R̂ without rank normalization
// (posterior::rhat_basic with split = TRUE).
func RhatBasic(chains [][]float64) float64 {
	if shouldReturnNaN(chains) {
		return math.NaN()
	}
	return rhat(splitChains(chains))
}

// fold returns |x − median(x)|, the median over all draws.
func fold(chains [][]float64) [][]float64 {
	med := sortedQuantile(slices.Sorted(slices.Values(flatten(chains))), 0.5)
	return mapChains(chains, func(v float64) float64 { return math.Abs(v - med) })
}

// rhat is posterior's .rhat: √((B/W + N′ − 1)/N′) with B = N′·Var_m(ȳ_m)
// and W the mean chain variance. It returns NaN for non-finite or constant
// draws and for fewer than 2 draws or chains.
func rhat(chains [][]float64) float64 {
	n := checkShape(chains)
	m := len(chains)
	if n < 2 || m < 2 || shouldReturnNaN(chains) {
		return math.NaN()
	}
	chainMeans := make([]float64, m)
	var varWithin float64
	for c, x := range chains {
		chainMeans[c] = mean(x)
		varWithin += variance(x)
	}
	varWithin /= float64(m)
	nf := float64(n)
	varBetween := nf * variance(chainMeans)
	return math.Sqrt((varBetween/varWithin + nf - 1) / nf)
}
