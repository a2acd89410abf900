package lmm

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// TestCorCholeskyRoundTrip checks that CorCholesky gives a unit-diagonal
// positive definite Ω and that CorUnconstrain inverts it.
func TestCorCholeskyRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for q := 1; q <= 5; q++ {
		for range 20 {
			y := make([]float64, NumCor(q))
			for k := range y {
				y[k] = 1.5 * rng.NormFloat64()
			}
			l := make([]float64, q*q)
			CorCholesky(l, y, q)
			for i := 0; i < q; i++ {
				n := 0.0
				for j := 0; j <= i; j++ {
					n += l[i*q+j] * l[i*q+j]
				}
				if math.Abs(n-1) > 1e-12 || !(l[i*q+i] > 0) {
					t.Fatalf("q=%d: row %d has squared norm %g, diagonal %g", q, i, n, l[i*q+i])
				}
			}
			cor := CorFromCholesky(make([]float64, NumCor(q)), l, q)
			back := make([]float64, len(y))
			if err := CorUnconstrain(back, cor, q); err != nil {
				t.Fatal(err)
			}
			for k := range y {
				if math.Abs(back[k]-y[k]) > 1e-8*(1+math.Abs(y[k])) {
					t.Fatalf("q=%d: y[%d] = %g round-trips to %g", q, k, y[k], back[k])
				}
			}
		}
	}
	if err := CorUnconstrain(make([]float64, 3), []float64{0.9, 0.9, -0.9}, 3); err == nil {
		t.Error("an indefinite correlation matrix was accepted")
	}
	if err := CorUnconstrain(make([]float64, 1), []float64{1}, 2); err == nil {
		t.Error("a correlation of 1 was accepted")
	}
}

// TestCorCholeskyJacobian checks the log-Jacobian of CorCholesky against the
// log|det| of the central-difference Jacobian of the strict lower triangle.
func TestCorCholeskyJacobian(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for q := 2; q <= 4; q++ {
		c := NumCor(q)
		y := make([]float64, c)
		for k := range y {
			y[k] = rng.NormFloat64()
		}
		l := make([]float64, q*q)
		logJac := CorCholesky(l, y, q)
		jac := mat.NewDense(c, c, nil)
		const h = 1e-6
		lp, lm := make([]float64, q*q), make([]float64, q*q)
		for k := range y {
			y0 := y[k]
			y[k] = y0 + h
			CorCholesky(lp, y, q)
			y[k] = y0 - h
			CorCholesky(lm, y, q)
			y[k] = y0
			r := 0
			for i := 1; i < q; i++ {
				for j := 0; j < i; j++ {
					jac.Set(r, k, (lp[i*q+j]-lm[i*q+j])/(2*h))
					r++
				}
			}
		}
		want := math.Log(math.Abs(mat.Det(jac)))
		if math.Abs(logJac-want) > 1e-6 {
			t.Errorf("q=%d: log-Jacobian %g, finite differences give %g", q, logJac, want)
		}
	}
}

// corTestObjective is f(L) = Σ_{i≥j} w_ij L_ij, with gradient w, plus the
// log-Jacobian and an LKJ log-diagonal term, for the backward test.
func corTestObjective(y, w, diag []float64, q int) float64 {
	l := make([]float64, q*q)
	v := CorCholesky(l, y, q)
	for i := 0; i < q; i++ {
		for j := 0; j <= i; j++ {
			v += w[i*q+j] * l[i*q+j]
		}
		v += diag[i] * math.Log(l[i*q+i])
	}
	return v
}

// TestCorCholeskyBackward checks corCholeskyBackward against central
// differences of corTestObjective.
func TestCorCholeskyBackward(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for q := 2; q <= 4; q++ {
		c := NumCor(q)
		y := make([]float64, c)
		for k := range y {
			y[k] = rng.NormFloat64()
		}
		w := make([]float64, q*q)
		for k := range w {
			w[k] = rng.NormFloat64()
		}
		diag := lkjDiagCoef(make([]float64, q), q, 1.7)
		l := make([]float64, q*q)
		CorCholesky(l, y, q)
		g := make([]float64, c)
		corCholeskyBackward(g, w, y, l, diag, true, q)
		for k := range y {
			const h = 1e-6
			y0 := y[k]
			y[k] = y0 + h
			fp := corTestObjective(y, w, diag, q)
			y[k] = y0 - h
			fm := corTestObjective(y, w, diag, q)
			y[k] = y0
			fd := (fp - fm) / (2 * h)
			if math.Abs(g[k]-fd) > 1e-6*(1+math.Abs(fd)) {
				t.Errorf("q=%d: ∂/∂y[%d] = %g, finite differences %g", q, k, g[k], fd)
			}
		}
	}
}

// TestLKJNormalized checks that the LKJ(η) density, moved to y with the
// log-Jacobian of CorCholesky, integrates to one: for q = 2 on a 1-D grid
// and for q = 3 on a 3-D grid (midpoint rule on y ∈ [−6, 6]^c, where the
// density is below e⁻¹⁰ of its peak outside). For q = 2 the density of
// ρ is (1 − ρ²)^{η−1} / (2^{2η−1} B(η, η)), so the integral is exact to
// quadrature error.
func TestLKJNormalized(t *testing.T) {
	for _, tc := range []struct {
		q     int
		eta   float64
		steps int
	}{{2, 1, 4000}, {2, 0.7, 4000}, {2, 3.5, 4000}, {3, 1, 120}, {3, 2.2, 120}} {
		c := NumCor(tc.q)
		h := 12.0 / float64(tc.steps)
		idx := make([]int, c)
		y := make([]float64, c)
		l := make([]float64, tc.q*tc.q)
		total := 0.0
		for {
			for k := range y {
				y[k] = -6 + (float64(idx[k])+0.5)*h
			}
			lj := CorCholesky(l, y, tc.q)
			total += math.Exp(LKJCholeskyLogDensity(l, tc.q, tc.eta) + lj)
			k := 0
			for ; k < c; k++ {
				idx[k]++
				if idx[k] < tc.steps {
					break
				}
				idx[k] = 0
			}
			if k == c {
				break
			}
		}
		total *= math.Pow(h, float64(c))
		// η < 1 puts mass near |ρ| = 1 (large |y|): allow for the truncation.
		tol := 1e-3
		if tc.eta < 1 {
			tol = 2e-2
		}
		if math.Abs(total-1) > tol {
			t.Errorf("q=%d η=%g: LKJ integrates to %.5f, want 1", tc.q, tc.eta, total)
		}
	}
}
