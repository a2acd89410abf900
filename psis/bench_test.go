package psis

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// BenchmarkSmooth times Pareto smoothing of S normal-vs-narrower-normal
// log-ratios.
func BenchmarkSmooth(b *testing.B) {
	for _, s := range []int{1000, 4000} {
		b.Run(fmt.Sprintf("S=%d", s), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(5, 1))
			lr := make([]float64, s)
			for i := range lr {
				x := 0.7 * rng.NormFloat64()
				lr[i] = -0.5*x*x + 0.5*x*x/0.49
			}
			dst := make([]float64, s)
			sm := NewSmoother(s)
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				sm.Smooth(dst, lr)
			}
		})
	}
}
