package calibration

import (
	"math"
	"math/rand/v2"
	"slices"
)

// LogGamma is the log-γ uniformity statistic of Modrák et al. (2025,
// Bayesian Anal. 20(2); BayesFlow calibration_log_gamma):
//
//	γ_obs = 2·minᵢ min{F_Bin(Rᵢ; N, zᵢ), 1 − F_Bin(Rᵢ − 1; N, zᵢ)},
//	zᵢ = i/(L+1), Rᵢ = #{r < i}, i = 1..L+1,
//	log γ = log(γ_obs / q_α),
//
// where q_α is the α-quantile of γ_obs under uniform ranks. log γ < 0
// rejects uniformity at level α.
type LogGamma struct {
	// Value is log(GammaObs / NullQuantile).
	Value float64
	// GammaObs is γ_obs of the ranks.
	GammaObs float64
	// NullQuantile is q_α of γ_obs under uniformity.
	NullQuantile float64
	// Alpha is the level α of NullQuantile.
	Alpha float64
	// Warnings lists caveats (few replicates, few draws).
	Warnings []string
}

// GammaStatistic returns γ_obs of ranks in 0..l (see LogGamma). It
// panics on a rank outside 0..l.
func GammaStatistic(ranks []int, l int) float64 {
	checkRanks(ranks, l)
	n := len(ranks)
	if n == 0 {
		return math.NaN()
	}
	below := make([]int, l+2)
	for _, r := range ranks {
		below[r+1]++
	}
	lf := logFactorials(n)
	g := 1.0
	cum := 0
	for i := 1; i <= l+1; i++ {
		cum += below[i]
		z := float64(i) / float64(l+1)
		g = min(g, binomCDF(lf, cum, n, z), binomSF(lf, cum, n, z))
	}
	return 2 * g
}

// GammaNullQuantile returns the α-quantile of γ_obs for n uniform ranks
// in 0..l, computed exactly: γ_obs ≥ γ holds exactly when the rank ECDF
// stays inside the pointwise-γ bands on the grid i/(L+1) (see Bands), so
// the quantile is AdjustGamma at level 1 − α on that grid. For discrete
// uniform ranks the counts Rᵢ have the law of a continuous uniform ECDF at
// zᵢ, so no approximation is involved beyond the bisection tolerance. Its
// cost grows as (L+1)·(band width)²: about half a second at N = L+1 =
// 1000; compute it once per (N, L) and reuse it across parameters.
func GammaNullQuantile(n, l int, alpha float64) float64 {
	return AdjustGamma(n, UniformGrid(l+1), 1-alpha)
}

// SimulateGammaNull returns, sorted ascending, γ_obs of m sets of n
// uniform ranks in 0..l drawn with rng, as BayesFlow simulates its null.
// Quantile(SimulateGammaNull(…), α) estimates the null quantile; it serves
// to check GammaNullQuantile and for grids too large for the exact
// computation.
func SimulateGammaNull(rng *rand.Rand, n, l, m int) []float64 {
	ranks := make([]int, n)
	g := make([]float64, m)
	for j := range g {
		for i := range ranks {
			ranks[i] = rng.IntN(l + 1)
		}
		g[j] = GammaStatistic(ranks, l)
	}
	slices.Sort(g)
	return g
}

// NewLogGamma returns the log-γ statistic of ranks in 0..l against a null
// quantile at level alpha, from GammaNullQuantile or from Quantile of
// SimulateGammaNull.
func NewLogGamma(ranks []int, l int, nullQuantile, alpha float64) LogGamma {
	g := GammaStatistic(ranks, l)
	return LogGamma{Value: math.Log(g / nullQuantile), GammaObs: g,
		NullQuantile: nullQuantile, Alpha: alpha, Warnings: sbcWarnings(len(ranks), l)}
}
