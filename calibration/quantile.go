package calibration

import (
	"math"
	"slices"

	"github.com/metabeta-go/metabeta/diagnostics"
)

// CentralInterval returns the equal-tailed interval at level q of the
// sorted sample x: [Q((1−q)/2), Q((1+q)/2)] with R's type-7 quantiles
// (diagnostics.SortedQuantile).
func CentralInterval(x []float64, q float64) (lo, hi float64) {
	return diagnostics.SortedQuantile(x, (1-q)/2), diagnostics.SortedQuantile(x, (1+q)/2)
}

// sortedCopy returns x sorted ascending in buf (reused when it has the
// capacity).
func sortedCopy(buf, x []float64) []float64 {
	buf = append(buf[:0], x...)
	slices.Sort(buf)
	return buf
}

// meanVar returns the mean and the unbiased (n−1) variance of x; the
// variance of fewer than two values is NaN.
func meanVar(x []float64) (mean, variance float64) {
	n := float64(len(x))
	if len(x) == 0 {
		return math.NaN(), math.NaN()
	}
	for _, v := range x {
		mean += v
	}
	mean /= n
	if len(x) < 2 {
		return mean, math.NaN()
	}
	for _, v := range x {
		d := v - mean
		variance += d * d
	}
	return mean, variance / (n - 1)
}

// MeanSD returns the mean and the sample standard deviation (n−1
// denominator) of the draws x.
func MeanSD(x []float64) (mean, sd float64) {
	m, v := meanVar(x)
	return m, math.Sqrt(v)
}
