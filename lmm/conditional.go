package lmm

import (
	"math"
	"math/rand/v2"

	"github.com/metabeta-go/metabeta/internal/linalg"
)

// This file holds the exact conditional posterior of the random effects,
// which is Gaussian and independent across groups given the global
// parameters:
//
//	p(b_g | β, σ_b, σ, y) = N(μ_g, Σ_g),
//	Σ_g = S A_g⁻¹ S,   μ_g = Σ_g Z_gᵀ(y_g − X_g β) / σ² = S w_g / σ²,
//
// with S, A_g and w_g as in Marginal (Henderson's mixed-model equations in
// the scaled form of Bates et al. 2015).

// ConditionalMoments writes the mean and covariance of p(b | θ, y) for the
// collapsed θ: mean has length M·Q (group-major, b[g*Q+k], original scale)
// and cov length M·Q·Q (the Q×Q row-major block of each group in turn). It
// reports false, leaving mean and cov unspecified, when θ is not finite. It
// panics on a length mismatch and does not allocate.
func (c *Collapsed) ConditionalMoments(theta, mean, cov []float64) bool {
	return c.marginal.ConditionalMoments(theta, mean, cov)
}

// SampleRandomEffects draws b ~ p(b | θ, y) for the collapsed θ into dst
// (length M·Q, group-major, original scale) using rng. It reports false,
// leaving dst unspecified, when θ is not finite. It panics on a length
// mismatch and does not allocate.
func (c *Collapsed) SampleRandomEffects(rng *rand.Rand, theta, dst []float64) bool {
	return c.marginal.SampleRandomEffects(rng, theta, dst)
}

// ConditionalMoments is Collapsed.ConditionalMoments on the evaluator m.
func (m *Marginal) ConditionalMoments(theta, mean, cov []float64) bool {
	s, ws := m.stats, &m.ws
	q := s.Q
	if len(theta) != s.Dim() || len(mean) != s.M*q || len(cov) != s.M*q*q {
		panic("lmm: ConditionalMoments: length mismatch")
	}
	if !allFinite(theta) {
		return false
	}
	s2 := m.prepareConditional(theta)
	for g := 0; g < s.M; g++ {
		if !m.factorGroup(g) {
			return false
		}
		linalg.InvertLower(ws.linv, ws.chol, ws.dinv, q)
		mu := mean[g*q : (g+1)*q]
		for a := 0; a < q; a++ {
			mu[a] = ws.sb[a] * ws.w[a] / s2
		}
		// Σ_g = S L⁻ᵀ L⁻¹ S: entry (a, b) = σ_b,a σ_b,b Σ_j (L⁻¹)_ja (L⁻¹)_jb.
		blk := cov[g*q*q : (g+1)*q*q]
		for a := 0; a < q; a++ {
			for b := 0; b <= a; b++ {
				v := 0.0
				for j := a; j < q; j++ {
					v += ws.linv[j*q+a] * ws.linv[j*q+b]
				}
				v *= ws.sb[a] * ws.sb[b]
				blk[a*q+b], blk[b*q+a] = v, v
			}
		}
	}
	return true
}

// SampleRandomEffects is Collapsed.SampleRandomEffects on the evaluator m.
// Each group's draw is b_g = μ_g + S L_g⁻ᵀ ε_g with ε_g ~ N(0, I) and
// A_g = L_g L_gᵀ, whose covariance is S A_g⁻¹ S = Σ_g.
func (m *Marginal) SampleRandomEffects(rng *rand.Rand, theta, dst []float64) bool {
	s, ws := m.stats, &m.ws
	q := s.Q
	if len(theta) != s.Dim() || len(dst) != s.M*q {
		panic("lmm: SampleRandomEffects: length mismatch")
	}
	if !allFinite(theta) {
		return false
	}
	s2 := m.prepareConditional(theta)
	for g := 0; g < s.M; g++ {
		if !m.factorGroup(g) {
			return false
		}
		e := ws.u // u_g is no longer needed once w_g is known
		for a := range e {
			e[a] = rng.NormFloat64()
		}
		linalg.SolveLowerT(ws.chol, ws.dinv, q, e)
		b := dst[g*q : (g+1)*q]
		for a := 0; a < q; a++ {
			b[a] = ws.sb[a] * (ws.w[a]/s2 + e[a])
		}
	}
	return true
}

// prepareConditional loads θ into the workspace and returns σ².
func (m *Marginal) prepareConditional(theta []float64) float64 {
	s := m.stats
	m.setup(theta)
	s2 := math.Exp(2 * theta[s.P+s.Q])
	m.scaleSigmaB(s2)
	return s2
}
