package estimate

import (
	"math"

	"github.com/metabeta-go/metabeta/internal/linalg"
)

// Fit is one optimum of an objective over the collapsed
// θ = [βc (P), log σ_b (Q), log σ].
type Fit struct {
	Theta []float64 // the optimum, length P+Q+1
	// SE are the standard errors from the curvature: √diag((−H)⁻¹) with H
	// the finite-difference Hessian of the objective in θ at Theta. NaN
	// when −H is not positive definite.
	SE         []float64
	Cov        []float64 // (−H)⁻¹, (P+Q+1)² row-major; nil when −H is not positive definite
	Value      float64   // the objective at Theta
	Grad       []float64 // the objective's gradient at Theta
	Iterations int       // Newton iterations
	Converged  bool
	AtBoundary []bool // per σ_b,k: the optimum is at the lower bound (ML only)
}

// ML returns the maximum-likelihood estimate of (β, σ_b, σ). The
// variances maximize the profile log-likelihood ℓ_p(φ) of φ = [log σ_b,
// log σ] (β by GLS at each φ) by damped Newton (see maximize) from start
// (length Q+1), with the gradient of lmm.Marginal at β̂(φ) (envelope
// theorem) and log σ_b,k ≥ lower[k]. The curvature comes from the full
// Hessian of the marginal log-likelihood in θ.
func (e *Estimator) ML(start, lower []float64, st Settings) Fit {
	s := e.stats
	p, q := s.P, s.Q
	phi := append([]float64(nil), start...)
	low := make([]float64, q+1)
	copy(low, lower)
	low[q] = math.Inf(-1)
	ws := newNewtonWork(q + 1)
	r := maximize(e.profileGrad, phi, low, maxLogStep, st.tol(), st.maxIter(), ws)
	fit := Fit{Theta: make([]float64, p+q+1), Iterations: r.iterations, Converged: r.converged, AtBoundary: make([]bool, q)}
	e.GLS(fit.Theta[:p], phi[:q], phi[q])
	copy(fit.Theta[p:], phi)
	for k := range q {
		fit.AtBoundary[k] = phi[k] <= low[k]
	}
	e.curvature(&fit, e.marginal.LogLikGrad)
	return fit
}

// REML returns the restricted maximum-likelihood estimate (Patterson &
// Thompson 1971; Bates et al. 2015, eq. 41): φ = [log σ_b, log σ] maximizes
// ℓ_R (see remlGrad) by damped Newton from start with log σ_b,k ≥ lower[k],
// and β is the GLS estimate at φ̂. Cov is block diagonal: (XᵀV⁻¹X)⁻¹ for β
// (lme4's vcov) and the inverse negative finite-difference Hessian of ℓ_R
// for φ; Value and Grad are ℓ_R and its gradient in φ (zero for β).
func (e *Estimator) REML(start, lower []float64, st Settings) Fit {
	s := e.stats
	p, q := s.P, s.Q
	phi := append([]float64(nil), start...)
	low := make([]float64, q+1)
	copy(low, lower)
	low[q] = math.Inf(-1)
	ws := newNewtonWork(q + 1)
	r := maximize(e.remlGrad, phi, low, maxLogStep, st.tol(), st.maxIter(), ws)
	n := p + q + 1
	fit := Fit{Theta: make([]float64, n), Iterations: r.iterations, Converged: r.converged, AtBoundary: make([]bool, q),
		Grad: make([]float64, n), SE: make([]float64, n)}
	for k := range q {
		fit.AtBoundary[k] = phi[k] <= low[k]
	}
	fit.Value = e.remlGrad(phi, fit.Grad[p:])
	e.GLS(fit.Theta[:p], phi[:q], phi[q])
	copy(fit.Theta[p:], phi)
	for i := range fit.SE {
		fit.SE[i] = math.NaN()
	}
	if !hessian(e.remlGrad, phi, ws.hess, ws) {
		return fit
	}
	c := ws.chol[:(q+1)*(q+1)]
	for i, v := range ws.hess {
		c[i] = -v
	}
	if !linalg.Cholesky(c, ws.dinv, q+1) {
		return fit
	}
	e.GLS(fit.Theta[:p], phi[:q], phi[q]) // the Hessian moved the workspace's C⁻¹
	fit.Cov = make([]float64, n*n)
	for i := 0; i < p; i++ {
		copy(fit.Cov[i*n:i*n+p], e.ws.cinv[i*p:(i+1)*p])
	}
	col := make([]float64, q+1)
	for j := 0; j <= q; j++ {
		clear(col)
		col[j] = 1
		linalg.CholSolve(c, ws.dinv, q+1, col)
		for i := 0; i <= q; i++ {
			fit.Cov[(p+i)*n+p+j] = col[i]
		}
	}
	for i := range fit.SE {
		fit.SE[i] = math.Sqrt(fit.Cov[i*n+i])
	}
	return fit
}

// curvature fills Value, Grad, SE and Cov of fit for the objective f.
func (e *Estimator) curvature(fit *Fit, f objective) {
	n := len(fit.Theta)
	ws := newNewtonWork(n)
	fit.Grad = make([]float64, n)
	fit.Value = f(fit.Theta, fit.Grad)
	fit.SE = make([]float64, n)
	for i := range fit.SE {
		fit.SE[i] = math.NaN()
	}
	if !hessian(f, fit.Theta, ws.hess, ws) {
		return
	}
	c := make([]float64, n*n)
	for i, v := range ws.hess {
		c[i] = -v
	}
	if !linalg.Cholesky(c, ws.dinv, n) {
		return
	}
	cov := make([]float64, n*n)
	col := make([]float64, n)
	for j := 0; j < n; j++ {
		clear(col)
		col[j] = 1
		linalg.CholSolve(c, ws.dinv, n, col)
		for i := 0; i < n; i++ {
			cov[i*n+j] = col[i]
		}
	}
	fit.Cov = cov
	for i := range fit.SE {
		fit.SE[i] = math.Sqrt(cov[i*n+i])
	}
}
