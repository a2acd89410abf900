package lmm

import (
	"math"

	"github.com/metabeta-go/metabeta/internal/linalg"
)

// This file is the marginal likelihood for correlated random effects,
// b_g ~ N(0, ΛΛᵀ) with the lower-triangular relative factor Λ = S L, S =
// diag(σ_b) and L the Cholesky factor of the correlation matrix (see
// CorCholesky). The formulas of Marginal hold with S replaced by Λ (package
// documentation, "Correlated random effects"):
//
//	A_g = I + Λᵀ Z_gᵀZ_g Λ / σ²,   u_g = Λᵀ Z_gᵀr_g,   w_g = A_g⁻¹u_g,
//
// and, with G_g = Z_gᵀZ_g and c_g = Z_gᵀr_g, the gradient with respect to
// the lower triangle of Λ is
//
//	∂ℓ/∂Λ = Σ_g [ −G_g Λ A_g⁻¹ / σ² + (c_g − G_g Λ w_g / σ²) w_gᵀ / σ⁴ ],
//
// from ∂ log det A = 2 tr(A⁻¹ΛᵀG ∂Λ)/σ² and ∂(uᵀA⁻¹u) = 2 wᵀ∂Λᵀc −
// 2 wᵀΛᵀG ∂Λ w/σ². Then ∂/∂log σ_b,i = Σ_j Λ_ij ∂ℓ/∂Λ_ij, ∂ℓ/∂L_ij =
// σ_b,i ∂ℓ/∂Λ_ij, and corCholeskyBackward carries the latter to y. The
// gradients in β and log σ keep their form, with S w_g replaced by Λ w_g.

// corWork is the extra scratch space of a Marginal on a correlated model.
type corWork struct {
	l    []float64 // Cholesky factor of Ω, Q×Q
	lam  []float64 // Λ = S L, Q×Q lower
	lamS []float64 // Λ / σ, Q×Q lower
	glam []float64 // ∂ℓ/∂Λ, Q×Q (lower used)
	gLam []float64 // G_g Λ, Q×Q
	ainv []float64 // A_g⁻¹, Q×Q
	lw   []float64 // Λ w_g, length Q
	v    []float64 // c_g − G_g Λ w_g / σ², length Q
}

func newCorWork(q int) corWork {
	return corWork{
		l: make([]float64, q*q), lam: make([]float64, q*q), lamS: make([]float64, q*q),
		glam: make([]float64, q*q), gLam: make([]float64, q*q),
		ainv: make([]float64, q*q), lw: make([]float64, q), v: make([]float64, q),
	}
}

// setupCor computes L from the correlation coordinates of θ and Λ = S L,
// Λ/σ from ws.sb and σ². It needs ws.sb set (residualSetup).
func (m *Marginal) setupCor(theta []float64, s2 float64) {
	s, cw := m.stats, &m.ws.cor
	q := s.Q
	corCholesky(cw.l, theta[s.P+q+1:s.Dim()], q)
	r := 1 / math.Sqrt(s2)
	for i := 0; i < q; i++ {
		for j := 0; j <= i; j++ {
			v := m.ws.sb[i] * cw.l[i*q+j]
			cw.lam[i*q+j] = v
			cw.lamS[i*q+j] = v * r
		}
	}
}

// factorGroupCor is factorGroup for a correlated model: Z_gᵀr_g in ws.ztr,
// u_g = ΛᵀZ_gᵀr_g, the Cholesky factor of A_g = I + (Λ/σ)ᵀG_g(Λ/σ) and
// w_g = A_g⁻¹u_g. It needs setupCor.
func (m *Marginal) factorGroupCor(g int) bool {
	s, ws := m.stats, &m.ws
	cw := &ws.cor
	q := s.Q
	groupResidual(s, g, ws.beta, ws.ztr)
	ztz := s.ZtZ[g*q*q : (g+1)*q*q]
	// gLam = G (Λ/σ), then A = I + (Λ/σ)ᵀ gLam (lower triangle).
	for a := 0; a < q; a++ {
		for b := 0; b < q; b++ {
			v := 0.0
			for c := b; c < q; c++ {
				v += ztz[a*q+c] * cw.lamS[c*q+b]
			}
			cw.gLam[a*q+b] = v
		}
	}
	for a := 0; a < q; a++ {
		u := 0.0
		for c := a; c < q; c++ {
			u += cw.lam[c*q+a] * ws.ztr[c]
		}
		ws.u[a] = u
		for b := 0; b <= a; b++ {
			v := 0.0
			for c := a; c < q; c++ {
				v += cw.lamS[c*q+a] * cw.gLam[c*q+b]
			}
			ws.chol[a*q+b] = v
		}
		ws.chol[a*q+a]++
	}
	if !linalg.Cholesky(ws.chol, ws.dinv, q) {
		return false
	}
	copy(ws.w, ws.u)
	linalg.CholSolve(ws.chol, ws.dinv, q, ws.w)
	return true
}

