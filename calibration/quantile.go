package calibration

import (
	"math"
	"slices"
)

// Quantile returns the p-quantile of the sorted sample x by linear
// interpolation between order statistics (Hyndman & Fan 1996, type 7, the
// default of R's quantile and NumPy's percentile): with h = (n−1)p,
// Q(p) = x₍⌊h⌋₎ + (h − ⌊h⌋)(x₍⌊h⌋+1₎ − x₍⌊h⌋₎), 0-based. x must be sorted
// ascending; an empty x gives NaN. It panics if p is outside [0, 1].
func Quantile(x []float64, p float64) float64 {
	if !(p >= 0 && p <= 1) {
		panic("calibration: quantile probability outside [0, 1]")
	}
	n := len(x)
	if n == 0 {
		return math.NaN()
	}
	h := float64(n-1) * p
	j := int(h)
	if j >= n-1 {
		return x[n-1]
	}
	return x[j] + (h-float64(j))*(x[j+1]-x[j])
}

// CentralInterval returns the equal-tailed interval at level q of the
// sorted sample x: [Q((1−q)/2), Q((1+q)/2)] with type-7 quantiles.
func CentralInterval(x []float64, q float64) (lo, hi float64) {
	return Quantile(x, (1-q)/2), Quantile(x, (1+q)/2)
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
