package sim

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestLKJCholeskyValid checks that every draw is the Cholesky factor of a
// correlation matrix: lower triangular, positive diagonal, unit-norm rows.
func TestLKJCholeskyValid(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 1))
	for _, eta := range []float64{0.5, 1, 10} {
		for k := 1; k <= 6; k++ {
			for range 50 {
				l := LKJCholesky(rng, k, eta, nil)
				for i := range k {
					norm := 0.0
					for j := range k {
						v := l[i*k+j]
						if j > i && v != 0 {
							t.Fatalf("η=%g k=%d: L[%d,%d] = %g above the diagonal", eta, k, i, j, v)
						}
						norm += v * v
					}
					if !(l[i*k+i] > 0) || math.Abs(norm-1) > 1e-12 {
						t.Fatalf("η=%g k=%d: row %d has diagonal %g and squared norm %g", eta, k, i, l[i*k+i], norm)
					}
				}
			}
		}
	}
}

// TestLKJCholeskyMarginal checks the marginal of the correlations: under
// LKJ(η) in dimension k, (r+1)/2 ~ Beta(b, b) with b = η + (k−2)/2
// (Lewandowski, Kurowicka & Joe 2009, §3.2), so E[r] = 0 and
// E[r²] = 1/(2b+1).
func TestLKJCholeskyMarginal(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(2, 1))
	const k, eta = 4, 2.0
	b := eta + float64(k-2)/2
	pairs := [][2]int{{3, 0}, {2, 1}, {1, 0}} // from the last, a middle and the first row
	r := make([]moments, len(pairs))
	r2 := make([]moments, len(pairs))
	l := make([]float64, k*k)
	for range 20000 {
		LKJCholesky(rng, k, eta, l)
		for p, ij := range pairs {
			c := 0.0
			for t := range k {
				c += l[ij[0]*k+t] * l[ij[1]*k+t]
			}
			r[p].add(c)
			r2[p].add(c * c)
		}
	}
	for p, ij := range pairs {
		checkMean(t, fmt.Sprintf("r%d%d", ij[0], ij[1]), &r[p], 0)
		checkMean(t, fmt.Sprintf("r%d%d²", ij[0], ij[1]), &r2[p], 1/(2*b+1))
	}
}

func TestLKJCholeskyAllocs(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 1))
	l := make([]float64, 25)
	if a := testing.AllocsPerRun(100, func() { LKJCholesky(rng, 5, 10, l) }); a != 0 {
		t.Errorf("LKJCholesky with a buffer allocates %g times per call", a)
	}
}
