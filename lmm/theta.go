package lmm

import (
	"fmt"
	"math"
)

// This file converts between the unconstrained parameter vector θ used by
// the densities of this package (and by the samplers and the NPE) and the
// natural-scale Params:
//
//	θ = [βc (P), log σ_b (Q), log σ (1), y (NCor)]            collapsed, length Dim
//	θ = [βc (P), log σ_b (Q), log σ (1), y (NCor), z (M·Q)]   joint, z group-major
//
// βc are the coefficients in the centred parametrization (see Centred) and
// y the unconstrained correlations (see CorCholesky).

// Params returns the natural-scale global parameters for the first Dim
// entries of θ: original-scale β, σ_b = exp(log σ_b), σ = exp(log σ) and the
// correlations of CorCholesky(y). It allocates the result and panics if θ
// is shorter than Dim.
func (s *Stats) Params(theta []float64) Params {
	if len(theta) < s.Dim() {
		panic("lmm: Params: theta shorter than P+Q+1+NCor")
	}
	pr := Params{
		Beta:   make([]float64, s.P),
		SigmaB: make([]float64, s.Q),
		Sigma:  math.Exp(theta[s.P+s.Q]),
	}
	s.Centred.ToOriginal(pr.Beta, theta[:s.P])
	for k := range pr.SigmaB {
		pr.SigmaB[k] = math.Exp(theta[s.P+k])
	}
	if s.NCor > 0 {
		l := make([]float64, s.Q*s.Q)
		corCholesky(l, theta[s.P+s.Q+1:s.Dim()], s.Q)
		pr.Cor = CorFromCholesky(make([]float64, s.NCor), l, s.Q)
	}
	return pr
}

// Theta writes the collapsed unconstrained vector for pr into dst (length
// Dim) and returns dst. Zero standard deviations map to −Inf. It panics on a
// length mismatch or correlations that do not form a positive definite
// matrix.
func (s *Stats) Theta(dst []float64, pr Params) []float64 {
	if len(dst) != s.Dim() || len(pr.Beta) != s.P || len(pr.SigmaB) != s.Q || len(pr.Cor) != s.NCor {
		panic("lmm: Theta: length mismatch")
	}
	s.Centred.ToCentred(dst[:s.P], pr.Beta)
	for k, v := range pr.SigmaB {
		dst[s.P+k] = math.Log(v)
	}
	dst[s.P+s.Q] = math.Log(pr.Sigma)
	if s.NCor > 0 {
		if err := CorUnconstrain(dst[s.P+s.Q+1:], pr.Cor, s.Q); err != nil {
			panic(fmt.Sprintf("lmm: Theta: %v", err))
		}
	}
	return dst
}

// Natural writes into dst (length Dim) the natural-scale global parameters
// for the first Dim entries of θ, in the order of Design.Names: original-scale
// β, σ_b, σ, then the correlations. chol is Q×Q scratch for the Cholesky
// factor of the correlations (may be nil when NCor = 0). It is Params
// without allocating, for per-draw use; it returns dst.
func (s *Stats) Natural(dst, theta, chol []float64) []float64 {
	d := s.Dim()
	if len(dst) != d || len(theta) < d {
		panic("lmm: Natural: length mismatch")
	}
	p, h := s.P, s.P+s.Q+1
	s.Centred.ToOriginal(dst[:p], theta[:p])
	for k := p; k < h; k++ {
		dst[k] = math.Exp(theta[k])
	}
	if s.NCor > 0 {
		corCholesky(chol, theta[h:d], s.Q)
		CorFromCholesky(dst[h:d], chol, s.Q)
	}
	return dst
}
