package lmm

import "math"

// This file converts between the unconstrained parameter vector θ used by
// the densities of this package (and by the samplers and the NPE) and the
// natural-scale Params:
//
//	θ = [βc (P), log σ_b (Q), log σ (1)]            collapsed, length P+Q+1
//	θ = [βc (P), log σ_b (Q), log σ (1), z (M·Q)]   joint, z group-major
//
// βc are the coefficients in the centred parametrization (see Centred).

// Params returns the natural-scale global parameters for the first P+Q+1
// entries of θ: original-scale β, σ_b = exp(log σ_b) and σ = exp(log σ).
// It allocates the result and panics if θ is shorter than P+Q+1.
func (s *Stats) Params(theta []float64) Params {
	if len(theta) < s.Dim() {
		panic("lmm: Params: theta shorter than P+Q+1")
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
	return pr
}

// Theta writes the collapsed unconstrained vector for pr into dst (length
// P+Q+1) and returns dst. Zero standard deviations map to −Inf. It panics on
// a length mismatch.
func (s *Stats) Theta(dst []float64, pr Params) []float64 {
	if len(dst) != s.Dim() || len(pr.Beta) != s.P || len(pr.SigmaB) != s.Q {
		panic("lmm: Theta: length mismatch")
	}
	s.Centred.ToCentred(dst[:s.P], pr.Beta)
	for k, v := range pr.SigmaB {
		dst[s.P+k] = math.Log(v)
	}
	dst[s.P+s.Q] = math.Log(pr.Sigma)
	return dst
}
