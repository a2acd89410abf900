package fit

import (
	"math"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize"

	"github.com/metabeta-go/metabeta/lmm"
)

// laplace returns the mode of the collapsed log posterior on the
// unconstrained θ and the lower Cholesky factor (row-major) of the inverse
// of the negative Hessian there: the Laplace approximation N(mode, LLᵀ).
// The mode is found by BFGS on the exact gradient from an ordinary
// least-squares start; the Hessian is the central difference of the exact
// gradient, symmetrized. ok is false when the optimizer fails or the
// Hessian is not negative definite, and the caller then samples without
// preconditioning.
func laplace(c *lmm.Collapsed) (mode, chol []float64, ok bool) {
	dim := c.Dim()
	grad := make([]float64, dim)
	problem := optimize.Problem{
		Func: func(x []float64) float64 {
			v := c.LogDensityGrad(x, grad)
			if math.IsInf(v, -1) || math.IsNaN(v) {
				return math.Inf(1)
			}
			return -v
		},
		Grad: func(g, x []float64) {
			c.LogDensityGrad(x, g)
			for i := range g {
				g[i] = -g[i]
			}
		},
	}
	// BFGS stops on a line-search failure once F, of order N, is flat to
	// machine precision; its point is then at the mode to far below a
	// posterior SD, and Newton steps on the exact gradient polish it.
	res, err := optimize.Minimize(problem, olsStart(c.Stats()), &optimize.Settings{GradientThreshold: 1e-8}, &optimize.BFGS{})
	if res == nil || math.IsInf(res.F, 0) || math.IsNaN(res.F) {
		return nil, nil, false
	}
	_ = err // a line-search failure near the mode is expected; the Hessian check below decides
	mode = append([]float64(nil), res.X...)
	var prec mat.Cholesky
	step := mat.NewVecDense(dim, nil)
	for range 3 {
		if !negHessian(c, mode, &prec) {
			return nil, nil, false
		}
		c.LogDensityGrad(mode, grad)
		if prec.SolveVecTo(step, mat.NewVecDense(dim, grad)) != nil {
			return nil, nil, false
		}
		for i := range mode {
			mode[i] += step.AtVec(i)
		}
	}
	if !negHessian(c, mode, &prec) {
		return nil, nil, false
	}
	var cov mat.SymDense
	if err := prec.InverseTo(&cov); err != nil {
		return nil, nil, false
	}
	var cc mat.Cholesky
	if !cc.Factorize(&cov) {
		return nil, nil, false
	}
	var l mat.TriDense
	cc.LTo(&l)
	chol = make([]float64, dim*dim)
	for i := range dim {
		for j := 0; j <= i; j++ {
			chol[i*dim+j] = l.At(i, j)
		}
	}
	return mode, chol, true
}

// olsStart returns a starting point for the mode search: least-squares
// coefficients on the centred design, the log residual SD, and log σ_b at
// half of it.
func olsStart(s *lmm.Stats) []float64 {
	p, q := s.P, s.Q
	x := make([]float64, p+q+1)
	xtx := mat.NewSymDense(p, nil)
	for i := range p {
		for j := i; j < p; j++ {
			xtx.SetSym(i, j, s.XtX[i*p+j])
		}
	}
	var ch mat.Cholesky
	beta := mat.NewVecDense(p, nil)
	if ch.Factorize(xtx) && ch.SolveVecTo(beta, mat.NewVecDense(p, append([]float64(nil), s.XtY...))) == nil {
		for k := range p {
			x[k] = beta.AtVec(k)
		}
	}
	// Residual sum of squares yᵀy − βᵀXᵀy on the shifted response.
	rss := s.YtY
	for k := range p {
		rss -= x[k] * s.XtY[k]
	}
	sigma := math.Sqrt(math.Max(rss, 1e-12) / float64(max(s.N-p, 1)))
	if s.Centred.Intercept {
		x[0] += s.YShift
	}
	for k := range q {
		x[p+k] = math.Log(sigma / 2)
	}
	x[p+q] = math.Log(sigma)
	return x
}

// negHessian factors the negative Hessian of the log density at x, from
// central differences of the exact gradient (step 1e-5 relative), into
// prec. It reports false when it is not positive definite.
func negHessian(c *lmm.Collapsed, x []float64, prec *mat.Cholesky) bool {
	dim := len(x)
	h := mat.NewSymDense(dim, nil)
	gp, gm := make([]float64, dim), make([]float64, dim)
	y := append([]float64(nil), x...)
	rows := make([]float64, dim*dim)
	for j := range dim {
		eps := 1e-5 * math.Max(1, math.Abs(x[j]))
		y[j] = x[j] + eps
		c.LogDensityGrad(y, gp)
		y[j] = x[j] - eps
		c.LogDensityGrad(y, gm)
		y[j] = x[j]
		for i := range dim {
			rows[j*dim+i] = -(gp[i] - gm[i]) / (2 * eps)
		}
	}
	for i := range dim {
		for j := i; j < dim; j++ {
			v := 0.5 * (rows[i*dim+j] + rows[j*dim+i])
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return false
			}
			h.SetSym(i, j, v)
		}
	}
	return prec.Factorize(h)
}
