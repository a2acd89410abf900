package calibration

import (
	"math"
	"slices"
	"testing"
)

// bandCase is one row of a band table computed, outside this repository,
// with an exact bisection in the manner of bayesplot's adjust_gamma_optimize
// (Säilynoja, Bürkner & Vehtari 2022, method A); gamma is given to two significant
// digits and halfWidth (at z = 0.5, as a fraction of N) to the digits
// shown, so each is checked to half a unit of its last digit.
type bandCase struct {
	n, k                int
	level               float64
	gamma, gammaTol     float64
	halfWidth, widthTol float64
}

var bandTable = []bandCase{
	{100, 100, 0.95, 0.0041, 0.00005, 0.14, 0.005},
	{200, 20, 0.95, 0.0062, 0.00005, 0.095, 0.0005},
	{200, 200, 0.95, 0.0028, 0.00005, 0.105, 0.0005},
	{500, 100, 0.95, 0.0030, 0.00005, 0.066, 0.0005},
	{500, 500, 0.95, 0.0019, 0.00005, 0.070, 0.0005},
	{1000, 100, 0.95, 0.0027, 0.00005, 0.047, 0.0005},
	{1000, 1000, 0.95, 0.0015, 0.00005, 0.050, 0.0005},
	{200, 200, 0.99, 0.00046, 0.000005, 0.125, 0.0005},
	{1000, 100, 0.99, 0.00046, 0.000005, 0.055, 0.0005},
}

func TestSimultaneousBandsTable(t *testing.T) {
	for _, c := range bandTable {
		if testing.Short() && c.n*c.k > 100000 {
			continue
		}
		b := SimultaneousBands(c.n, c.k, c.level)
		hw := b.HalfWidth(c.k / 2)
		t.Logf("N=%d K=%d level=%v: γ=%.5g half-width=%.4f inside=%.5f", c.n, c.k, c.level, b.Gamma, hw, b.Inside)
		if math.Abs(b.Gamma-c.gamma) > c.gammaTol {
			t.Errorf("N=%d K=%d level=%v: γ = %.5g, want %v", c.n, c.k, c.level, b.Gamma, c.gamma)
		}
		if math.Abs(hw-c.halfWidth) > c.widthTol {
			t.Errorf("N=%d K=%d level=%v: half-width = %.4f, want %v", c.n, c.k, c.level, hw, c.halfWidth)
		}
		if b.Inside < c.level {
			t.Errorf("N=%d K=%d: inside probability %v below level", c.n, c.k, b.Inside)
		}
	}
}

func TestBandsCoverageByMonteCarlo(t *testing.T) {
	// The exact inside probability against the fraction of m simulated
	// uniform ECDFs (N = 100 values, K = 100) that stay inside the bands.
	const n, k, m = 100, 100, 4000
	b := SimultaneousBands(n, k, 0.95)
	rng := newRand(4, 1)
	counts := make([]int, k+1)
	inside := 0
	for range m {
		clear(counts)
		for range n {
			// Count uniform values u < zᵢ: u falls below z_i for i > ⌊uK⌋.
			counts[int(rng.Float64()*k)+1]++
		}
		ok := true
		cum := 0
		for i := 0; i <= k; i++ {
			cum += counts[i]
			if cum < b.Lower[i] || cum > b.Upper[i] {
				ok = false
				break
			}
		}
		if ok {
			inside++
		}
	}
	frac := float64(inside) / m
	checkMC(t, "simulated inside fraction", frac, b.Inside, math.Sqrt(b.Inside*(1-b.Inside)/m))
}

func TestBandTestOnRanks(t *testing.T) {
	// N = 500 replicates of L = 99 draws, K = DefaultECDFPoints = 100.
	const n, l = 500, 99
	k := DefaultECDFPoints(n, l)
	if k != 100 {
		t.Fatalf("DefaultECDFPoints(500, 99) = %d, want min(L+1, N) = 100", k)
	}
	b := SimultaneousBands(n, k, 0.95)
	cases := []struct {
		name         string
		shift, scale float64
		pass         bool
	}{
		{"uniform", 0, 1, true},
		{"shifted", 0.5, 1, false},
		{"over-dispersed ranks (posterior too narrow)", 0, 0.6, false},
		{"under-dispersed ranks (posterior too wide)", 0, 1.6, false},
	}
	for i, c := range cases {
		ranks := simulatedRanks(newRand(5, uint64(i)), n, l, c.shift, c.scale)
		e := NewRankECDF(ranks, l, b)
		chi := NewRankHistogram(ranks, l, 20, 0.95).ChiSquare()
		if e.Pass != c.pass {
			t.Errorf("%s: band test pass = %v, want %v (outside at %v)", c.name, e.Pass, c.pass, e.Outside)
		}
		// χ²(19) at α = 0.05 (critical value 30.14, calibration.md §1.2).
		if (chi.P > 0.05) != c.pass {
			t.Errorf("%s: χ² = %.2f, p = %.3g; want pass = %v", c.name, chi.Statistic, chi.P, c.pass)
		}
		if e.F[0] != 0 || e.F[k] != 1 || e.Diff[k] != 0 {
			t.Errorf("%s: ECDF must run from 0 to 1, got %v … %v", c.name, e.F[0], e.F[k])
		}
	}
}

