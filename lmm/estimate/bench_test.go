package estimate

import (
	"testing"

	"github.com/metabeta-go/metabeta/lmm"
)

// sleepstudyPrior is a weakly informative prior on the scale of sleepstudy
// (reaction times in ms).
func sleepstudyPrior() lmm.Prior {
	return lmm.Prior{BetaMean: []float64{300, 0}, BetaSD: []float64{100, 20}, SDScale: []float64{50, 10}, SigmaScale: 50}
}

// BenchmarkEstimate times the estimates on sleepstudy (N = 180, M = 18,
// P = Q = 2): without a prior (LSDV, moments, ML, REML) and with one (plus
// MAP and Laplace).
func BenchmarkEstimate(b *testing.B) {
	d := loadSleepstudy(b)
	s := lmm.NewStats(d)
	prior := sleepstudyPrior()
	b.Run("ML+REML", func(b *testing.B) {
		e := NewEstimator(s)
		b.ReportAllocs()
		b.ResetTimer()
		for range b.N {
			if _, err := e.Estimate(nil, Settings{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("ML+REML+MAP", func(b *testing.B) {
		e := NewEstimator(s)
		b.ReportAllocs()
		b.ResetTimer()
		for range b.N {
			if _, err := e.Estimate(&prior, Settings{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("GLS", func(b *testing.B) {
		e := NewEstimator(s)
		beta := make([]float64, 2)
		lsb := []float64{3, 1.7}
		b.ReportAllocs()
		b.ResetTimer()
		for range b.N {
			e.GLS(beta, lsb, 3.2)
		}
	})
}
