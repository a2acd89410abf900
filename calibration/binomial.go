package calibration

import (
	"math"
	"slices"
)

// This file holds the binomial arithmetic behind the ECDF bands and the
// log-γ statistic. Everything is in log space through a table of log k!,
// so no binomial coefficient overflows and no tail underflows before it
// is negligible.

// logFactorials returns lf with lf[k] = log k! for k = 0..n.
func logFactorials(n int) []float64 {
	lf := make([]float64, n+1)
	for k := 2; k <= n; k++ {
		lf[k] = lf[k-1] + math.Log(float64(k))
	}
	return lf
}

// binomLogPMF returns log P(X = k) for X ~ Binomial(n, p), using the log
// factorial table lf (len ≥ n+1). The degenerate p = 0 and p = 1 are exact.
func binomLogPMF(lf []float64, k, n int, p float64) float64 {
	if k < 0 || k > n {
		return math.Inf(-1)
	}
	switch {
	case p <= 0:
		if k == 0 {
			return 0
		}
		return math.Inf(-1)
	case p >= 1:
		if k == n {
			return 0
		}
		return math.Inf(-1)
	}
	return binomLogPMFLogs(lf, k, n, math.Log(p), math.Log1p(-p))
}

// binomLogPMFLogs is binomLogPMF for 0 < p < 1 given log p and log(1−p),
// for loops over k at a fixed p.
func binomLogPMFLogs(lf []float64, k, n int, logp, log1mp float64) float64 {
	return lf[n] - lf[k] - lf[n-k] + float64(k)*logp + float64(n-k)*log1mp
}

// binomCDF returns P(X ≤ k) for X ~ Binomial(n, p). It sums whichever tail
// is shorter, so that a probability near 0 keeps its relative precision.
func binomCDF(lf []float64, k, n int, p float64) float64 {
	if k < 0 {
		return 0
	}
	if k >= n {
		return 1
	}
	switch {
	case p <= 0: // X = 0 ≤ k
		return 1
	case p >= 1: // X = n > k
		return 0
	}
	logp, log1mp := math.Log(p), math.Log1p(-p)
	mode := int(float64(n+1) * p)
	if k <= mode {
		s := 0.0
		for j := k; j >= 0; j-- {
			t := math.Exp(binomLogPMFLogs(lf, j, n, logp, log1mp))
			s += t
			if t < s*1e-17 && j < k {
				break
			}
		}
		return math.Min(s, 1)
	}
	return math.Max(1-binomSF(lf, k+1, n, p), 0)
}

// binomSF returns P(X ≥ k) for X ~ Binomial(n, p), summing the shorter
// tail as binomCDF does.
func binomSF(lf []float64, k, n int, p float64) float64 {
	if k <= 0 {
		return 1
	}
	if k > n {
		return 0
	}
	switch {
	case p <= 0: // X = 0 < k
		return 0
	case p >= 1: // X = n ≥ k
		return 1
	}
	logp, log1mp := math.Log(p), math.Log1p(-p)
	mode := int(float64(n+1) * p)
	if k > mode {
		s := 0.0
		for j := k; j <= n; j++ {
			t := math.Exp(binomLogPMFLogs(lf, j, n, logp, log1mp))
			s += t
			if t < s*1e-17 && j > k {
				break
			}
		}
		return math.Min(s, 1)
	}
	return math.Max(1-binomCDF(lf, k-1, n, p), 0)
}

// binomTails holds, for one success probability p, the left tail
// cdf[x] = P(X ≤ x) for x = 0..len(cdf)−1 and the right tail
// sf[j] = P(X ≥ n−j) for j = 0..len(sf)−1, each stored only until it
// reaches maxTail: quantiles at tail probabilities ≤ maxTail lie inside.
type binomTails struct {
	cdf, sf []float64
}

// newBinomTails tabulates the tails of Binomial(n, p) up to maxTail. The
// running sums are built in scratch (grown as needed and returned for
// reuse) and copied out at their final size.
func newBinomTails(lf []float64, n int, p, maxTail float64, scratch []float64) (binomTails, []float64) {
	var t binomTails
	s := 0.0
	scratch = scratch[:0]
	for x := 0; x <= n; x++ {
		s += math.Exp(binomLogPMF(lf, x, n, p))
		scratch = append(scratch, s)
		if s >= maxTail {
			break
		}
	}
	t.cdf = slices.Clone(scratch)
	s = 0
	scratch = scratch[:0]
	for x := n; x >= 0; x-- {
		s += math.Exp(binomLogPMF(lf, x, n, p))
		scratch = append(scratch, s)
		if s >= maxTail {
			break
		}
	}
	t.sf = slices.Clone(scratch)
	return t, scratch
}

// lower returns the smallest x with P(X ≤ x) ≥ tail (the qbinom quantile
// at tail). tail must not exceed the maxTail of the table.
func (t binomTails) lower(tail float64) int {
	for x, c := range t.cdf {
		if c >= tail {
			return x
		}
	}
	return len(t.cdf) - 1
}

// upper returns the largest x with P(X ≥ x) ≥ tail; n is the number of
// trials. tail must not exceed the maxTail of the table.
func (t binomTails) upper(n int, tail float64) int {
	for j, c := range t.sf {
		if c >= tail {
			return n - j
		}
	}
	return n - (len(t.sf) - 1)
}
