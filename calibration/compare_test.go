package calibration

import (
	"math"
	"slices"
	"testing"
)

func TestWasserstein1ByHand(t *testing.T) {
	// Equal sizes: mean |x₍ᵢ₎ − y₍ᵢ₎| = (1 + 2 + 3)/3 = 2.
	checkClose(t, "W1 equal sizes", Wasserstein1([]float64{1, 2, 3}, []float64{2, 4, 6}), 2, 1e-15)
	// Unequal sizes, quantile functions by hand: a = {0, 1} is 0 on
	// (0, ½] and 1 after; b = {0, ½, 1} is 0, ½, 1 on thirds. They differ
	// by ½ on (⅓, ⅔], so W1 = ⅓·½ = 1/6.
	checkClose(t, "W1 unequal sizes", Wasserstein1([]float64{0, 1}, []float64{0, 0.5, 1}), 1.0/6, 1e-15)
	checkClose(t, "W1 symmetric", Wasserstein1([]float64{0, 0.5, 1}, []float64{0, 1}), 1.0/6, 1e-15)
}

func TestWasserstein1OfNormalSamples(t *testing.T) {
	// W1(N(0, 1), N(δ, 1)) = |δ| for a location shift (the monotone
	// coupling moves every quantile by δ). Twenty replicates of samples of
	// 5000 and 4000 draws; the replicate mean must lie within 4 MCSE.
	const reps, na, nb, delta = 20, 5000, 4000, 1.0
	rng := newRand(11, 1)
	w := make([]float64, reps)
	a, b := make([]float64, na), make([]float64, nb)
	for r := range w {
		for i := range a {
			a[i] = rng.NormFloat64()
		}
		for i := range b {
			b[i] = delta + rng.NormFloat64()
		}
		slices.Sort(a)
		slices.Sort(b)
		w[r] = Wasserstein1(a, b)
	}
	m, v := meanVar(w)
	checkMC(t, "W1 of shifted normals", m, delta, math.Sqrt(v/reps))
}

func TestAgreementIdenticalAndShifted(t *testing.T) {
	// Identical draw sets agree exactly: r = 1, all distances 0.
	_, draws := conjugateReplicates(newRand(12, 1), 50, 5, 300, 1)
	g := NewAgreement(draws, draws)
	checkClose(t, "r", g.MeanCorrelation.R, 1, 1e-12)
	checkClose(t, "mean |Δμ|/σ", g.MeanAbsDiff, 0, 0)
	checkClose(t, "median log σ ratio", g.MedianLogSDRatio, 0, 0)
	checkClose(t, "W1", g.MeanW1, 0, 0)
	// Shifting every draw by half a reference SD and doubling the spread
	// about the mean: |Δμ|/σ = ½ and log σ ratio = log 2 exactly.
	wide := make([][]float64, len(draws))
	for i, d := range draws {
		mu, sd := MeanSD(d)
		wide[i] = make([]float64, len(d))
		for j, x := range d {
			wide[i][j] = mu + 2*(x-mu) + sd/2
		}
	}
	g = NewAgreement(wide, draws)
	checkClose(t, "mean |Δμ|/σ", g.MeanAbsDiff, 0.5, 1e-12)
	checkClose(t, "median log σ ratio", g.MedianLogSDRatio, math.Log(2), 1e-12)
	if !hasWarning(g.Warnings, "fewer than 100 datasets") {
		t.Errorf("warnings %q lack the dataset count", g.Warnings)
	}
}
