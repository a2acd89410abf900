package lmm

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestCholeskyKernels checks the small dense kernels by their defining
// identities on random SPD matrices A = BBᵀ + I for q = 1..4: L Lᵀ = A,
// L·L⁻¹ = I, L(L⁻¹x) = x and Lᵀ(L⁻ᵀx) = x, to 1e-12.
func TestCholeskyKernels(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 1))
	for q := 1; q <= 4; q++ {
		a := make([]float64, q*q)
		for i := 0; i < q; i++ {
			for j := 0; j < q; j++ {
				for k := 0; k < q; k++ {
					a[i*q+j] += float64(i+k+1) * float64(j+k+1) * rng.Float64()
				}
			}
		}
		for i := 0; i < q; i++ { // symmetrize and add I
			for j := 0; j < i; j++ {
				v := 0.5 * (a[i*q+j] + a[j*q+i])
				a[i*q+j], a[j*q+i] = v, v
			}
			a[i*q+i] += float64(q) * 20
		}
		l, inv, linv := append([]float64(nil), a...), make([]float64, q), make([]float64, q*q)
		if !choleskyInPlace(l, inv, q) {
			t.Fatalf("q=%d: factorization failed", q)
		}
		invertLower(linv, l, inv, q)
		for i := 0; i < q; i++ {
			for j := 0; j < q; j++ {
				llt, id := 0.0, 0.0
				for k := 0; k < q; k++ {
					llt += l[i*q+k] * l[j*q+k]
					id += l[i*q+k] * linv[k*q+j]
				}
				if math.Abs(llt-a[i*q+j]) > 1e-12*math.Abs(a[i*q+i]) {
					t.Errorf("q=%d: (LLᵀ)[%d,%d] = %g, A = %g", q, i, j, llt, a[i*q+j])
				}
				if want := float64(boolToInt(i == j)); math.Abs(id-want) > 1e-12 {
					t.Errorf("q=%d: (L·L⁻¹)[%d,%d] = %g, want %g", q, i, j, id, want)
				}
			}
		}
		x := make([]float64, q)
		for i := range x {
			x[i] = rng.NormFloat64()
		}
		y := append([]float64(nil), x...)
		solveLower(l, inv, q, y)
		yT := append([]float64(nil), x...)
		solveLowerT(l, inv, q, yT)
		for i := 0; i < q; i++ {
			ly, lty := 0.0, 0.0
			for k := 0; k < q; k++ {
				ly += l[i*q+k] * y[k]
				lty += l[k*q+i] * yT[k]
			}
			if math.Abs(ly-x[i]) > 1e-12 || math.Abs(lty-x[i]) > 1e-12 {
				t.Errorf("q=%d: solves give L y = %g, Lᵀ y = %g, want %g", q, ly, lty, x[i])
			}
		}
	}
	bad := []float64{1, 2, 2, 1} // eigenvalues 3 and −1
	if choleskyInPlace(bad, make([]float64, 2), 2) {
		t.Error("indefinite matrix factorized")
	}
}

func boolToInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