func TestRankECDFByHand(t *testing.T) {
	// Ranks {0, 1, 2, 3} with L = 3 on K = 4: F̂(i/4) = #{r < i}/4 = i/4,
	// so the ECDF difference is zero everywhere.
	b := SimultaneousBands(4, 4, 0.95)
	e := NewRankECDF([]int{3, 1, 0, 2}, 3, b)
	for i, f := range e.F {
		checkClose(t, "F̂", f, float64(i)/4, 1e-15)
		checkClose(t, "F̂ − z", e.Diff[i], 0, 1e-15)
	}
	if !e.Pass {
		t.Errorf("perfectly uniform ranks fail the band test (outside at %v)", e.Outside)
	}
	// K = 3 does not divide L+1 = 4: the result warns.
	e = NewRankECDF([]int{3, 1, 0, 2}, 3, SimultaneousBands(4, 3, 0.95))
	if !hasWarning(e.Warnings, "does not divide") {
		t.Errorf("warnings %q lack the grid warning", e.Warnings)
	}
}

func TestBandsAreSymmetric(t *testing.T) {
	// On the grid i/K the law of N − N·F̂(1 − z) is that of N·F̂(z), so the
	// bands satisfy Upper[i] = N − Lower[K−i] (the symmetry the SBC
	// package uses to build its upper bounds).
	for _, c := range [][2]int{{200, 20}, {100, 100}, {500, 100}} {
		n, k := c[0], c[1]
		b := SimultaneousBands(n, k, 0.95)
		for i := 0; i <= k; i++ {
			if b.Upper[i] != n-b.Lower[k-i] {
				t.Errorf("N=%d K=%d: Upper[%d] = %d, N − Lower[%d] = %d", n, k, i, b.Upper[i], k-i, n-b.Lower[k-i])
			}
		}
	}
}

// TestRankECDFPValue checks the band test's p-value against the
// probability it stands for, P(γ_null ≤ γ_obs) under uniform ranks,
// estimated from 4,000 simulated sets of uniform ranks on the same grid
// (within 4 Monte Carlo standard errors); that Pass is γ_obs ≥ the bands'
// γ, up to rounding; and that the shifted and over-dispersed ranks of TestBandTestOnRanks
// get p-values far below 5%.
func TestRankECDFPValue(t *testing.T) {
	const n, l, sims = 200, 99, 4000
	b := SimultaneousBands(n, DefaultECDFPoints(n, l), 0.95)
	null := make([]float64, sims)
	rng := newRand(7, 1)
	ranks := make([]int, n)
	for s := range null {
		for i := range ranks {
			ranks[i] = rng.IntN(l + 1)
		}
		e := NewRankECDF(ranks, l, b)
		if e.Pass != (e.Gamma >= b.Gamma*(1-1e-12)) { // both are binomial tails, summed differently
			t.Fatalf("null set %d: Pass %v with γ_obs %g against the bands' γ %g", s, e.Pass, e.Gamma, b.Gamma)
		}
		null[s] = e.Gamma
	}
	for i, c := range []struct{ shift, scale float64 }{{0, 1}, {0.15, 1}, {0, 0.85}, {0, 1.2}} {
		e := NewRankECDF(simulatedRanks(newRand(8, uint64(i)), n, l, c.shift, c.scale), l, b)
		p := e.PValue()
		hits := 0
		for _, g := range null {
			if g <= e.Gamma*(1+1e-9) { // ties: γ is discrete, and equal γ of mirrored counts differ by rounding
				hits++
			}
		}
		mc := float64(hits) / sims
		if mcse := math.Sqrt(max(mc, 1/float64(sims)) * (1 - mc) / sims); math.Abs(p-mc) > 4*mcse {
			t.Errorf("shift %v, scale %v: p %.4f, Monte Carlo %.4f ± %.4f", c.shift, c.scale, p, mc, mcse)
		}
		if e.Pass != (p > 0.05) && math.Abs(p-0.05) > 0.01 {
			t.Errorf("shift %v, scale %v: Pass %v with p %.4f", c.shift, c.scale, e.Pass, p)
		}
	}
	for i, c := range []struct{ shift, scale float64 }{{0.5, 1}, {0, 0.6}} {
		if p := NewRankECDF(simulatedRanks(newRand(5, uint64(i+1)), 500, l, c.shift, c.scale), l,
			SimultaneousBands(500, 100, 0.95)).PValue(); !(p < 1e-4) {
			t.Errorf("shift %v, scale %v: p %.3g, want < 1e-4", c.shift, c.scale, p)
		}
	}
}

// TestHolmRejects checks Holm's procedure against R's
// p.adjust(c(0.01, 0.04, 0.03, 0.005), "holm") = 0.03 0.06 0.06 0.02:
// at 5% the first and the last are rejected; a NaN is not a test, so with
// one added the answer is the same; and with none small, none.
func TestHolmRejects(t *testing.T) {
	p := []float64{0.01, 0.04, 0.03, 0.005}
	if got := HolmRejects(p, 0.05); !slices.Equal(got, []int{0, 3}) {
		t.Errorf("Holm rejects %v, want [0 3]", got)
	}
	if got := HolmRejects(append(p, math.NaN()), 0.05); !slices.Equal(got, []int{0, 3}) {
		t.Errorf("with a NaN: Holm rejects %v, want [0 3]", got)
	}
	if got := HolmRejects([]float64{0.2, 0.03, 0.5}, 0.05); len(got) != 0 {
		t.Errorf("Holm rejects %v, want none (0.03 > 0.05/3)", got)
	}
}
