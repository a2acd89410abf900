package diagnostics

import (
	"math"
	"math/rand/v2"
)

// normalChains returns m chains of n draws of a stationary Gaussian AR(1)
// with coefficient rho, unit marginal variance and chain c shifted by
// shift[c] (nil for none). rho = 0 gives iid standard normal draws.
func normalChains(rng *rand.Rand, m, n int, rho float64, shift []float64) [][]float64 {
	innovation := math.Sqrt(1 - rho*rho)
	chains := make([][]float64, m)
	for c := range chains {
		x := make([]float64, n)
		prev := rng.NormFloat64()
		for i := range x {
			if i > 0 {
				prev = rho*prev + innovation*rng.NormFloat64()
			}
			x[i] = prev
		}
		if shift != nil {
			for i := range x {
				x[i] += shift[c]
			}
		}
		chains[c] = x
	}
	return chains
}

// meanSD returns the mean and sample standard deviation of x.
func meanSD(x []float64) (float64, float64) {
	return mean(x), math.Sqrt(variance(x))
}
