package calibration

import (
	"math"
	"math/rand/v2"
)

// Rank returns the SBC rank of truth among draws (Talts et al. 2018,
// arXiv 1804.06788): the number of draws below truth plus a uniform
// integer in {0, …, #ties}, which breaks ties at random as the SBC R
// package does (R/results.R, calculate_ranks_draws_matrix). A NaN, in a
// draw or in truth, counts as a tie. Under exact inference the rank is
// uniform on {0, …, len(draws)}. It does not allocate.
func Rank(rng *rand.Rand, draws []float64, truth float64) int {
	below, ties := 0, 0
	for _, d := range draws {
		switch {
		case d < truth:
			below++
		case d == truth || math.IsNaN(d) || math.IsNaN(truth):
			ties++
		}
	}
	if ties == 0 {
		return below
	}
	return below + rng.IntN(ties+1)
}

// ThinStep returns the step ⌈S/ESS⌉ that keeps about ESS of s correlated
// MCMC draws, so that the kept draws are close to independent as SBC
// assumes (Talts et al. 2018, Sec. 4.1; the SBC package's thin_ranks). An
// ess of at least s gives step 1; a non-positive or NaN ess gives step s,
// keeping a single draw.
func ThinStep(s int, ess float64) int {
	if s <= 0 {
		return 1
	}
	if math.IsNaN(ess) || ess <= 0 {
		return s
	}
	if ess >= float64(s) {
		return 1
	}
	return int(math.Ceil(float64(s) / ess))
}

// Thin appends every ThinStep(len(draws), ess)-th draw of draws to dst,
// starting with the first, and returns the extended slice. With a dst of
// enough capacity it does not allocate.
func Thin(dst, draws []float64, ess float64) []float64 {
	step := ThinStep(len(draws), ess)
	for i := 0; i < len(draws); i += step {
		dst = append(dst, draws[i])
	}
	return dst
}
