package estimate

import (
	"math"

	"github.com/metabeta-go/metabeta/internal/linalg"
)

// objective returns f(x) and writes ∇f(x) into grad; −Inf outside the
// domain.
type objective func(x, grad []float64) float64

// newtonWork is the scratch space of maximize and hessian.
type newtonWork struct {
	grad, gradTry, step, trial, gp, gm []float64
	hess, chol                         []float64
	dinv                               []float64 // 1/diag of the factor in chol
	free                               []int
}

func newNewtonWork(n int) *newtonWork {
	return &newtonWork{
		grad: make([]float64, n), gradTry: make([]float64, n), step: make([]float64, n),
		trial: make([]float64, n), gp: make([]float64, n), gm: make([]float64, n),
		hess: make([]float64, n*n), chol: make([]float64, n*n), dinv: make([]float64, n), free: make([]int, 0, n),
	}
}

// newtonResult summarizes a run of maximize.
type newtonResult struct {
	value      float64
	iterations int
	converged  bool
	atBound    []bool // x_i = lower_i with the gradient pointing outward
	// hessAtX is set when the workspace's Hessian is the one at the
	// returned x (convergence detected by the decrement, no step since).
	hessAtX bool
}

// hessianStep is the relative step of the central finite differences of the
// analytic gradient: h_i = hessianStep · max(1, |x_i|). The truncation error
// is O(h²) ≈ 1e-8 relative and the rounding error O(ε/h) ≈ 1e-12.
const hessianStep = 1e-4

// hessian writes into h (n×n row-major) the symmetrized central
// finite-difference Hessian of f at x, (H + Hᵀ)/2 with
// H_ij = (∂_i f(x + h_j e_j) − ∂_i f(x − h_j e_j)) / (2h_j). x is restored.
// It reports false when a gradient is not finite.
func hessian(f objective, x, h []float64, ws *newtonWork) bool {
	n := len(x)
	for j := 0; j < n; j++ {
		xj := x[j]
		step := hessianStep * math.Max(1, math.Abs(xj))
		x[j] = xj + step
		fp := f(x, ws.gp)
		x[j] = xj - step
		fm := f(x, ws.gm)
		x[j] = xj
		if math.IsInf(fp, 0) || math.IsInf(fm, 0) || math.IsNaN(fp) || math.IsNaN(fm) {
			return false
		}
		for i := 0; i < n; i++ {
			h[i*n+j] = (ws.gp[i] - ws.gm[i]) / (2 * step)
		}
	}
	for i := 0; i < n; i++ {
		for j := 0; j < i; j++ {
			v := 0.5 * (h[i*n+j] + h[j*n+i])
			h[i*n+j], h[j*n+i] = v, v
		}
	}
	return true
}

// maximize runs damped Newton ascent on f from x (overwritten by the
// maximizer) subject to x_i ≥ lower_i (lower may be nil for no bounds).
// Each iteration takes the finite-difference Hessian of the analytic
// gradient, fixes the coordinates at their bound whose gradient points
// outward, and solves (−H + λI)δ = ∇f on the others with the smallest λ
// from 0, 1e-8·max|H_ii|, ×10, … that makes the matrix positive definite
// (Levenberg 1944; Nocedal & Wright 2006, §3.4). The step is capped at
// maxStep per coordinate, projected onto the bounds and halved until f does
// not decrease. It stops when the Newton decrement ∇fᵀδ falls below tol
// (converged), when no step improves f (converged if the decrement is below
// 1e4·tol: the objective's rounding noise, which grows with the
// cancellation in the residual sum of squares when σ is small against y,
// then hides the remaining gain), or after maxIter iterations.
func maximize(f objective, x, lower []float64, maxStep float64, tol float64, maxIter int, ws *newtonWork) newtonResult {
	n := len(x)
	res := newtonResult{atBound: make([]bool, n)}
	fx := f(x, ws.grad)
	if math.IsInf(fx, 0) || math.IsNaN(fx) {
		res.value = math.Inf(-1)
		return res
	}
	for res.iterations < maxIter {
		ws.free = ws.free[:0]
		for i := 0; i < n; i++ {
			res.atBound[i] = lower != nil && x[i] <= lower[i] && ws.grad[i] < 0
			if !res.atBound[i] {
				ws.free = append(ws.free, i)
			}
		}
		if len(ws.free) == 0 {
			res.converged = true
			break
		}
		if !hessian(f, x, ws.hess, ws) {
			break
		}
		decrement, ok := newtonStep(ws, n)
		if !ok {
			break
		}
		res.iterations++
		if decrement < tol {
			res.converged = true
			res.hessAtX = len(ws.free) == n
			break
		}
		scale := 1.0
		for _, v := range ws.step {
			if a := math.Abs(v); a*scale > maxStep {
				scale = maxStep / a
			}
		}
		improved := false
		for try := 0; try < 40; try++ {
			for i := range x {
				ws.trial[i] = x[i] + scale*ws.step[i]
				if lower != nil && ws.trial[i] < lower[i] {
					ws.trial[i] = lower[i]
				}
			}
			ft := f(ws.trial, ws.gradTry)
			if ft > fx {
				copy(x, ws.trial)
				copy(ws.grad, ws.gradTry)
				fx = ft
				improved = true
				break
			}
			scale /= 2
		}
		if !improved {
			// No ascent along the Newton direction within rounding: x is a
			// maximizer to working precision.
			res.converged = decrement < 1e4*tol
			break
		}
	}
	f(x, ws.grad)
	res.value = fx
	return res
}

// newtonStep solves (−H_FF + λI)δ_F = g_F on the free coordinates into
// ws.step (zero elsewhere) and returns the decrement g_Fᵀδ_F.
func newtonStep(ws *newtonWork, n int) (float64, bool) {
	m := len(ws.free)
	hmax := 0.0
	for _, i := range ws.free {
		hmax = math.Max(hmax, math.Abs(ws.hess[i*n+i]))
	}
	lambda := 0.0
	for try := 0; try < 30; try++ {
		c := ws.chol[:m*m]
		for a, i := range ws.free {
			for b, j := range ws.free {
				c[a*m+b] = -ws.hess[i*n+j]
			}
			c[a*m+a] += lambda
		}
		if linalg.Cholesky(c, ws.dinv, m) {
			clear(ws.step)
			// Solve L Lᵀ δ = g in place in ws.gp.
			u := ws.gp[:m]
			for a, i := range ws.free {
				u[a] = ws.grad[i]
			}
			linalg.CholSolve(c, ws.dinv, m, u)
			dec := 0.0
			for a, i := range ws.free {
				ws.step[i] = u[a]
				dec += u[a] * ws.grad[i]
			}
			return dec, true
		}
		if lambda == 0 {
			lambda = 1e-8 * math.Max(hmax, 1e-300)
		} else {
			lambda *= 10
		}
	}
	return 0, false
}
