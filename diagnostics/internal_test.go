package diagnostics

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestSplitChainsDropsMiddleDraw(t *testing.T) {
	// posterior's .split_chains: first ⌊N/2⌋ and last ⌊N/2⌋ draws.
	got := splitChains([][]float64{{1, 2, 3, 4, 5}, {6, 7, 8, 9, 10}})
	want := [][]float64{{1, 2}, {6, 7}, {4, 5}, {9, 10}}
	if !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("splitChains = %v, want %v", got, want)
	}
}

func TestAverageRanks(t *testing.T) {
	// R: rank(c(3, 1, 3, 2, 3), ties.method = "average") = 4 1 4 2 4.
	got := averageRanks([]float64{3, 1, 3, 2, 3})
	want := []float64{4, 1, 4, 2, 4}
	if !slices.Equal(got, want) {
		t.Errorf("averageRanks = %v, want %v", got, want)
	}
}

func TestAutocovarianceMatchesDirectSum(t *testing.T) {
	// The FFT result must equal the definition
	// ĉ(t) = (1/n) Σ_{i<n−t} (x_i − x̄)(x_{i+t} − x̄), for lengths with and
	// without factors other than 2, 3 and 5.
	rng := rand.New(rand.NewPCG(3, 1))
	for _, n := range []int{3, 7, 64, 97, 250} {
		x := make([]float64, n)
		for i := range x {
			x[i] = rng.NormFloat64() + 5
		}
		got := make([]float64, n)
		newAutocovariance(n).compute(got, x)
		m := mean(x)
		for lag := range n {
			var want float64
			for i := 0; i+lag < n; i++ {
				want += (x[i] - m) * (x[i+lag] - m)
			}
			want /= float64(n)
			if math.Abs(got[lag]-want) > 1e-12 {
				t.Errorf("n=%d lag %d: FFT %.17g, direct %.17g", n, lag, got[lag], want)
			}
		}
	}
}

func TestNextFastLength(t *testing.T) {
	// R: nextn(c(1, 7, 97, 100, 101, 121)) = 1 8 100 100 108 125.
	for _, c := range []struct{ n, want int }{{1, 1}, {7, 8}, {97, 100}, {100, 100}, {101, 108}, {121, 125}} {
		if got := nextFastLength(c.n); got != c.want {
			t.Errorf("nextFastLength(%d) = %d, want %d", c.n, got, c.want)
		}
	}
}
