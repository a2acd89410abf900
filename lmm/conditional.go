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
	if s.NCor > 0 {
		return m.conditionalMomentsCor(s2, mean, cov)
	}
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
	cor := s.NCor > 0
	for g := 0; g < s.M; g++ {
		if !m.factor(g) {
			return false
		}
		e := ws.u // u_g is no longer needed once w_g is known
		for a := range e {
			e[a] = rng.NormFloat64()
		}
		linalg.SolveLowerT(ws.chol, ws.dinv, q, e)
		b := dst[g*q : (g+1)*q]
		if cor {
			for a := 0; a < q; a++ {
				e[a] += ws.w[a] / s2
			}
			m.lamTimes(b, e)
			continue
		}
		for a := 0; a < q; a++ {
			b[a] = ws.sb[a] * (ws.w[a]/s2 + e[a])
		}
	}
	return true
}

// conditionalMomentsCor is ConditionalMoments for a correlated model:
// μ_g = Λ w_g / σ² and Σ_g = Λ A_g⁻¹ Λᵀ.
func (m *Marginal) conditionalMomentsCor(s2 float64, mean, cov []float64) bool {
	s, ws := m.stats, &m.ws
	cw := &ws.cor
	q := s.Q
	for g := 0; g < s.M; g++ {
		if !m.factorGroupCor(g) {
			return false
		}
		for a := range ws.w {
			ws.w[a] /= s2
		}
		m.lamTimes(mean[g*q:(g+1)*q], ws.w)
		// Σ_g = (Λ L_A⁻ᵀ)(Λ L_A⁻ᵀ)ᵀ; row a of Λ L_A⁻ᵀ is Σ_c Λ_ac (L_A⁻¹)_jc over j.
		linalg.InvertLower(ws.linv, ws.chol, ws.dinv, q)
		t := cw.gLam // scratch: T = Λ L_A⁻ᵀ, T_aj = Σ_{c≤a} Λ_ac (L_A⁻¹)_jc
		for a := 0; a < q; a++ {
			for j := 0; j < q; j++ {
				v := 0.0
				for c := 0; c <= min(a, j); c++ {
					v += cw.lam[a*q+c] * ws.linv[j*q+c]
				}
				t[a*q+j] = v
			}
		}
		blk := cov[g*q*q : (g+1)*q*q]
		for a := 0; a < q; a++ {
			for b := 0; b <= a; b++ {
				v := 0.0
				for j := 0; j < q; j++ {
					v += t[a*q+j] * t[b*q+j]
				}
				blk[a*q+b], blk[b*q+a] = v, v
			}
		}
	}
	return true
}

// factor is factorGroup or factorGroupCor, as the model needs.
func (m *Marginal) factor(g int) bool {
	if m.stats.NCor > 0 {
		return m.factorGroupCor(g)
	}
	return m.factorGroup(g)
}

// prepareConditional loads θ into the workspace and returns σ².
func (m *Marginal) prepareConditional(theta []float64) float64 {
	s := m.stats
	m.setup(theta)
	s2 := math.Exp(2 * theta[s.P+s.Q])
	if s.NCor > 0 {
		m.setupCor(theta, s2)
	} else {
		m.scaleSigmaB(s2)
	}
	return s2
}
