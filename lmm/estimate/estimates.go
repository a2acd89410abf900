package estimate

import (
	"fmt"
	"math"

	"github.com/metabeta-go/metabeta/lmm"
)

// Estimates gathers the estimates of one dataset. Theta vectors follow the
// collapsed layout θ = [βc, log σ_b, log σ] of package lmm.
type Estimates struct {
	// Within is the LSDV σ̂ and its degrees of freedom; DF ≤ 0 (and Sigma
	// 0) when the within-group fit interpolates the data, in which case the
	// pooled OLS σ̂ starts the iterations and the likelihood may be
	// unbounded as σ → 0.
	Within  WithinResult
	Moments MomentsResult // method-of-moments σ̂_b, the ML starting point
	ML      Fit           // maximum likelihood, β by GLS (profiled)
	// REML is the restricted maximum-likelihood fit (variances maximizing
	// ℓ_R, β by GLS at them); its β covariance is (XᵀV⁻¹X)⁻¹ as in lme4.
	REML Fit
	// MAP is the posterior mode of the collapsed posterior; nil when
	// Estimate had no prior.
	MAP *Fit
	// Laplace is N(MAP, (−H)⁻¹) on θ; nil without a prior or when the
	// Hessian at the mode is not negative definite.
	Laplace  *Laplace
	Warnings []string
}

// Estimate computes every estimate of the package on s: the LSDV σ̂, the
// moment σ̂_b, the ML fit from the moment start, and, when prior is not
// nil, the MAP (from the ML fit) with its Laplace approximation. Failures
// to converge and boundary estimates are reported in Warnings; it returns
// an error only when σ cannot be estimated at all (N ≤ rank or a perfect
// fit).
func Estimate(s *lmm.Stats, prior *lmm.Prior, st Settings) (*Estimates, error) {
	return NewEstimator(s).Estimate(prior, st)
}

// Estimate is the function Estimate on e's statistics.
func (e *Estimator) Estimate(prior *lmm.Prior, st Settings) (*Estimates, error) {
	s := e.stats
	p, q := s.P, s.Q
	out := &Estimates{}
	w, err := e.Within()
	out.Within = w
	sigma0 := w.Sigma
	if err != nil {
		beta := make([]float64, p)
		rss, rank := e.OLS(beta)
		if s.N <= rank || !(rss > 0) {
			return nil, fmt.Errorf("estimate: σ not estimable: %w", err)
		}
		out.Warnings = append(out.Warnings, fmt.Sprintf("within-group fit failed (%v); pooled OLS σ used as the start", err))
		sigma0 = math.Sqrt(rss / float64(s.N-rank))
	}
	out.Moments = e.Moments(sigma0)
	start := make([]float64, q+1)
	lower := make([]float64, q)
	for k := range q {
		rms := math.Sqrt(e.zSquares(k) / float64(s.N))
		if !(rms > 0) {
			rms = 1
		}
		ref := math.Log(sigma0 / rms)
		lower[k] = ref - st.lowerLogRatio()
		// Start at the moment estimate, or a tenth of the noise scale when
		// it is zero, never at the bound.
		start[k] = math.Max(math.Log(math.Max(out.Moments.SigmaB[k], 0.1*sigma0/rms)), lower[k]+1)
	}
	start[q] = math.Log(sigma0)
	out.ML = e.ML(start, lower, st)
	if !out.ML.Converged {
		out.Warnings = append(out.Warnings, fmt.Sprintf("ML: no convergence in %d Newton iterations", out.ML.Iterations))
	}
	for k, b := range out.ML.AtBoundary {
		if b {
			out.Warnings = append(out.Warnings, fmt.Sprintf("ML: σ_b[%d] at the lower bound exp(%.3g): the likelihood is maximized at σ_b = 0", k, lower[k]))
		}
	}
	if out.ML.Cov == nil {
		out.Warnings = append(out.Warnings, "ML: Hessian not negative definite; standard errors unavailable")
	}
	out.REML = e.REML(start, lower, st)
	if !out.REML.Converged {
		out.Warnings = append(out.Warnings, fmt.Sprintf("REML: no convergence in %d Newton iterations", out.REML.Iterations))
	}
	for k, b := range out.REML.AtBoundary {
		if b {
			out.Warnings = append(out.Warnings, fmt.Sprintf("REML: σ_b[%d] at the lower bound exp(%.3g)", k, lower[k]))
		}
	}
	if prior == nil {
		return out, nil
	}
	// Start the MAP from the ML fit, or from GLS at the moment start when
	// the ML fit failed (a likelihood unbounded as σ → 0, say).
	mapStart := make([]float64, s.Dim()) // correlations, when present, start at zero
	copy(mapStart, out.ML.Theta)
	if !out.ML.Converged {
		e.GLS(mapStart[:p], start[:q], start[q])
		copy(mapStart[p:], start)
	}
	for k := range q {
		mapStart[p+k] = math.Max(mapStart[p+k], lower[k]+st.lowerLogRatio()-3)
	}
	fit, lp := e.MAP(*prior, mapStart, st)
	out.MAP, out.Laplace = &fit, lp
	if !fit.Converged {
		out.Warnings = append(out.Warnings, fmt.Sprintf("MAP: no convergence in %d Newton iterations", fit.Iterations))
	}
	if lp == nil {
		out.Warnings = append(out.Warnings, "MAP: Hessian not negative definite; no Laplace approximation")
	}
	return out, nil
}

// zSquares returns Σ_g (Z_gᵀZ_g)_kk, the sum of squares of random column k.
func (e *Estimator) zSquares(k int) float64 {
	s := e.stats
	q := s.Q
	v := 0.0
	for g := 0; g < s.M; g++ {
		v += s.ZtZ[g*q*q+k*q+k]
	}
	return v
}
