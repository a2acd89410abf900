package calibration

import (
	"math"
	"strings"
	"testing"
)

func TestChiSquareByHand(t *testing.T) {
	// Counts 10, 20, 30 in J = 3 bins of L+1 = 3 ranks: e = 20 and
	// X² = (100 + 0 + 100)/20 = 10; for df = 2, P(χ² ≥ x) = exp(−x/2),
	// = 0.00673794699908547 (also R pchisq, testdata/reference.R).
	var ranks []int
	for r, c := range []int{10, 20, 30} {
		for range c {
			ranks = append(ranks, r)
		}
	}
	h := NewRankHistogram(ranks, 2, 3, 0.95)
	c := h.ChiSquare()
	checkClose(t, "X²", c.Statistic, 10, 1e-12)
	if c.DF != 2 {
		t.Errorf("df = %d, want 2", c.DF)
	}
	checkClose(t, "p", c.P, math.Exp(-5), 1e-12)
	if !hasWarning(h.Warnings, "fewer than 100 SBC replicates") || !hasWarning(h.Warnings, "fewer than 49 draws") {
		t.Errorf("warnings %q lack the replicate and draw counts", h.Warnings)
	}
}

func TestRankHistogramBinsAndBand(t *testing.T) {
	// L = 999, J = 20 (Stan User's Guide): bin(r) = ⌊r·20/1000⌋, so ranks
	// 0..49 fall in bin 0 and 950..999 in bin 19.
	ranks := []int{0, 49, 50, 999, 950, 500}
	h := NewRankHistogram(ranks, 999, 20, 0.99)
	want := map[int]int{0: 2, 1: 1, 10: 1, 19: 2}
	for j, c := range h.Counts {
		if c != want[j] {
			t.Errorf("bin %d holds %d, want %d", j, c, want[j])
		}
	}
	if !hasWarning(h.Warnings, "expected bin count") {
		t.Errorf("warnings %q lack the expected-count warning", h.Warnings)
	}
	// Band: R qbinom(.005/.995, 1000, 1/20) = 33/69 (testdata/reference.R).
	many := make([]int, 1000)
	for i := range many {
		many[i] = i
	}
	h = NewRankHistogram(many, 999, 20, 0.99)
	if h.Lo != 33 || h.Hi != 69 {
		t.Errorf("band = [%d, %d], want [33, 69]", h.Lo, h.Hi)
	}
}

func TestRankHistogramPanicsOnBadBins(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("no panic for 7 bins of L+1 = 1000")
		}
	}()
	NewRankHistogram([]int{1}, 999, 7, 0.95)
}

func hasWarning(ws []string, part string) bool {
	for _, w := range ws {
		if strings.Contains(w, part) {
			return true
		}
	}
	return false
}

func TestDefaultRankBins(t *testing.T) {
	// SBC guess_rank_hist_bins = min(L+1, max(⌊N/10⌋, 5)), restricted to
	// divisors of L+1: N = 200, L = 999 → 20; N = 1000, L = 999 → 100;
	// N = 300, L = 999 → 30 is no divisor of 1000, so 25; N = 20 → 5.
	cases := []struct{ n, l, want int }{{200, 999, 20}, {1000, 999, 100}, {300, 999, 25}, {20, 999, 5}, {1000, 9, 10}}
	for _, c := range cases {
		if got := DefaultRankBins(c.n, c.l); got != c.want {
			t.Errorf("DefaultRankBins(%d, %d) = %d, want %d", c.n, c.l, got, c.want)
		}
	}
}
