package calibration

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// DefaultCoverageLevels are the nominal levels 0.50, 0.55, …, 0.95 of
// metabeta's interval evaluation (metabeta/evaluation/intervals.py:
// α ∈ {0.05, …, 0.50}).
var DefaultCoverageLevels = []float64{0.50, 0.55, 0.60, 0.65, 0.70, 0.75, 0.80, 0.85, 0.90, 0.95}

// Coverage is the empirical coverage of central equal-tailed credible
// intervals over N datasets, and the calibration errors of metabeta
// (metabeta/evaluation/summary.py):
//
//	ĉ(q) = (1/N) Σₙ 1[θ*ₙ ∈ CIₙ(q)],   SE(q) = √(q(1−q)/N),
//	ECE = mean_q (ĉ(q) − q),            EACE = mean_q |ĉ(q) − q|.
//
// ECE is signed: negative means intervals too narrow (over-confident).
type Coverage struct {
	// Levels holds the nominal levels q.
	Levels []float64
	// Represented holds the level each interval actually represents: equal
	// to Levels for draw-based coverage, n_cov/(L+1) for rank-based
	// coverage (SBC empirical_coverage's width_represented). Compare
	// Coverage against it.
	Represented []float64
	// Coverage holds ĉ(q).
	Coverage []float64
	// SE holds the Monte Carlo SE of ĉ(q) under calibration,
	// √(q(1−q)/N) with q the represented level (at q = 0.95 and
	// N = 1000 it is 0.0069).
	SE []float64
	// N is the number of datasets.
	N int
	// ECE is the signed mean error mean_q (ĉ − q) and ECESE its Monte
	// Carlo SE, the sample SD over datasets of eₙ = mean_q(1[covered] − q)
	// divided by √N (the levels share datasets, so their errors are
	// correlated and do not add in quadrature).
	ECE, ECESE float64
	// EACE is mean_q |ĉ − q| and EACESE its delta-method SE, computed as
	// ECESE with each level's term signed by sign(ĉ − q); it is accurate
	// when the errors are large against SE(q).
	EACE, EACESE float64
	// EACENull is the EACE expected from Monte Carlo noise alone under
	// perfect calibration, mean_q √(2/π)·SE(q) (the mean of a half-normal):
	// an EACE near it is indistinguishable from zero.
	EACENull float64
	// Warnings lists caveats (few datasets).
	Warnings []string
}

// NewCoverage returns the coverage of the truths by central intervals of
// the draws at each level. draws[n] holds the posterior draws of one
// scalar for dataset n and truths[n] its true value; a NaN truth or an
// empty draw set counts as not covered. It panics if len(draws) ≠ len(truths) or a level
// is outside (0, 1).
func NewCoverage(draws [][]float64, truths, levels []float64) Coverage {
	if len(draws) != len(truths) {
		panic(fmt.Sprintf("calibration: %d draw sets for %d truths", len(draws), len(truths)))
	}
	checkLevels(levels)
	covered := make([][]bool, len(truths))
	var buf []float64
	for n, d := range draws {
		covered[n] = make([]bool, len(levels))
		if len(d) == 0 {
			continue
		}
		buf = sortedCopy(buf, d)
		for j, q := range levels {
			lo, hi := CentralInterval(buf, q)
			covered[n][j] = truths[n] >= lo && truths[n] <= hi
		}
	}
	return summarizeCoverage(covered, levels, levels)
}

