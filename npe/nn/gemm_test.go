package nn

import (
	"math"
	"math/rand/v2"
	"testing"
)

// naiveMatMul is the triple-loop definition of C = op(A)·op(B).
func naiveMatMul(tA, tB bool, m, n, k int, a, b []float64) []float64 {
	c := make([]float64, m*n)
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			s := 0.0
			for l := 0; l < k; l++ {
				av := a[i*k+l]
				if tA {
					av = a[l*m+i]
				}
				bv := b[l*n+j]
				if tB {
					bv = b[j*k+l]
				}
				s += av * bv
			}
			c[i*n+j] = s
		}
	}
	return c
}

// TestMatMul checks all transpose cases, including the split-K path
// (k ≥ SplitKMin), against the naive product; the tolerance 1e-12·k bounds
// float64 summation-order differences for entries of size O(√k).
func TestMatMul(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(6, 1))
	for _, k := range []int{7, SplitKMin + 5} {
		for _, tA := range []bool{false, true} {
			for _, tB := range []bool{false, true} {
				const m, n = 5, 4
				a, b := randSlice(rng, m*k), randSlice(rng, k*n)
				c := randSlice(rng, m*n)
				c0 := append([]float64(nil), c...)
				MatMul(tA, tB, m, n, k, 2, a, b, 0.5, c)
				want := naiveMatMul(tA, tB, m, n, k, a, b)
				for i := range c {
					if w := 2*want[i] + 0.5*c0[i]; math.Abs(c[i]-w) > 1e-12*float64(k) {
						t.Fatalf("k=%d tA=%v tB=%v: c[%d]=%v, want %v", k, tA, tB, i, c[i], w)
					}
				}
			}
		}
	}
}
