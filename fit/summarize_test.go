package fit

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/metabeta-go/metabeta/diagnostics"
)

// TestPlaceQuantiles checks the selection behind the summaries' quantiles
// against diagnostics.Quantile (a full sort) bit for bit, on draws with
// and without ties, constant draws and the smallest sizes.
func TestPlaceQuantiles(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var cases [][]float64
	for _, n := range []int{1, 2, 3, 4, 5, 19, 20, 21, 100, 1000, 4000} {
		normal, ties := make([]float64, n), make([]float64, n)
		for i := range normal {
			normal[i] = rng.NormFloat64()
			ties[i] = float64(rng.IntN(4))
		}
		cases = append(cases, normal, ties, make([]float64, n))
		sorted := slices.Clone(normal)
		slices.Sort(sorted)
		desc := slices.Clone(sorted)
		slices.Reverse(desc)
		cases = append(cases, sorted, desc)
	}
	for c, x := range cases {
		ps := []float64{0.05, 0.5, 0.95}
		want := make([]float64, len(ps))
		for i, p := range ps {
			want[i] = diagnostics.Quantile(x, p)
		}
		y := slices.Clone(x)
		placeQuantiles(y, ps)
		for i, p := range ps {
			if got := diagnostics.SortedQuantile(y, p); got != want[i] {
				t.Errorf("case %d (n %d): quantile %g is %v, want %v", c, len(x), p, got, want[i])
			}
		}
	}
}
