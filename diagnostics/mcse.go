package diagnostics

import (
	"math"
	"slices"

	"gonum.org/v1/gonum/stat/distuv"
)

// MCSEMean returns the Monte Carlo standard error of the mean, sd(x)/√ESSMean
// with sd over all draws (posterior::mcse_mean).
func MCSEMean(chains [][]float64) float64 {
	if shouldReturnNaN(chains) {
		return math.NaN()
	}
	return math.Sqrt(variance(flatten(chains))) / math.Sqrt(ESSMean(chains))
}

// MCSEQuantile returns the Monte Carlo standard error of the p-quantile
// (posterior::mcse_quantile): with ESS_p = ESSQuantile and a₁, a₂ the
// 0.1586553 and 0.8413447 quantiles of Beta(ESS_p·p + 1, ESS_p·(1−p) + 1),
// half the distance between the ⌊a₁S⌋-th and ⌈a₂S⌉-th smallest draws. It
// panics if p is outside [0, 1].
func MCSEQuantile(chains [][]float64, p float64) float64 {
	if !(p >= 0 && p <= 1) {
		panic(errProb)
	}
	if shouldReturnNaN(chains) {
		return math.NaN()
	}
	sorted := slices.Sorted(slices.Values(flatten(chains)))
	return mcseQuantileSorted(chains, sorted, p)
}

// mcseQuantileSorted is MCSEQuantile with the draws already checked and
// sorted.
func mcseQuantileSorted(chains [][]float64, sorted []float64, p float64) float64 {
	essP := essQuantileSorted(chains, sorted, p)
	if math.IsNaN(essP) {
		return math.NaN()
	}
	// posterior's constants: Φ(−1) and Φ(1) to 7 digits.
	const pLo, pHi = 0.1586553, 0.8413447
	beta := distuv.Beta{Alpha: essP*p + 1, Beta: essP*(1-p) + 1}
	aLo, aHi := beta.Quantile(pLo), beta.Quantile(pHi)
	s := len(sorted)
	th1 := sorted[max(int(math.Floor(aLo*float64(s))), 1)-1]
	th2 := sorted[min(int(math.Ceil(aHi*float64(s))), s)-1]
	return (th2 - th1) / 2
}