// lamTimes writes Λv into dst for the lower-triangular Λ of ws.cor.lam.
func (m *Marginal) lamTimes(dst, v []float64) {
	q, lam := m.stats.Q, m.ws.cor.lam
	for a := 0; a < q; a++ {
		x := 0.0
		for c := 0; c <= a; c++ {
			x += lam[a*q+c] * v[c]
		}
		dst[a] = x
	}
}

// evalCor is eval for a correlated model.
func (m *Marginal) evalCor(theta, grad []float64) float64 {
	s, ws := m.stats, &m.ws
	cw := &ws.cor
	p, q := s.P, s.Q
	logSigma := theta[p+q]
	s2 := math.Exp(2 * logSigma)
	rtr := m.setup(theta)
	m.setupCor(theta, s2)
	invS2 := 1 / s2
	logDet, quadW, traceInv, wtw := 0.0, 0.0, 0.0, 0.0
	if grad != nil {
		clear(grad)
		clear(ws.gb)
		clear(cw.glam)
	}
	for g := 0; g < s.M; g++ {
		if !m.factorGroupCor(g) {
			clear(grad)
			return math.Inf(-1)
		}
		for a := 0; a < q; a++ {
			logDet += 2 * math.Log(ws.chol[a*q+a])
		}
		quadW += dot(ws.u, ws.w)
		if grad == nil {
			continue
		}
		m.groupGradCor(g, invS2)
		for a := 0; a < q; a++ {
			traceInv += cw.ainv[a*q+a]
		}
		wtw += dot(ws.w, ws.w)
	}
	ll := m.assemble(grad, marginalSums{logSigma, rtr, logDet, quadW, traceInv, wtw})
	if grad != nil && !math.IsInf(ll, -1) {
		y := theta[p+q+1 : s.Dim()]
		relFactorBackward(grad[p:p+q], grad[p+q+1:s.Dim()], cw.glam, ws.sb, cw.l, y, q)
	}
	return ll
}

// groupGradCor adds group g's terms to ws.gb (Σ_g (Z_gᵀXc_g)ᵀΛw_g) and
// ws.cor.glam (∂ℓ/∂Λ), and leaves A_g⁻¹ in ws.cor.ainv. It needs
// factorGroupCor(g).
func (m *Marginal) groupGradCor(g int, invS2 float64) {
	s, ws := m.stats, &m.ws
	cw := &ws.cor
	p, q := s.P, s.Q
	linalg.InvertLower(ws.linv, ws.chol, ws.dinv, q)
	for a := 0; a < q; a++ {
		for b := 0; b <= a; b++ {
			v := 0.0
			for j := a; j < q; j++ {
				v += ws.linv[j*q+a] * ws.linv[j*q+b]
			}
			cw.ainv[a*q+b], cw.ainv[b*q+a] = v, v
		}
	}
	m.lamTimes(cw.lw, ws.w)
	ztz := s.ZtZ[g*q*q : (g+1)*q*q]
	for a := 0; a < q; a++ {
		// v = c − G Λ w / σ²
		gl := 0.0
		for c := 0; c < q; c++ {
			gl += ztz[a*q+c] * cw.lw[c]
		}
		cw.v[a] = ws.ztr[a] - gl*invS2
		ztx := s.ZtX[(g*q+a)*p : (g*q+a+1)*p]
		for b, x := range ztx {
			ws.gb[b] += x * cw.lw[a]
		}
	}
	// cw.gLam holds G Λ/σ, so −G Λ A⁻¹/σ² = −(G Λ/σ) A⁻¹ / σ.
	invS := math.Sqrt(invS2)
	invS4 := invS2 * invS2
	for a := 0; a < q; a++ {
		for b := 0; b <= a; b++ {
			x := 0.0
			for c := 0; c < q; c++ {
				x += cw.gLam[a*q+c] * cw.ainv[c*q+b]
			}
			cw.glam[a*q+b] += -x*invS + cw.v[a]*ws.w[b]*invS4
		}
	}
}

// relFactorBackward carries glam = ∂/∂Λ (lower triangle of a Q×Q
// row-major matrix, overwritten) to the log σ_b entries gLogSB and the
// correlation entries gy: with Λ = diag(σ_b) L,
// ∂/∂log σ_b,i = Σ_j Λ_ij ∂/∂Λ_ij and ∂/∂L_ij = σ_b,i ∂/∂Λ_ij, then
// corCholeskyBackward from L to y. It adds to gLogSB and gy.
func relFactorBackward(gLogSB, gy, glam, sb, l, y []float64, q int) {
	for i := 0; i < q; i++ {
		gs := 0.0
		for j := 0; j <= i; j++ {
			glam[i*q+j] *= sb[i]
			gs += l[i*q+j] * glam[i*q+j]
		}
		gLogSB[i] += gs
	}
	corCholeskyBackward(gy, glam, y, l, nil, false, q)
}
