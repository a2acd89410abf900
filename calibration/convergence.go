package calibration

import (
	"fmt"
	"math"
)

// FitDiagnostics are the convergence diagnostics of one MCMC fit.
type FitDiagnostics struct {
	// MaxRhat is the largest rank-normalised split R̂ over parameters.
	MaxRhat float64
	// MinESS is the smallest bulk (or tail) effective sample size.
	MinESS float64
	// Divergences is the number of divergent transitions after warm-up
	// and Draws the number of post-warm-up draws, over all chains.
	Divergences, Draws int
}

// ConvergenceCriteria are the thresholds a fit must meet to count as
// converged (metabeta/utils/evaluation.py, nutsConvergeMask).
type ConvergenceCriteria struct {
	// MaxRhat is the largest admissible R̂.
	MaxRhat float64
	// MinESS is the smallest admissible ESS.
	MinESS float64
	// MaxDivergentFraction is the largest admissible fraction of
	// divergent transitions.
	MaxDivergentFraction float64
}

// StrictConvergence is metabeta's "strict" filter: R̂ ≤ 1.01, ESS ≥ 400,
// divergences ≤ 0.5% of draws (its tree-depth criterion is not applied).
var StrictConvergence = ConvergenceCriteria{MaxRhat: 1.01, MinESS: 400, MaxDivergentFraction: 0.005}

// LiberalConvergence is metabeta's "liberal" filter: R̂ ≤ 1.05,
// ESS ≥ 200, divergences ≤ 2%.
var LiberalConvergence = ConvergenceCriteria{MaxRhat: 1.05, MinESS: 200, MaxDivergentFraction: 0.02}

// Pass reports whether d meets c. NaN diagnostics and fits without draws
// fail.
func (c ConvergenceCriteria) Pass(d FitDiagnostics) bool {
	if d.Draws <= 0 || math.IsNaN(d.MaxRhat) || math.IsNaN(d.MinESS) {
		return false
	}
	return d.MaxRhat <= c.MaxRhat && d.MinESS >= c.MinESS &&
		float64(d.Divergences) <= c.MaxDivergentFraction*float64(d.Draws)
}

// Convergence is the outcome of a convergence filter over fits.
type Convergence struct {
	// Passed reports, per fit, whether it converged.
	Passed []bool
	// Rate is the fraction of fits that converged and RateSE its binomial
	// SE √(Rate(1−Rate)/N).
	Rate, RateSE float64
	// Warnings lists caveats, e.g. the non-converged count.
	Warnings []string
}

// NewConvergence applies c to every fit.
func NewConvergence(c ConvergenceCriteria, fits []FitDiagnostics) Convergence {
	v := Convergence{Passed: make([]bool, len(fits))}
	k := 0
	for i, d := range fits {
		v.Passed[i] = c.Pass(d)
		if v.Passed[i] {
			k++
		}
	}
	n := float64(len(fits))
	if len(fits) == 0 {
		v.Rate, v.RateSE = math.NaN(), math.NaN()
		return v
	}
	v.Rate = float64(k) / n
	v.RateSE = math.Sqrt(v.Rate * (1 - v.Rate) / n)
	if k < len(fits) {
		v.Warnings = append(v.Warnings, fmt.Sprintf("%d of %d fits did not converge", len(fits)-k, len(fits)))
	}
	return v
}
