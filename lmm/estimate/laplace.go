package estimate

import (
	"errors"
	"math"
	"math/rand/v2"
)

// ErrNotPosDef is returned when a covariance matrix is not positive
// definite.
var ErrNotPosDef = errors.New("estimate: covariance not positive definite")

// Laplace is a multivariate normal N(μ, Σ) on the collapsed θ, the Laplace
// approximation of a posterior at its mode (Tierney & Kadane 1986): μ the
// mode and Σ = (−H)⁻¹ the inverse negative Hessian of the log density.
type Laplace struct {
	Mean []float64 // μ, length D
	Cov  []float64 // Σ, D×D row-major
	Chol []float64 // lower-triangular L with Σ = L Lᵀ, D×D row-major
	inv  []float64 // L⁻¹, lower triangular
	// logNorm is −D/2 log 2π − log det L.
	logNorm float64
}

// NewLaplace returns N(mean, cov); it copies its arguments and returns
// ErrNotPosDef when cov is not positive definite. It panics on a shape
// mismatch.
func NewLaplace(mean, cov []float64) (*Laplace, error) {
	d := len(mean)
	if len(cov) != d*d {
		panic("estimate: NewLaplace: covariance shape mismatch")
	}
	l := &Laplace{
		Mean: append([]float64(nil), mean...),
		Cov:  append([]float64(nil), cov...),
		Chol: append([]float64(nil), cov...),
		inv:  make([]float64, d*d),
	}
	if !cholesky(l.Chol, d) {
		return nil, ErrNotPosDef
	}
	l.logNorm = -0.5 * float64(d) * log2Pi
	for j := 0; j < d; j++ {
		l.logNorm -= math.Log(l.Chol[j*d+j])
		l.inv[j*d+j] = 1 / l.Chol[j*d+j]
		for i := j + 1; i < d; i++ {
			s := 0.0
			for k := j; k < i; k++ {
				s -= l.Chol[i*d+k] * l.inv[k*d+j]
			}
			l.inv[i*d+j] = s / l.Chol[i*d+i]
		}
	}
	return l, nil
}

// Dim returns D.
func (l *Laplace) Dim() int { return len(l.Mean) }

// Sample writes a draw μ + Lz, z ~ N(0, I), into dst (length D) and
// returns it. It does not allocate.
func (l *Laplace) Sample(rng *rand.Rand, dst []float64) []float64 {
	d := len(l.Mean)
	if len(dst) != d {
		panic("estimate: Laplace.Sample: length mismatch")
	}
	for i := range dst {
		dst[i] = rng.NormFloat64()
	}
	// Row i of L uses z_0..z_i, so filling from the last row keeps the
	// z still needed.
	for i := d - 1; i >= 0; i-- {
		v := 0.0
		for k := 0; k <= i; k++ {
			v += l.Chol[i*d+k] * dst[k]
		}
		dst[i] = l.Mean[i] + v
	}
	return dst
}

// LogDensity returns log N(θ | μ, Σ). It does not allocate.
func (l *Laplace) LogDensity(theta []float64) float64 {
	d := len(l.Mean)
	if len(theta) != d {
		panic("estimate: Laplace.LogDensity: length mismatch")
	}
	q := 0.0
	for i := 0; i < d; i++ {
		u := 0.0
		for k := 0; k <= i; k++ {
			u += l.inv[i*d+k] * (theta[k] - l.Mean[k])
		}
		q += u * u
	}
	return l.logNorm - 0.5*q
}
