package sim

import (
	"math"
	"math/rand/v2"
)

// LKJCholesky draws the lower Cholesky factor L of a k×k correlation matrix
// R = LLᵀ from the LKJ distribution, p(R) ∝ det(R)^{η−1}, by the onion
// method (Lewandowski, Kurowicka & Joe 2009, §3.2; in its Cholesky form as
// in numpyro's LKJCholesky). Row 0 of L is e₀; row i ≥ 1 is
//
//	(√y_i · u_i, √(1 − y_i), 0, …),  y_i ~ Beta(i/2, η + (k−2)/2 − (i−1)/2),
//
// with u_i uniform on the unit sphere in ℝⁱ, so every row has unit norm and
// every off-diagonal correlation is marginally 2·Beta(η+(k−2)/2, η+(k−2)/2) − 1.
//
// L is written row-major into dst (length k·k, upper triangle zeroed) and
// dst is returned; a nil dst is allocated. It panics if len(dst) ≠ k·k or
// η ≤ 0.
func LKJCholesky(rng *rand.Rand, k int, eta float64, dst []float64) []float64 {
	if dst == nil {
		dst = make([]float64, k*k)
	}
	if len(dst) != k*k {
		panic("sim: LKJCholesky: len(dst) != k·k")
	}
	if !(eta > 0) {
		panic("sim: LKJCholesky: η must be positive")
	}
	clear(dst)
	if k == 0 {
		return dst
	}
	dst[0] = 1
	marginal := eta + float64(k-2)/2
	for i := 1; i < k; i++ {
		y := beta(rng, float64(i)/2, marginal-float64(i-1)/2)
		row := dst[i*k : i*k+i]
		norm := 0.0
		for j := range row {
			row[j] = rng.NormFloat64()
			norm += row[j] * row[j]
		}
		scale := math.Sqrt(y / norm)
		for j := range row {
			row[j] *= scale
		}
		dst[i*k+i] = math.Sqrt(1 - y)
	}
	return dst
}
