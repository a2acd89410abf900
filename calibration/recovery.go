package calibration

import (
	"fmt"
	"math"

	"github.com/metabeta-go/metabeta/diagnostics"
)

// fisherZ95 is the standard normal 0.975 quantile, for 95% Fisher-z
// intervals.
const fisherZ95 = 1.959963984540054

// Correlation is a Pearson correlation with its Fisher-z uncertainty
// (Fisher 1921): z = atanh r has SE 1/√(N−3), and the 95% interval for
// the correlation is tanh(z ± 1.96·SE).
type Correlation struct {
	// R is the sample Pearson correlation.
	R float64
	// ZSE is the SE of atanh R, 1/√(N−3) (NaN when N ≤ 3).
	ZSE float64
	// Lo and Hi are the 95% Fisher-z interval of R.
	Lo, Hi float64
	// N is the number of pairs.
	N int
}

// Pearson returns the Pearson correlation of x and y with its Fisher-z
// interval. Constant x or y gives R = NaN. It panics if the lengths
// differ.
func Pearson(x, y []float64) Correlation {
	if len(x) != len(y) {
		panic(fmt.Sprintf("calibration: correlation of %d and %d values", len(x), len(y)))
	}
	c := Correlation{N: len(x)}
	mx, _ := meanVar(x)
	my, _ := meanVar(y)
	var sxy, sxx, syy float64
	for i := range x {
		dx, dy := x[i]-mx, y[i]-my
		sxy += dx * dy
		sxx += dx * dx
		syy += dy * dy
	}
	c.R = sxy / math.Sqrt(sxx*syy)
	c.ZSE, c.Lo, c.Hi = math.NaN(), math.NaN(), math.NaN()
	if c.N > 3 && !math.IsNaN(c.R) {
		c.ZSE = 1 / math.Sqrt(float64(c.N-3))
		z := math.Atanh(c.R)
		c.Lo = math.Tanh(z - fisherZ95*c.ZSE)
		c.Hi = math.Tanh(z + fisherZ95*c.ZSE)
	}
	return c
}

// NRMSE returns the root mean squared error of the point estimates
// against the truths divided by the population SD of the truths
// (metabeta/evaluation/point.py): √(meanₙ(θ̂ₙ − θ*ₙ)²) / sd_pop(θ*). It
// panics if the lengths differ.
func NRMSE(estimates, truths []float64) float64 {
	if len(estimates) != len(truths) {
		panic(fmt.Sprintf("calibration: %d estimates for %d truths", len(estimates), len(truths)))
	}
	n := float64(len(truths))
	mt, _ := meanVar(truths)
	var se, st float64
	for i, t := range truths {
		d := estimates[i] - t
		se += d * d
		st += (t - mt) * (t - mt)
	}
	return math.Sqrt(se/n) / math.Sqrt(st/n)
}

// Contraction returns the posterior contraction 1 − Var_post/Var_prior
// (Schad, Betancourt & Vasishth 2021, arXiv 1904.12765; BayesFlow clips it
// to [0, 1], this does not, so a posterior wider than the prior shows).
func Contraction(posteriorVar, priorVar float64) float64 {
	return 1 - posteriorVar/priorVar
}

// ZScore returns the posterior z-score (θ* − mean)/sd, signed as in the
// SBC R package (sbi reports its absolute value, BayesFlow the opposite
// sign).
func ZScore(truth, mean, sd float64) float64 {
	return (truth - mean) / sd
}

// Recovery summarises parameter recovery for one scalar over N datasets.
type Recovery struct {
	// Correlation is Pearson r of posterior means against truths.
	Correlation Correlation
	// NRMSE is the RMSE of the posterior means over the SD of the truths.
	NRMSE float64
	// MedianContraction is the median over datasets of
	// 1 − Var_post/Var_prior.
	MedianContraction float64
	// MedianAbsZ is the median over datasets of |z|; for an exact
	// posterior z is standard normal and the median |z| is 0.6745.
	MedianAbsZ float64
	// Means, SDs, Contractions and ZScores hold the per-dataset values
	// (posterior mean and SD, contraction, z-score), for plots.
	Means, SDs, Contractions, ZScores []float64
	// Warnings lists caveats (few datasets).
	Warnings []string
}

// NewRecovery summarises the posterior draws[n] of one scalar against
// truths[n] for a prior of variance priorVar. It panics if the lengths
// differ.
func NewRecovery(draws [][]float64, truths []float64, priorVar float64) Recovery {
	if len(draws) != len(truths) {
		panic(fmt.Sprintf("calibration: %d draw sets for %d truths", len(draws), len(truths)))
	}
	n := len(truths)
	r := Recovery{Means: make([]float64, n), SDs: make([]float64, n),
		Contractions: make([]float64, n), ZScores: make([]float64, n)}
	absZ := make([]float64, n)
	for i, d := range draws {
		r.Means[i], r.SDs[i] = MeanSD(d)
		r.Contractions[i] = Contraction(r.SDs[i]*r.SDs[i], priorVar)
		r.ZScores[i] = ZScore(truths[i], r.Means[i], r.SDs[i])
		absZ[i] = math.Abs(r.ZScores[i])
	}
	r.Correlation = Pearson(r.Means, truths)
	r.NRMSE = NRMSE(r.Means, truths)
	r.MedianContraction = diagnostics.SortedQuantile(sortedCopy(nil, r.Contractions), 0.5)
	r.MedianAbsZ = diagnostics.SortedQuantile(sortedCopy(nil, absZ), 0.5)
	if n < MinReplicates {
		r.Warnings = append(r.Warnings, fmt.Sprintf("fewer than %d datasets (N = %d)", MinReplicates, n))
	}
	return r
}
