package diagnostics

import (
	"math"
	"math/rand/v2"
	"testing"
)

// essSpread returns the mean and the standard deviation over replicates of
// the estimate f/S for m chains of n AR(1) draws with coefficient rho: the
// Monte Carlo sampling error of a single ESS estimate.
func essSpread(rng *rand.Rand, f func([][]float64) float64, replicates, m, n int, rho float64) (float64, float64) {
	ratios := make([]float64, replicates)
	for k := range ratios {
		ratios[k] = f(normalChains(rng, m, n, rho, nil)) / float64(m*n)
	}
	return meanSD(ratios)
}

func TestESSIndependentDraws(t *testing.T) {
	// For iid draws the true ESS is S = M·N. A single estimate must lie
	// within 4 standard deviations of its sampling distribution of S; the
	// standard deviation is estimated from 100 independent replicates.
	// (The estimator itself is biased low by about 1.5% at 4×1000, which this
	// spread covers but a 4·MCSE test of the replicate mean would not.)
	const m, n, replicates = 4, 1000, 100
	if testing.Short() {
		t.Skip("100 replicates of ESS")
	}
	for name, f := range map[string]func([][]float64) float64{
		"ESSBulk": ESSBulk, "ESSMean": ESSMean, "ESSTail": ESSTail,
	} {
		rng := rand.New(rand.NewPCG(2, 1))
		_, sd := essSpread(rng, f, replicates, m, n, 0)
		got := f(normalChains(rng, m, n, 0, nil)) / (m * n)
		if math.Abs(got-1) > 4*sd {
			t.Errorf("%s/S of iid draws = %.4f, want 1 ± 4·%.4f", name, got, sd)
		}
	}
}

func TestESSAutoregressive(t *testing.T) {
	// A stationary AR(1) with coefficient ρ has integrated autocorrelation
	// time τ = (1 + ρ)/(1 − ρ) (closed form: τ = 1 + 2Σ_{t≥1} ρ^t), so ESS/S = (1 − ρ)/(1 + ρ),
	// 1/3 for ρ = 0.5. Same single-estimate check as for iid draws.
	const m, n, replicates, rho = 4, 1000, 100, 0.5
	if testing.Short() {
		t.Skip("100 replicates of ESS")
	}
	want := (1 - rho) / (1 + rho)
	rng := rand.New(rand.NewPCG(2, 2))
	_, sd := essSpread(rng, ESSMean, replicates, m, n, rho)
	got := ESSMean(normalChains(rng, m, n, rho, nil)) / (m * n)
	if math.Abs(got-want) > 4*sd {
		t.Errorf("ESSMean/S of AR(1) ρ = %g: %.4f, want %.4f ± 4·%.4f", rho, got, want, sd)
	}
}
