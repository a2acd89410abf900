package diagnostics

import (
	"math"
	"slices"
)

// Summary holds posterior::summarise_draws-style statistics of one scalar
// quantity over all chains.
type Summary struct {
	Mean float64 // mean of all draws
	SD   float64 // standard deviation of all draws (n − 1 denominator)
	Q5   float64 // 5% quantile (type 7)
	Q50  float64 // median (type 7)
	Q95  float64 // 95% quantile (type 7)

	Rhat     float64 // max of bulk and tail rank-normalized split R̂
	ESSBulk  float64 // bulk effective sample size
	ESSTail  float64 // tail effective sample size
	MCSEMean float64 // Monte Carlo standard error of the mean
}

// Summarize returns the Summary of chains[c][i], equal to calling Quantile,
// Rhat, ESSBulk, ESSTail and MCSEMean separately but sharing the sort and
// the rank normalization. Statistics that posterior reports as NA are NaN;
// quantiles are NaN if a draw is NaN.
func Summarize(chains [][]float64) Summary {
	checkShape(chains)
	flat := flatten(chains)
	nan := math.NaN()
	if len(flat) == 0 {
		return Summary{nan, nan, nan, nan, nan, nan, nan, nan, nan}
	}
	var s Summary
	s.Mean = mean(flat)
	s.SD = math.Sqrt(variance(flat))
	if slices.ContainsFunc(flat, math.IsNaN) {
		s.Q5, s.Q50, s.Q95 = nan, nan, nan
	} else {
		slices.Sort(flat)
		s.Q5 = sortedQuantile(flat, 0.05)
		s.Q50 = sortedQuantile(flat, 0.5)
		s.Q95 = sortedQuantile(flat, 0.95)
	}
	if shouldReturnNaN(chains) {
		s.Rhat, s.ESSBulk, s.ESSTail, s.MCSEMean = nan, nan, nan, nan
		return s
	}
	split := splitChains(chains)
	bulk := zScale(split)
	med := s.Q50
	folded := mapChains(chains, func(v float64) float64 { return math.Abs(v - med) })
	rhatBulk, rhatTail := rhat(bulk), rhat(zScale(splitChains(folded)))
	if math.IsNaN(rhatBulk) || math.IsNaN(rhatTail) {
		s.Rhat = nan
	} else {
		s.Rhat = math.Max(rhatBulk, rhatTail)
	}
	s.ESSBulk = ess(bulk)
	s.ESSTail = math.Min(essQuantileSorted(chains, flat, 0.05), essQuantileSorted(chains, flat, 0.95))
	s.MCSEMean = s.SD / math.Sqrt(ess(split))
	return s
}
