package diagnostics

import (
	"math"
	"slices"
)

// Quantile returns the p-quantile of x by R's default definition (type 7,
// Hyndman & Fan 1996): with h = 1 + (n−1)p, the linear interpolation between
// the ⌊h⌋-th and ⌈h⌉-th smallest values. x is not modified. It returns NaN if
// x is empty or holds a NaN, and panics if p is outside [0, 1].
func Quantile(x []float64, p float64) float64 {
	if !(p >= 0 && p <= 1) {
		panic(errProb)
	}
	if len(x) == 0 || slices.ContainsFunc(x, math.IsNaN) {
		return math.NaN()
	}
	return sortedQuantile(slices.Sorted(slices.Values(x)), p)
}

// SortedQuantile is Quantile of draws already sorted ascending and free of
// NaN, without Quantile's check, copy and sort: for callers that take
// several quantiles of one sample. An empty x gives NaN; it panics if p is
// outside [0, 1]. Unsorted input gives a meaningless value.
func SortedQuantile(sorted []float64, p float64) float64 {
	if !(p >= 0 && p <= 1) {
		panic(errProb)
	}
	if len(sorted) == 0 {
		return math.NaN()
	}
	return sortedQuantile(sorted, p)
}

// sortedQuantile is Quantile of ascending, NaN-free, non-empty draws, with
// R's arithmetic: qs = (1−h)·x[lo] + h·x[hi] where the two differ.
func sortedQuantile(sorted []float64, p float64) float64 {
	index := 1 + float64(len(sorted)-1)*p
	lo := math.Floor(index)
	hi := math.Ceil(index)
	qs := sorted[int(lo)-1]
	xhi := sorted[int(hi)-1]
	if index > lo && xhi != qs {
		h := index - lo
		qs = (1-h)*qs + h*xhi
	}
	return qs
}
