package linalg

import (
	"math"
	"math/rand/v2"
	"testing"
)

// spd returns a random symmetric positive definite n×n matrix: a random
// symmetric matrix with 20n added to its diagonal (diagonally dominant).
func spd(rng *rand.Rand, n int) []float64 {
	a := make([]float64, n*n)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			for k := 0; k < n; k++ {
				a[i*n+j] += float64(i+k+1) * float64(j+k+1) * rng.Float64()
			}
		}
	}
	for i := 0; i < n; i++ {
		for j := 0; j < i; j++ {
			v := 0.5 * (a[i*n+j] + a[j*n+i])
			a[i*n+j], a[j*n+i] = v, v
		}
		a[i*n+i] += float64(n) * 20
	}
	return a
}

// TestCholesky checks the kernels by their defining identities on random
// SPD matrices for n = 1..6 (n = 1 and 2 take the unrolled paths): LLᵀ = A
// with a zero strict upper triangle, inv = 1/diag(L), L·L⁻¹ = I,
// L(L⁻¹x) = x, Lᵀ(L⁻ᵀx) = x and A(A⁻¹x) = x, to 1e-12 relative.
func TestCholesky(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 1))
	for n := 1; n <= 6; n++ {
		a := spd(rng, n)
		l, inv, linv := append([]float64(nil), a...), make([]float64, n), make([]float64, n*n)
		if !Cholesky(l, inv, n) {
			t.Fatalf("n=%d: factorization failed", n)
		}
		InvertLower(linv, l, inv, n)
		for i := 0; i < n; i++ {
			if inv[i] != 1/l[i*n+i] {
				t.Errorf("n=%d: inv[%d] = %g, 1/L = %g", n, i, inv[i], 1/l[i*n+i])
			}
			for j := 0; j < n; j++ {
				if j > i && l[i*n+j] != 0 {
					t.Errorf("n=%d: upper entry L[%d,%d] = %g, want 0", n, i, j, l[i*n+j])
				}
				llt, id := 0.0, 0.0
				for k := 0; k < n; k++ {
					llt += l[i*n+k] * l[j*n+k]
					id += l[i*n+k] * linv[k*n+j]
				}
				if math.Abs(llt-a[i*n+j]) > 1e-12*math.Abs(a[i*n+i]) {
					t.Errorf("n=%d: (LLᵀ)[%d,%d] = %g, A = %g", n, i, j, llt, a[i*n+j])
				}
				want := 0.0
				if i == j {
					want = 1
				}
				if math.Abs(id-want) > 1e-12 {
					t.Errorf("n=%d: (L·L⁻¹)[%d,%d] = %g, want %g", n, i, j, id, want)
				}
			}
		}
		x := make([]float64, n)
		for i := range x {
			x[i] = rng.NormFloat64()
		}
		y := append([]float64(nil), x...)
		SolveLower(l, inv, n, y)
		yT := append([]float64(nil), x...)
		SolveLowerT(l, inv, n, yT)
		z := append([]float64(nil), x...)
		CholSolve(l, inv, n, z)
		for i := 0; i < n; i++ {
			ly, lty, az := 0.0, 0.0, 0.0
			for k := 0; k < n; k++ {
				ly += l[i*n+k] * y[k]
				lty += l[k*n+i] * yT[k]
				az += a[i*n+k] * z[k]
			}
			if math.Abs(ly-x[i]) > 1e-12 || math.Abs(lty-x[i]) > 1e-12 || math.Abs(az-x[i]) > 1e-12*a[i*n+i] {
				t.Errorf("n=%d: solves give L y = %g, Lᵀ y = %g, A z = %g, want %g", n, ly, lty, az, x[i])
			}
		}
	}
}

// TestCholeskyNotPosDef checks that indefinite, semidefinite and non-finite
// matrices are refused at every size path.
func TestCholeskyNotPosDef(t *testing.T) {
	for _, tc := range []struct {
		name string
		a    []float64
		n    int
	}{
		{"1×1 zero", []float64{0}, 1},
		{"1×1 NaN", []float64{math.NaN()}, 1},
		{"1×1 +Inf", []float64{math.Inf(1)}, 1},
		{"2×2 indefinite (eigenvalues 3, −1)", []float64{1, 2, 2, 1}, 2},
		{"2×2 singular", []float64{1, 1, 1, 1}, 2},
		{"3×3 indefinite", []float64{1, 0, 0, 0, 1, 0, 0, 0, -1}, 3},
		{"3×3 singular", []float64{1, 1, 0, 1, 1, 0, 0, 0, 1}, 3},
		{"3×3 NaN", []float64{1, 0, 0, 0, math.NaN(), 0, 0, 0, 1}, 3},
	} {
		if Cholesky(tc.a, make([]float64, tc.n), tc.n) {
			t.Errorf("%s: factorized", tc.name)
		}
	}
}

// TestCholeskyAllocs checks that the kernels do not allocate.
func TestCholeskyAllocs(t *testing.T) {
	const n = 5
	a := spd(rand.New(rand.NewPCG(8, 1)), n)
	l, inv, linv, x := make([]float64, n*n), make([]float64, n), make([]float64, n*n), make([]float64, n)
	allocs := testing.AllocsPerRun(100, func() {
		copy(l, a)
		Cholesky(l, inv, n)
		CholSolve(l, inv, n, x)
		InvertLower(linv, l, inv, n)
	})
	if allocs != 0 {
		t.Errorf("%v allocations per factorization and solve", allocs)
	}
}
