package diagnostics

import (
	"cmp"
	"slices"

	"gonum.org/v1/gonum/stat/distuv"
)

// averageRanks returns the 1-based ranks of x, ties getting the mean of the
// ranks they span (R's rank with ties.method = "average").
func averageRanks(x []float64) []float64 {
	order := make([]int, len(x))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return cmp.Compare(x[a], x[b]) })
	ranks := make([]float64, len(x))
	for i := 0; i < len(order); {
		j := i + 1
		for j < len(order) && x[order[j]] == x[order[i]] {
			j++
		}
		// Positions i+1..j share the rank (i+1+j)/2.
		r := float64(i+1+j) / 2
		for k := i; k < j; k++ {
			ranks[order[k]] = r
		}
		i = j
	}
	return ranks
}

// zScale returns the rank-normalized draws Φ⁻¹((r − 3/8)/(S + 1/4)), ranks
// taken over all draws of all chains, as posterior's z_scale.
func zScale(chains [][]float64) [][]float64 {
	flat := flatten(chains)
	ranks := averageRanks(flat)
	const c = 3.0 / 8
	s := float64(len(flat))
	for i, r := range ranks {
		flat[i] = distuv.UnitNormal.Quantile((r - c) / (s - 2*c + 1))
	}
	return reshape(flat, chains)
}
