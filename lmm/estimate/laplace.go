package estimate

import (
	"errors"
	"math"
	"math/rand/v2"

	"github.com/metabeta-go/metabeta/internal/linalg"
	"github.com/metabeta-go/metabeta/lmm"
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
	// Diagonal is set when the Hessian at the mode was not negative
	// definite and Cov holds only the inverse diagonal curvature
	// (PosteriorLaplace).
	Diagonal bool
	inv      []float64 // L⁻¹, lower triangular
	// logDetL is log det L = Σ log L_ii = ½ log det Σ, and logNorm
	// −D/2 log 2π − log det L.
	logDetL, logNorm float64
}

// NewLaplace returns N(mean, cov); it copies its arguments and returns
// ErrNotPosDef when cov is not positive definite. It panics on a shape
// mismatch.
func NewLaplace(mean, cov []float64) (*Laplace, error) {
	if len(cov) != len(mean)*len(mean) {
		panic("estimate: NewLaplace: covariance shape mismatch")
	}
	return newLaplaceOwned(append([]float64(nil), mean...), append([]float64(nil), cov...))
}

// newLaplaceOwned is NewLaplace taking ownership of mean and cov.
func newLaplaceOwned(mean, cov []float64) (*Laplace, error) {
	d := len(mean)
	l := &Laplace{
		Mean: mean,
		Cov:  cov,
		Chol: append([]float64(nil), cov...),
		inv:  make([]float64, d*d),
	}
	dinv := make([]float64, d)
	if !linalg.Cholesky(l.Chol, dinv, d) {
		return nil, ErrNotPosDef
	}
	linalg.InvertLower(l.inv, l.Chol, dinv, d)
	for j := 0; j < d; j++ {
		l.logDetL += math.Log(l.Chol[j*d+j])
	}
	l.logNorm = -0.5*float64(d)*log2Pi - l.logDetL
	return l, nil
}

// LogDetChol returns log det L = Σ_i log L_ii, half the log determinant of
// Σ: the log-Jacobian of the whitening map z ↦ μ + Lz.
func (l *Laplace) LogDetChol() float64 { return l.logDetL }

// SD writes the marginal standard deviations √Σ_ii into dst (length D)
// and returns it.
func (l *Laplace) SD(dst []float64) []float64 {
	d := len(l.Mean)
	for i := range dst[:d] {
		dst[i] = math.Sqrt(l.Cov[i*d+i])
	}
	return dst
}

