package calibration

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// RankHistogram holds the counts of N SBC ranks in J equal bins of
// {0, …, L} (Talts et al. 2018): rank r falls in bin ⌊r·J/(L+1)⌋, so each
// bin holds (L+1)/J rank values and, under uniformity, a Binomial(N, 1/J)
// count.
type RankHistogram struct {
	// Counts holds the number of ranks per bin.
	Counts []int
	// N is the number of ranks and L the largest possible rank.
	N, L int
	// Expected is the count per bin under uniformity, N/J.
	Expected float64
	// Lo and Hi are the Level-probability central band of one bin count,
	// the (1−Level)/2 and (1+Level)/2 quantiles of Binomial(N, 1/J)
	// (pointwise, as in the SBC package's plot_rank_hist).
	Lo, Hi int
	// Level is the probability of the band [Lo, Hi].
	Level float64
	// Warnings lists caveats: few replicates, few draws, expected count
	// per bin below MinExpectedCount.
	Warnings []string
}

// NewRankHistogram bins ranks in 0..l into j bins with a pointwise band at
// level. It panics if j < 1, (l+1) is not divisible by j, a rank lies
// outside 0..l or level is not in (0, 1).
func NewRankHistogram(ranks []int, l, j int, level float64) RankHistogram {
	checkRanks(ranks, l)
	if j < 1 || (l+1)%j != 0 {
		panic(fmt.Sprintf("calibration: %d bins do not divide L+1 = %d", j, l+1))
	}
	if !(level > 0 && level < 1) {
		panic("calibration: band level must lie in (0, 1)")
	}
	h := RankHistogram{Counts: make([]int, j), N: len(ranks), L: l, Level: level,
		Expected: float64(len(ranks)) / float64(j)}
	for _, r := range ranks {
		h.Counts[r*j/(l+1)]++
	}
	if h.N > 0 {
		lf := logFactorials(h.N)
		t, _ := newBinomTails(lf, h.N, 1/float64(j), (1-level)/2, nil)
		h.Lo = t.lower((1 - level) / 2)
		h.Hi = t.upper(h.N, (1-level)/2)
	}
	h.Warnings = sbcWarnings(h.N, l)
	if h.Expected < MinExpectedCount {
		h.Warnings = append(h.Warnings, fmt.Sprintf("expected bin count %.3g < %d", h.Expected, MinExpectedCount))
	}
	return h
}

// DefaultRankBins returns the number of histogram bins for n ranks in
// 0..l: the largest divisor of L+1 not above min(L+1, max(⌊N/10⌋, 5)),
// the SBC R package's guess_rank_hist_bins (R/plot.R) restricted to
// divisors so that every bin holds the same number of rank values.
func DefaultRankBins(n, l int) int {
	target := min(l+1, max(n/10, 5))
	for j := target; j > 1; j-- {
		if (l+1)%j == 0 {
			return j
		}
	}
	return 1
}

// ChiSquare is Pearson's χ² goodness-of-fit test of histogram counts
// against equal expected counts: X² = Σⱼ (bⱼ − e)²/e, referred to
// χ²(J − 1).
type ChiSquare struct {
	// Statistic is X².
	Statistic float64
	// DF is the degrees of freedom, J − 1.
	DF int
	// P is the upper-tail p-value P(χ²_DF ≥ X²).
	P float64
	// Warnings carries the histogram's warnings.
	Warnings []string
}

// ChiSquare tests h for uniformity. It has low power against the
// miscalibrations SBC looks for (Stan User's Guide); prefer the ECDF band
// test. A histogram with fewer than two bins or no ranks gives P = NaN.
func (h RankHistogram) ChiSquare() ChiSquare {
	c := ChiSquare{DF: len(h.Counts) - 1, Warnings: h.Warnings}
	if c.DF < 1 || h.N == 0 {
		c.Statistic, c.P = math.NaN(), math.NaN()
		return c
	}
	for _, b := range h.Counts {
		d := float64(b) - h.Expected
		c.Statistic += d * d / h.Expected
	}
	c.P = distuv.ChiSquared{K: float64(c.DF)}.Survival(c.Statistic)
	return c
}
