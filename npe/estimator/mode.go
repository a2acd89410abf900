package estimator

import (
	"errors"
	"math"

	"github.com/metabeta-go/metabeta/lmm"
)

// errNoMode is returned when the posterior mode search fails numerically.
var errNoMode = errors.New("estimator: posterior mode search failed")

// laplace is the Laplace approximation of p(θ | y) in the coordinates of a
// Collapsed target: the mode θ̂ of log p(θ, y) and the marginal standard
// deviations SD_i = √((−∇² log p)⁻¹)_ii at the mode.
type laplace struct {
	Mode []float64
	SD   []float64
}

// Bounds applied to the Laplace standard deviations used to scale the flow
// target: beyond them the scaling would only amplify rounding noise.
const (
	minLaplaceSD = 1e-4
	maxLaplaceSD = 10
)

// findLaplace maximizes log p(θ, y) of c by damped Newton steps with a
// central finite-difference Hessian of the exact gradient and returns the
// Laplace approximation at the mode. The search starts from the least-squares
// fit of the fixed effects (from c's sufficient statistics), with σ the
// residual SD and every σ_b,k = σ/2.
func findLaplace(c *lmm.Collapsed) (laplace, error) {
	s := c.Stats()
	dim := s.Dim()
	theta := make([]float64, dim)
	startingPoint(s, theta)
	grad := make([]float64, dim)
	hess := make([]float64, dim*dim)
	step := make([]float64, dim)
	trial := make([]float64, dim)
	work := newFDWork(dim)
	lp := c.LogDensityGrad(theta, grad)
	if math.IsInf(lp, -1) {
		return laplace{}, errNoMode
	}
	for iter := 0; iter < maxNewtonSteps; iter++ {
		hessianFD(c, theta, hess, work)
		lpNew, ok := newtonStep(c, theta, grad, hess, step, trial, lp, work)
		if !ok {
			break
		}
		converged := lpNew-lp < 1e-10 && maxAbs(grad) < 1e-6
		lp = lpNew
		if converged || maxAbs(grad) < 1e-8 {
			break
		}
	}
	hessianFD(c, theta, hess, work)
	sd := make([]float64, dim)
	if !posteriorSD(hess, sd, work) {
		for i := range sd { // fall back to the diagonal curvature
			sd[i] = 1 / math.Sqrt(math.Max(-hess[i*dim+i], 1e-8))
		}
	}
	for i := range sd {
		sd[i] = math.Min(math.Max(sd[i], minLaplaceSD), maxLaplaceSD)
	}
	return laplace{Mode: theta, SD: sd}, nil
}

// maxNewtonSteps bounds the mode search; from the least-squares start it
// typically converges in 5–10 steps.
const maxNewtonSteps = 60

// newtonStep takes one damped Newton step from theta: it solves
// (−H + λ·diag(1+|H_ii|)) δ = ∇ for λ = 0, 1e-4, 1e-3, … until the step
// (capped at 2 units in any coordinate) does not decrease log p, then moves
// theta and grad to the new point and returns its log density. It reports
// false when no damping gives an acceptable step.
func newtonStep(c *lmm.Collapsed, theta, grad, hess, step, trial []float64, lp float64, work *fdWork) (float64, bool) {
	for lambda := 0.0; lambda < 1e8; lambda = math.Max(1e-4, lambda*10) {
		if !solveDamped(hess, grad, lambda, step, work) {
			continue
		}
		if ms := maxAbs(step); ms > 2 {
			for i := range step {
				step[i] *= 2 / ms
			}
		}
		for i := range theta {
			trial[i] = theta[i] + step[i]
		}
		if lt := c.LogDensity(trial); lt >= lp-1e-12 && !math.IsInf(lt, 0) {
			copy(theta, trial)
			return c.LogDensityGrad(theta, grad), true
		}
	}
	return lp, false
}

// maxAbs returns max_i |x_i|.
func maxAbs(x []float64) float64 {
	m := 0.0
	for _, v := range x {
		m = math.Max(m, math.Abs(v))
	}
	return m
}

