package calibration

import "testing"

// BenchmarkAdjustGamma times the exact γ adjustment at N = 1000, K = 1000.
func BenchmarkAdjustGamma(b *testing.B) {
	z := UniformGrid(1000)
	b.ReportAllocs()
	for b.Loop() {
		AdjustGamma(1000, z, 0.95)
	}
}

// BenchmarkCRPS times the fair CRPS estimator on S = 1000 draws.
func BenchmarkCRPS(b *testing.B) {
	rng := newRand(15, 1)
	draws := make([]float64, 1000)
	for i := range draws {
		draws[i] = rng.NormFloat64()
	}
	scratch := make([]float64, 0, len(draws))
	b.ReportAllocs()
	for b.Loop() {
		_, scratch = CRPS(draws, 0.3, scratch)
	}
}
