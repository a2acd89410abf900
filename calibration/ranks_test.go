package calibration

import (
	"math"
	"testing"
)

func TestRankCountsAndTies(t *testing.T) {
	rng := newRand(1, 1)
	// No ties: the rank is the count below the truth (Talts et al. 2018).
	if got := Rank(rng, []float64{0.1, 0.5, 0.9, 0.3}, 0.4); got != 2 {
		t.Errorf("rank without ties = %d, want 2", got)
	}
	// Ties (including a NaN draw) are broken uniformly on {0, …, #ties}:
	// with 1 draw below and 3 ties the rank is uniform on {1, 2, 3, 4}.
	draws := []float64{-1, 2, 2, math.NaN(), 5}
	const m = 20000
	counts := make([]int, len(draws)+1)
	for range m {
		counts[Rank(rng, draws, 2)]++
	}
	for r, c := range counts {
		p := 0.0
		if r >= 1 && r <= 4 {
			p = 0.25
		}
		se := math.Sqrt(max(p*(1-p), 1e-12) / m)
		checkMC(t, "tie-broken rank frequency", float64(c)/m, p, se)
	}
}

func TestRankUniformUnderExactInference(t *testing.T) {
	// Ranks of a truth among L draws of its own law are uniform on
	// {0, …, L} (Talts et al. 2018, Theorem 1); L = 9, N = 20000.
	const n, l = 20000, 9
	ranks := simulatedRanks(newRand(2, 1), n, l, 0, 1)
	counts := make([]int, l+1)
	for _, r := range ranks {
		counts[r]++
	}
	p := 1.0 / (l + 1)
	for _, c := range counts {
		checkMC(t, "rank frequency", float64(c)/n, p, math.Sqrt(p*(1-p)/n))
	}
}

func TestThin(t *testing.T) {
	// ⌈S/ESS⌉ by hand: ⌈1000/400⌉ = 3, ⌈1000/1000⌉ = 1, ⌈10/3⌉ = 4.
	cases := []struct {
		s    int
		ess  float64
		step int
	}{{1000, 400, 3}, {1000, 1000, 1}, {1000, 5000, 1}, {10, 3, 4}, {10, 0, 10}, {10, math.NaN(), 10}}
	for _, c := range cases {
		if got := ThinStep(c.s, c.ess); got != c.step {
			t.Errorf("ThinStep(%d, %v) = %d, want %d", c.s, c.ess, got, c.step)
		}
	}
	draws := []float64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}
	got := Thin(nil, draws, 3)
	want := []float64{0, 4, 8}
	if len(got) != len(want) {
		t.Fatalf("Thin = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("Thin = %v, want %v", got, want)
		}
	}
}

func TestRankAndThinDoNotAllocate(t *testing.T) {
	rng := newRand(3, 1)
	draws := []float64{1, 2, 2, 3, 4, 5}
	dst := make([]float64, 0, len(draws))
	allocs := testing.AllocsPerRun(100, func() {
		_ = Rank(rng, draws, 2)
		dst = Thin(dst[:0], draws, 2)
	})
	if allocs != 0 {
		t.Errorf("Rank and Thin allocate %v times per call", allocs)
	}
}
