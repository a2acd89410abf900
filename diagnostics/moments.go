package diagnostics

// mean returns the mean of x with one refinement pass, as R's mean.
func mean(x []float64) float64 {
	n := float64(len(x))
	var s float64
	for _, v := range x {
		s += v
	}
	m := s / n
	var r float64
	for _, v := range x {
		r += v - m
	}
	return m + r/n
}

// variance returns the sample variance of x (n − 1 denominator), as R's var.
func variance(x []float64) float64 {
	m := mean(x)
	var ss float64
	for _, v := range x {
		d := v - m
		ss += d * d
	}
	return ss / float64(len(x)-1)
}
