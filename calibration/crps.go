package calibration

import (
	"math"
	"slices"
)

// CRPS returns the fair (unbiased) estimate of the continuous ranked
// probability score of the predictive distribution sampled by draws at the
// observation y (Gneiting & Raftery 2007; Ferro 2014, QJRMS; Zamo &
// Naveau 2018, Math. Geosci.):
//
//	CRPS_fair = (1/S) Σᵢ |xᵢ − y| − 1/(2S(S−1)) Σᵢ,ⱼ |xᵢ − xⱼ|,
//
// with the pair sum computed in O(S log S) from the sorted draws,
// Σᵢ,ⱼ |xᵢ − xⱼ| = 2 Σᵢ (2i − S − 1) x₍ᵢ₎, i = 1..S. Lower is better. The
// draws are copied into scratch, which is grown if its capacity is short
// and returned for reuse; with enough capacity it does not allocate.
// Fewer than two draws give NaN.
func CRPS(draws []float64, y float64, scratch []float64) (float64, []float64) {
	s := len(draws)
	if s < 2 {
		return math.NaN(), scratch
	}
	scratch = append(scratch[:0], draws...)
	slices.Sort(scratch)
	var abs, pairs float64
	for i, x := range scratch {
		abs += math.Abs(x - y)
		pairs += float64(2*(i+1)-s-1) * x
	}
	ss := float64(s)
	return abs/ss - pairs/(ss*(ss-1)), scratch
}

// CRPSNormal returns the CRPS of the normal distribution N(mu, sigma²) at
// y in closed form (Gneiting & Raftery 2007, eq. 21):
//
//	CRPS = σ [ω(2Φ(ω) − 1) + 2φ(ω) − 1/√π],  ω = (y − μ)/σ.
func CRPSNormal(mu, sigma, y float64) float64 {
	w := (y - mu) / sigma
	cdf := 0.5 * math.Erfc(-w/math.Sqrt2)
	pdf := math.Exp(-w*w/2) / math.Sqrt(2*math.Pi)
	return sigma * (w*(2*cdf-1) + 2*pdf - 1/math.SqrtPi)
}

// LogMeanExp returns log((1/S) Σₛ exp(vₛ)) computed stably by factoring
// out the maximum. Given the log-likelihoods log p(yᵢ | θₛ) of one
// observation under S posterior draws it is the log predictive density
// lpdᵢ = log((1/S) Σₛ p(yᵢ | θₛ)) (metabeta posteriorPredictiveNLL,
// mode "mixture"). An empty v gives NaN; all −Inf gives −Inf.
func LogMeanExp(v []float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	m := math.Inf(-1)
	for _, x := range v {
		m = max(m, x)
	}
	if math.IsInf(m, 0) {
		return m
	}
	s := 0.0
	for _, x := range v {
		s += math.Exp(x - m)
	}
	return m + math.Log(s/float64(len(v)))
}
