package hmc

import (
	"math/rand/v2"
	"strconv"
	"testing"
)

func BenchmarkLeapfrog(b *testing.B) {
	for _, dim := range []int{100} {
		b.Run("dim="+strconv.Itoa(dim), func(b *testing.B) {
			target := stdNormal(dim)
			m := NewDiagMetric(dim)
			s := NewState(dim)
			s.X[0] = 1
			s.Evaluate(target)
			vel := make([]float64, dim)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				// Alternate directions so the state stays bounded.
				eps := 0.1
				if i%2 == 1 {
					eps = -0.1
				}
				Leapfrog(target, m, s, eps, vel)
			}
		})
	}
}

// BenchmarkNUTS times one transition on N(0, I₁₀₀) with a unit metric and
// ε = 0.3, near what adaptation to δ = 0.8 finds for this target.
func BenchmarkNUTS(b *testing.B) {
	for _, tc := range []struct {
		name   string
		metric func(int) Metric
	}{
		{"diag", func(d int) Metric { return NewDiagMetric(d) }},
		{"dense", func(d int) Metric { return NewDenseMetric(d) }},
	} {
		const dim = 100
		b.Run("dim="+strconv.Itoa(dim)+"/"+tc.name, func(b *testing.B) {
			target := stdNormal(dim)
			kernel := NewNUTS(target, tc.metric(dim), 0.3, DefaultMaxDepth)
			s := NewState(dim)
			s.Evaluate(target)
			rng := rand.New(rand.NewPCG(1, 1))
			b.ReportAllocs()
			b.ResetTimer()
			steps := 0
			for b.Loop() {
				steps += kernel.Transition(rng, s).NLeapfrog
			}
			b.ReportMetric(float64(steps)/float64(b.N), "leapfrog/op")
		})
	}
}
