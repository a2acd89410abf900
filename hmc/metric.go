package hmc

import (
	"errors"
	"math"
	"math/rand/v2"
)

// Metric is a Euclidean metric (mass matrix M) on momentum space. The
// kinetic energy is T(p) = ½·pᵀM⁻¹p, momenta are drawn from N(0, M), and
// the velocity ("sharp" momentum, Stan's dtau_dp) is p♯ = M⁻¹p.
type Metric interface {
	// Dim is the dimension of the momentum space.
	Dim() int
	// SampleMomentum overwrites p with a draw from N(0, M).
	SampleMomentum(rng *rand.Rand, p []float64)
	// Kinetic returns T(p) = ½·pᵀM⁻¹p.
	Kinetic(p []float64) float64
	// Velocity writes p♯ = M⁻¹p into dst.
	Velocity(dst, p []float64)
}

// ErrNotPosDef is returned when a dense inverse metric is not positive
// definite, and when a diagonal one has a non-positive or non-finite entry.
var ErrNotPosDef = errors.New("hmc: inverse metric not positive definite")

// DiagMetric is the diagonal Euclidean metric of Stan's diag_e: M⁻¹ =
// diag(InvMass). Momenta are drawn as p_i = z_i/√InvMass_i with z_i ~ N(0,1).
type DiagMetric struct {
	invMass []float64
}

var (
	_ Metric = (*DiagMetric)(nil)
	_ Metric = (*DenseMetric)(nil)
)

// NewDiagMetric returns the identity diagonal metric of dimension dim.
func NewDiagMetric(dim int) *DiagMetric {
	m := &DiagMetric{invMass: make([]float64, dim)}
	for i := range m.invMass {
		m.invMass[i] = 1
	}
	return m
}

// Dim implements Metric.
func (m *DiagMetric) Dim() int { return len(m.invMass) }

// InvMass returns a copy of the diagonal of M⁻¹.
func (m *DiagMetric) InvMass() []float64 { return append([]float64(nil), m.invMass...) }

// SetInvMass sets the diagonal of M⁻¹. It panics on a length mismatch and
// returns ErrNotPosDef if an entry is not finite and positive.
func (m *DiagMetric) SetInvMass(v []float64) error {
	if len(v) != len(m.invMass) {
		panic(errDimMismatch)
	}
	for _, x := range v {
		if !(x > 0) || math.IsInf(x, 0) {
			return ErrNotPosDef
		}
	}
	copy(m.invMass, v)
	return nil
}

// SampleMomentum implements Metric.
func (m *DiagMetric) SampleMomentum(rng *rand.Rand, p []float64) {
	for i, w := range m.invMass {
		p[i] = rng.NormFloat64() / math.Sqrt(w)
	}
}

// Kinetic implements Metric.
func (m *DiagMetric) Kinetic(p []float64) float64 {
	var t float64
	for i, w := range m.invMass {
		t += w * p[i] * p[i]
	}
	return 0.5 * t
}

// Velocity implements Metric.
func (m *DiagMetric) Velocity(dst, p []float64) {
	for i, w := range m.invMass {
		dst[i] = w * p[i]
	}
}

// DenseMetric is the dense Euclidean metric of Stan's dense_e. M⁻¹ = LLᵀ is
// stored with its lower Cholesky factor L; momenta are drawn as p = L⁻ᵀz,
// z ~ N(0, I), so that Cov(p) = (LLᵀ)⁻¹ = M.
type DenseMetric struct {
	dim     int
	invMass []float64 // row-major dim×dim
	chol    []float64 // row-major lower factor of invMass
	z       []float64 // scratch for SampleMomentum
}

// NewDenseMetric returns the identity dense metric of dimension dim.
func NewDenseMetric(dim int) *DenseMetric {
	m := &DenseMetric{dim: dim, invMass: make([]float64, dim*dim), chol: make([]float64, dim*dim), z: make([]float64, dim)}
	for i := 0; i < dim; i++ {
		m.invMass[i*dim+i] = 1
		m.chol[i*dim+i] = 1
	}
	return m
}

// Dim implements Metric.
func (m *DenseMetric) Dim() int { return m.dim }

// InvMass returns a copy of M⁻¹, row-major dim×dim.
func (m *DenseMetric) InvMass() []float64 { return append([]float64(nil), m.invMass...) }

// SetInvMass sets M⁻¹ from a row-major dim×dim symmetric matrix. It panics
// on a length mismatch and returns ErrNotPosDef if the Cholesky
// factorization fails; the metric is then left unchanged.
func (m *DenseMetric) SetInvMass(v []float64) error {
	n := m.dim
	if len(v) != n*n {
		panic(errDimMismatch)
	}
	l := make([]float64, n*n)
	for j := 0; j < n; j++ {
		d := v[j*n+j]
		for k := 0; k < j; k++ {
			d -= l[j*n+k] * l[j*n+k]
		}
		if !(d > 0) || math.IsInf(d, 0) {
			return ErrNotPosDef
		}
		ljj := math.Sqrt(d)
		l[j*n+j] = ljj
		for i := j + 1; i < n; i++ {
			s := v[i*n+j]
			for k := 0; k < j; k++ {
				s -= l[i*n+k] * l[j*n+k]
			}
			l[i*n+j] = s / ljj
		}
	}
	copy(m.invMass, v)
	m.chol = l
	return nil
}

// SampleMomentum implements Metric: it solves Lᵀp = z by back substitution.
func (m *DenseMetric) SampleMomentum(rng *rand.Rand, p []float64) {
	n := m.dim
	for i := range m.z {
		m.z[i] = rng.NormFloat64()
	}
	for i := n - 1; i >= 0; i-- {
		s := m.z[i]
		for k := i + 1; k < n; k++ {
			s -= m.chol[k*n+i] * p[k]
		}
		p[i] = s / m.chol[i*n+i]
	}
}

// Kinetic implements Metric.
func (m *DenseMetric) Kinetic(p []float64) float64 {
	n := m.dim
	var t float64
	for i := 0; i < n; i++ {
		row := m.invMass[i*n : (i+1)*n]
		var s float64
		for j, a := range row {
			s += a * p[j]
		}
		t += p[i] * s
	}
	return 0.5 * t
}

// Velocity implements Metric.
func (m *DenseMetric) Velocity(dst, p []float64) {
	n := m.dim
	for i := 0; i < n; i++ {
		row := m.invMass[i*n : (i+1)*n]
		var s float64
		for j, a := range row {
			s += a * p[j]
		}
		dst[i] = s
	}
}
