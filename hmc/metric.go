package hmc

import (
	"errors"
	"math"
	"math/rand/v2"

	"github.com/metabeta-go/metabeta/internal/linalg"
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
	dinv    []float64 // 1/diag(chol)
	// tryChol and tryDinv hold a factorization in progress, so that a
	// failed SetInvMass leaves the metric unchanged without allocating.
	tryChol, tryDinv []float64
}

// NewDenseMetric returns the identity dense metric of dimension dim.
func NewDenseMetric(dim int) *DenseMetric {
	m := &DenseMetric{dim: dim, invMass: make([]float64, dim*dim), chol: make([]float64, dim*dim), dinv: make([]float64, dim),
		tryChol: make([]float64, dim*dim), tryDinv: make([]float64, dim)}
	for i := 0; i < dim; i++ {
		m.invMass[i*dim+i] = 1
		m.chol[i*dim+i] = 1
		m.dinv[i] = 1
	}
	return m
}

// Dim implements Metric.
func (m *DenseMetric) Dim() int { return m.dim }

// InvMass returns a copy of M⁻¹, row-major dim×dim.
func (m *DenseMetric) InvMass() []float64 { return append([]float64(nil), m.invMass...) }

// SetInvMass sets M⁻¹ from a row-major dim×dim symmetric matrix (only its
// lower triangle is read). It panics on a length mismatch and returns
// ErrNotPosDef if the Cholesky factorization fails; the metric is then left
// unchanged.
func (m *DenseMetric) SetInvMass(v []float64) error {
	n := m.dim
	if len(v) != n*n {
		panic(errDimMismatch)
	}
	copy(m.tryChol, v)
	if !linalg.Cholesky(m.tryChol, m.tryDinv, n) {
		return ErrNotPosDef
	}
	copy(m.invMass, v)
	m.chol, m.tryChol = m.tryChol, m.chol
	m.dinv, m.tryDinv = m.tryDinv, m.dinv
	return nil
}

// SampleMomentum implements Metric: it draws z ~ N(0, I) into p and solves
// Lᵀp = z in place by back substitution.
func (m *DenseMetric) SampleMomentum(rng *rand.Rand, p []float64) {
	p = p[:m.dim]
	for i := range p {
		p[i] = rng.NormFloat64()
	}
	linalg.SolveLowerT(m.chol, m.dinv, m.dim, p)
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