// NewRankCoverage returns the coverage of central intervals computed from
// SBC ranks in 0..l as the SBC R package's empirical_coverage does:
// n_cov = round((L+1)q), low = round(L/2 − n_cov/2), high = low + n_cov − 1,
// covered when low ≤ r ≤ high; the interval represents n_cov/(L+1). It
// panics on a rank outside 0..l or a level outside (0, 1).
func NewRankCoverage(ranks []int, l int, levels []float64) Coverage {
	checkRanks(ranks, l)
	checkLevels(levels)
	rep := make([]float64, len(levels))
	lows := make([]int, len(levels))
	highs := make([]int, len(levels))
	for j, q := range levels {
		nCov := int(math.RoundToEven(float64(l+1) * q))
		lows[j] = int(math.RoundToEven(float64(l)/2 - float64(nCov)/2))
		highs[j] = lows[j] + nCov - 1
		rep[j] = float64(nCov) / float64(l+1)
	}
	covered := make([][]bool, len(ranks))
	for n, r := range ranks {
		covered[n] = make([]bool, len(levels))
		for j := range levels {
			covered[n][j] = r >= lows[j] && r <= highs[j]
		}
	}
	c := summarizeCoverage(covered, levels, rep)
	c.Warnings = append(c.Warnings, sbcWarnings(len(ranks), l)...)
	return c
}

func checkLevels(levels []float64) {
	for _, q := range levels {
		if !(q > 0 && q < 1) {
			panic(fmt.Sprintf("calibration: coverage level %v outside (0, 1)", q))
		}
	}
}

// summarizeCoverage turns per-dataset indicators covered[n][j] into a
// Coverage against the represented levels rep.
func summarizeCoverage(covered [][]bool, levels, rep []float64) Coverage {
	n := len(covered)
	nl := len(levels)
	c := Coverage{Levels: levels, Represented: rep, N: n,
		Coverage: make([]float64, nl), SE: make([]float64, nl)}
	if n < MinReplicates {
		c.Warnings = append(c.Warnings, fmt.Sprintf("fewer than %d datasets (N = %d)", MinReplicates, n))
	}
	if n == 0 || nl == 0 {
		c.ECE, c.ECESE, c.EACE, c.EACESE, c.EACENull = math.NaN(), math.NaN(), math.NaN(), math.NaN(), math.NaN()
		for j := range c.Coverage {
			c.Coverage[j], c.SE[j] = math.NaN(), math.NaN()
		}
		return c
	}
	nn := float64(n)
	for _, row := range covered {
		for j, ok := range row {
			if ok {
				c.Coverage[j]++
			}
		}
	}
	sign := make([]float64, nl)
	for j := range c.Coverage {
		c.Coverage[j] /= nn
		c.SE[j] = math.Sqrt(rep[j] * (1 - rep[j]) / nn)
		d := c.Coverage[j] - rep[j]
		c.ECE += d
		c.EACE += math.Abs(d)
		c.EACENull += math.Sqrt(2/math.Pi) * c.SE[j]
		sign[j] = 1
		if d < 0 {
			sign[j] = -1
		}
	}
	ql := float64(nl)
	c.ECE /= ql
	c.EACE /= ql
	c.EACENull /= ql
	// Per-dataset contributions eₙ and aₙ, whose means are ECE and EACE.
	e := make([]float64, n)
	a := make([]float64, n)
	for i, row := range covered {
		for j, ok := range row {
			v := -rep[j]
			if ok {
				v++
			}
			e[i] += v / ql
			a[i] += sign[j] * v / ql
		}
	}
	_, ve := meanVar(e)
	_, va := meanVar(a)
	c.ECESE = math.Sqrt(ve / nn)
	c.EACESE = math.Sqrt(va / nn)
	return c
}

// Band returns, per level, the central prob-interval of the Beta(k+1,
// N−k+1) distribution with k = N·ĉ(q) the number of covering datasets:
// the uncertainty band of the empirical coverage that the SBC R package
// (empirical_coverage) and BayesFlow's coverage plot draw. It panics if
// prob is not in (0, 1).
func (c Coverage) Band(prob float64) (lo, hi []float64) {
	if !(prob > 0 && prob < 1) {
		panic("calibration: band probability must lie in (0, 1)")
	}
	lo = make([]float64, len(c.Coverage))
	hi = make([]float64, len(c.Coverage))
	nn := float64(c.N)
	for j, cov := range c.Coverage {
		k := math.Round(cov * nn)
		b := distuv.Beta{Alpha: k + 1, Beta: nn - k + 1}
		lo[j] = b.Quantile((1 - prob) / 2)
		hi[j] = b.Quantile((1 + prob) / 2)
	}
	return lo, hi
}
