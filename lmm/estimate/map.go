package estimate

import (
	"math"

	"github.com/metabeta-go/metabeta/lmm"
)

// MAP returns the mode of the collapsed posterior p(θ | y) ∝ p(θ) p(y | θ)
// of lmm.Collapsed (prior with the log-Jacobian, so the mode is in θ, where
// σ_b → 0 is not a boundary) by damped Newton from start, and the Laplace
// approximation N(θ̂, (−H)⁻¹) there (nil when −H is not positive definite).
func (e *Estimator) MAP(prior lmm.Prior, start []float64, st Settings) (Fit, *Laplace) {
	c := lmm.NewCollapsedStats(e.stats, prior)
	n := c.Dim()
	theta := append([]float64(nil), start...)
	if len(theta) != n {
		panic("estimate: MAP: start length mismatch")
	}
	ws := newNewtonWork(n)
	r := maximize(c.LogDensityGrad, theta, nil, math.Inf(1), st.tol(), st.maxIter(), ws)
	fit := Fit{Theta: theta, Iterations: r.iterations, Converged: r.converged}
	e.curvature(&fit, c.LogDensityGrad)
	if fit.Cov == nil {
		return fit, nil
	}
	lp, err := NewLaplace(fit.Theta, fit.Cov)
	if err != nil {
		return fit, nil
	}
	return fit, lp
}
