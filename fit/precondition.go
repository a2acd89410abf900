package fit

import (
	"github.com/metabeta-go/metabeta/lmm"
	"github.com/metabeta-go/metabeta/lmm/estimate"
)

// laplace returns the mode of the collapsed log posterior on the
// unconstrained θ and the lower Cholesky factor (row-major) of the inverse
// of the negative Hessian there: the Laplace approximation N(mode, LLᵀ),
// from package estimate (Newton steps on the exact gradient, started at the
// ML estimate). ok is false when it does not exist (no optimum, or a
// Hessian that is not negative definite); the caller then samples without
// preconditioning.
func laplace(s *lmm.Stats, prior lmm.Prior) (mode, chol []float64, ok bool) {
	est, err := estimate.Estimate(s, &prior, estimate.Settings{})
	if err != nil || est.Laplace == nil {
		return nil, nil, false
	}
	return est.Laplace.Mean, est.Laplace.Chol, true
}
