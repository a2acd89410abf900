package estimate

import (
	"github.com/metabeta-go/metabeta/lmm"
)

// MAP returns the mode of the collapsed posterior p(θ | y) ∝ p(θ) p(y | θ)
// of lmm.Collapsed (prior with the log-Jacobian, so the mode is in θ, where
// σ_b → 0 is not a boundary) by damped Newton from start, and the Laplace
// approximation N(θ̂, (−H)⁻¹) there (nil when −H is not positive definite),
// both from PosteriorLaplace.
func (e *Estimator) MAP(prior lmm.Prior, start []float64, st Settings) (Fit, *Laplace) {
	c := lmm.NewCollapsedStats(e.stats, prior)
	if len(start) != c.Dim() {
		panic("estimate: MAP: start length mismatch")
	}
	lap, fit, err := PosteriorLaplace(c, start, st)
	if err != nil || lap.Diagonal {
		return fit, nil
	}
	return fit, lap
}
