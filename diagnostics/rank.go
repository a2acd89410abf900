package diagnostics

import (
	"cmp"
	"slices"

	"gonum.org/v1/gonum/stat/distuv"
)

// averageRanks returns the 1-based ranks of x, ties getting the mean of the
// ranks they span (R's rank with ties.method = "average").
func averageRanks(x []float64) []float64 {
	type entry struct {
		value float64
		index int
	}
	order := make([]entry, len(x))
	for i, v := range x {
		order[i] = entry{v, i}
	}
	slices.SortFunc(order, func(a, b entry) int { return cmp.Compare(a.value, b.value) })
	ranks := make([]float64, len(x))
	for i := 0; i < len(order); {
		j := i + 1
		for j < len(order) && order[j].value == order[i].value {
			j++
		}
		// Positions i+1..j share the rank (i+1+j)/2.
		r := float64(i+1+j) / 2
		for k := i; k < j; k++ {
			ranks[order[k].index] = r
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