// startingPoint writes the least-squares θ of the statistics into theta.
func startingPoint(s *lmm.Stats, theta []float64) {
	p, q := s.P, s.Q
	a := make([]float64, p*p)
	copy(a, s.XtX)
	b := make([]float64, p)
	copy(b, s.XtY)
	for i := 0; i < p; i++ {
		a[i*p+i] += 1e-8 * (1 + a[i*p+i])
	}
	beta := make([]float64, p)
	if !choleskySolve(a, b, beta, p) {
		clear(beta)
	}
	rss := s.YtY
	for i := 0; i < p; i++ {
		rss -= beta[i] * s.XtY[i]
	}
	df := float64(s.N - p)
	if df < 1 {
		df = 1
	}
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

// fdWork holds scratch space for the finite-difference Hessian and the
// small linear solves.
type fdWork struct {
	x, gp, gm []float64
	a, b      []float64
}

func newFDWork(dim int) *fdWork {
	return &fdWork{x: make([]float64, dim), gp: make([]float64, dim), gm: make([]float64, dim),
		a: make([]float64, dim*dim), b: make([]float64, dim)}
}

// hessianFD writes the symmetrized central-difference Hessian of
// log p(θ, y) into hess (row-major dim×dim), with steps h_i = 1e-5·(1+|θ_i|).
func hessianFD(c *lmm.Collapsed, theta, hess []float64, w *fdWork) {
	dim := len(theta)
	copy(w.x, theta)
	for i := 0; i < dim; i++ {
		h := 1e-5 * (1 + math.Abs(theta[i]))
		w.x[i] = theta[i] + h
		c.LogDensityGrad(w.x, w.gp)
		w.x[i] = theta[i] - h
		c.LogDensityGrad(w.x, w.gm)
		w.x[i] = theta[i]
		for j := 0; j < dim; j++ {
			hess[i*dim+j] = (w.gp[j] - w.gm[j]) / (2 * h)
		}
	}
	for i := 0; i < dim; i++ {
		for j := 0; j < i; j++ {
			v := 0.5 * (hess[i*dim+j] + hess[j*dim+i])
			hess[i*dim+j], hess[j*dim+i] = v, v
		}
	}
}

// solveDamped solves (−H + λ·diag(1+|H_ii|)) x = g by Cholesky, reporting
// false when the matrix is not positive definite.
func solveDamped(hess, g []float64, lambda float64, x []float64, w *fdWork) bool {
	dim := len(g)
	for i := range w.a {
		w.a[i] = -hess[i]
	}
	for i := 0; i < dim; i++ {
		w.a[i*dim+i] += lambda * (1 + math.Abs(hess[i*dim+i]))
	}
	copy(w.b, g)
	return choleskySolve(w.a, w.b, x, dim)
}

// posteriorSD writes √diag((−H)⁻¹) into sd, reporting false when −H is not
// positive definite.
func posteriorSD(hess, sd []float64, w *fdWork) bool {
	dim := len(sd)
	for i := range w.a {
		w.a[i] = -hess[i]
	}
	if !cholesky(w.a, dim) {
		return false
	}
	for i := 0; i < dim; i++ {
		clear(w.b)
		w.b[i] = 1
		cholSolveInPlace(w.a, w.b, dim)
		sd[i] = math.Sqrt(w.b[i])
	}
	return true
}

// cholesky overwrites the lower triangle of the n×n matrix a with its
// Cholesky factor L (a = L Lᵀ), reporting false if a is not positive
// definite.
func cholesky(a []float64, n int) bool {
	for j := 0; j < n; j++ {
		s := a[j*n+j]
		for k := 0; k < j; k++ {
			s -= a[j*n+k] * a[j*n+k]
		}
		if !(s > 0) {
			return false
		}
		l := math.Sqrt(s)
		a[j*n+j] = l
		for i := j + 1; i < n; i++ {
			t := a[i*n+j]
			for k := 0; k < j; k++ {
				t -= a[i*n+k] * a[j*n+k]
			}
			a[i*n+j] = t / l
		}
	}
	return true
}

// cholSolveInPlace solves L Lᵀ x = b in place for a factor from cholesky.
func cholSolveInPlace(l, b []float64, n int) {
	for i := 0; i < n; i++ {
		s := b[i]
		for k := 0; k < i; k++ {
			s -= l[i*n+k] * b[k]
		}
		b[i] = s / l[i*n+i]
	}
	for i := n - 1; i >= 0; i-- {
		s := b[i]
		for k := i + 1; k < n; k++ {
			s -= l[k*n+i] * b[k]
		}
		b[i] = s / l[i*n+i]
	}
}

// choleskySolve solves a x = b (a overwritten by its factor), reporting
// false when a is not positive definite.
func choleskySolve(a, b, x []float64, n int) bool {
	if !cholesky(a, n) {
		return false
	}
	copy(x, b)
	cholSolveInPlace(a, x, n)
	return true
}
