package calibration

import "fmt"

// Column appends column j of draws, a row-major S×dim matrix (draw s,
// quantity j at draws[s·dim + j], the layout of fit.Draws chains and of
// batched NPE samples), to dst and returns the extended slice. Every
// metric here works on one scalar at a time: the per-parameter values of
// an N×S×D estimate are obtained by taking Column of each dataset. With a
// dst of enough capacity it does not allocate. It panics if dim < 1, j is
// outside 0..dim−1 or len(draws) is not a multiple of dim.
func Column(dst, draws []float64, dim, j int) []float64 {
	if dim < 1 || j < 0 || j >= dim || len(draws)%dim != 0 {
		panic(fmt.Sprintf("calibration: column %d of %d values in rows of %d", j, len(draws), dim))
	}
	for i := j; i < len(draws); i += dim {
		dst = append(dst, draws[i])
	}
	return dst
}