// Whiten writes z = L⁻¹(θ − μ) into dst (length D) and returns it; it
// does not allocate.
func (l *Laplace) Whiten(dst, theta []float64) []float64 {
	d := len(l.Mean)
	if len(theta) != d || len(dst) != d {
		panic("estimate: Laplace.Whiten: length mismatch")
	}
	for i := d - 1; i >= 0; i-- { // row i uses θ_0..θ_i; fill from the last
		u := 0.0
		for k := 0; k <= i; k++ {
			u += l.inv[i*d+k] * (theta[k] - l.Mean[k])
		}
		dst[i] = u
	}
	return dst
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

// ErrNoMode is returned when the log posterior is not finite at the start
// of the mode search, so there is no ascent to follow.
var ErrNoMode = errors.New("estimate: log posterior not finite at the start of the mode search")

// PosteriorLaplace finds the mode θ̂ of the collapsed log posterior
// log p(θ, y) of c (lmm.Collapsed, θ = [βc, log σ_b, log σ]) by damped
// Newton steps (maximize) on the analytic gradient, and returns the Laplace
// approximation N(θ̂, (−H)⁻¹) there, H the symmetrized central-difference
// Hessian of the analytic gradient (hessian). It is the one Laplace
// approximation of the module: MAP, NUTS preconditioning and the neural
// estimator all use it.
//
// The search starts at start (length c.Dim()), or, when start is nil, at
// the least-squares fit of the fixed effects from c's statistics with σ the
// residual SD and every σ_b,k = σ/2, with steps capped at maxLogStep per
// coordinate. The Fit carries the mode, the log density and gradient
// there, the iterations, and SE and Cov from the curvature.
//
// When −H is not positive definite, Fit.Cov is nil, Fit.SE NaN, and the
// returned Laplace is the diagonal approximation with variances
// 1/max(−H_ii, 1e-8) and Diagonal set; callers that need the full
// curvature check Diagonal. It returns ErrNoMode when the log density is
// not finite at the start or no finite Hessian exists at the mode.
func PosteriorLaplace(c *lmm.Collapsed, start []float64, st Settings) (*Laplace, Fit, error) {
	n := c.Dim()
	theta := make([]float64, n)
	maxStep := math.Inf(1)
	if start == nil {
		leastSquaresStart(c.Stats(), theta)
		maxStep = maxLogStep
	} else {
		if len(start) != n {
			panic("estimate: PosteriorLaplace: start length mismatch")
		}
		copy(theta, start)
	}
	ws := newNewtonWork(n)
	r := maximize(c.LogDensityGrad, theta, nil, maxStep, st.tol(), st.maxIter(), ws)
	fit := Fit{Theta: theta, Iterations: r.iterations, Converged: r.converged, Value: r.value,
		Grad: append([]float64(nil), ws.grad...), SE: make([]float64, n)}
	for i := range fit.SE {
		fit.SE[i] = math.NaN()
	}
	if math.IsInf(r.value, -1) || !r.hessAtX && !hessian(c.LogDensityGrad, theta, ws.hess, ws) {
		return nil, fit, ErrNoMode
	}
	lap, err := laplaceFromHessian(theta, ws.hess, ws.chol, ws.dinv)
	if err != nil {
		return nil, fit, err
	}
	if !lap.Diagonal {
		fit.Cov = append([]float64(nil), lap.Cov...)
		for i := range fit.SE {
			fit.SE[i] = math.Sqrt(lap.Cov[i*n+i])
		}
	}
	return lap, fit, nil
}

// laplaceFromHessian returns N(mode, (−H)⁻¹) for the Hessian h, or the
// diagonal approximation (Diagonal set) when −H is not positive definite.
// work (n×n) and dinv (n) are scratch.
func laplaceFromHessian(mode, h, work, dinv []float64) (*Laplace, error) {
	n := len(mode)
	c := work[:n*n]
	for i, v := range h {
		c[i] = -v
	}
	cov := make([]float64, n*n)
	diagonal := !linalg.Cholesky(c, dinv, n)
	if diagonal {
		for i := 0; i < n; i++ {
			cov[i*n+i] = 1 / math.Max(-h[i*n+i], 1e-8)
		}
	} else {
		// Column j of (−H)⁻¹ = L⁻ᵀL⁻¹e_j, written as row j (symmetric).
		for j := 0; j < n; j++ {
			col := cov[j*n : (j+1)*n]
			col[j] = 1
			linalg.CholSolve(c, dinv, n, col)
		}
		for i := 0; i < n; i++ { // symmetrize the rounding
			for j := 0; j < i; j++ {
				v := 0.5 * (cov[i*n+j] + cov[j*n+i])
				cov[i*n+j], cov[j*n+i] = v, v
			}
		}
	}
	lap, err := newLaplaceOwned(append([]float64(nil), mode...), cov)
	if err != nil {
		return nil, err
	}
	lap.Diagonal = diagonal
	return lap, nil
}

// leastSquaresStart writes into theta the least-squares fixed effects of
// s (ridge 1e-8 relative on the diagonal; zero when XᵀX is singular), with
// log σ the log residual SD and every log σ_b,k = log(σ/2).
func leastSquaresStart(s *lmm.Stats, theta []float64) {
	p, q := s.P, s.Q
	a := make([]float64, p*p+2*p)
	copy(a, s.XtX)
	beta, dinv := a[p*p:p*p+p], a[p*p+p:]
	copy(beta, s.XtY)
	for i := 0; i < p; i++ {
		a[i*p+i] += 1e-8 * (1 + a[i*p+i])
	}
	if linalg.Cholesky(a[:p*p], dinv, p) {
		linalg.CholSolve(a[:p*p], dinv, p, beta)
	} else {
		clear(beta)
	}
	rss := s.YtY
	for i := 0; i < p; i++ {
		rss -= beta[i] * s.XtY[i]
	}
	df := float64(max(s.N-p, 1))
	sigma := math.Sqrt(math.Max(rss/df, 1e-8))
	copy(theta, beta)
	if s.Centred.Intercept {
		theta[0] += s.YShift
	}
	for k := 0; k < q; k++ {
		theta[p+k] = math.Log(sigma / 2)
	}
	theta[p+q] = math.Log(sigma)
}
