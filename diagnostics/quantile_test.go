package diagnostics

import (
	"math"
	"slices"
	"testing"
)

func TestQuantileType7(t *testing.T) {
	// Hyndman & Fan (1996) type 7: h = 1 + (n−1)p, interpolate between the
	// ⌊h⌋-th and ⌈h⌉-th order statistics. Values checked by hand and with R:
	// quantile(c(4, 1, 3, 2), c(0, .05, .5, .95, 1)) = 1, 1.15, 2.5, 3.85, 4.
	x := []float64{4, 1, 3, 2}
	orig := slices.Clone(x)
	for _, c := range []struct{ p, want float64 }{
		{0, 1}, {0.05, 1.15}, {0.5, 2.5}, {0.95, 3.85}, {1, 4},
	} {
		if got := Quantile(x, c.p); math.Abs(got-c.want) > 1e-15 {
			t.Errorf("Quantile(%v, %g) = %.17g, want %g", x, c.p, got, c.want)
		}
	}
	if !slices.Equal(x, orig) {
		t.Errorf("Quantile modified its input: %v", x)
	}
	// Ties: the interpolation is skipped where both order statistics agree.
	if got := Quantile([]float64{0.1, 0.1, 0.1, 0.3}, 0.5); got != 0.1 {
		t.Errorf("Quantile of ties = %.17g, want exactly 0.1", got)
	}
	if got := Quantile([]float64{7}, 0.3); got != 7 {
		t.Errorf("Quantile of one value = %g, want 7", got)
	}
	if got := Quantile(nil, 0.5); !math.IsNaN(got) {
		t.Errorf("Quantile of no values = %g, want NaN", got)
	}
	if got := Quantile([]float64{1, math.NaN()}, 0.5); !math.IsNaN(got) {
		t.Errorf("Quantile with a NaN = %g, want NaN", got)
	}
}

// TestSortedQuantile checks SortedQuantile on sorted input against R:
// quantile(c(1, 2, 3, 4, 10), c(0.3, 0.95), type = 7) = 2.2, 8.8
// (calibration/testdata/reference.R), the end points exactly, and NaN for
// no draws.
func TestSortedQuantile(t *testing.T) {
	x := []float64{1, 2, 3, 4, 10}
	for _, c := range []struct{ p, want, tol float64 }{
		{0.3, 2.2, 1e-12}, {0.95, 8.8, 1e-12}, {0, 1, 0}, {1, 10, 0},
	} {
		if got := SortedQuantile(x, c.p); math.Abs(got-c.want) > c.tol {
			t.Errorf("SortedQuantile(%v, %g) = %.17g, want %g", x, c.p, got, c.want)
		}
	}
	if got := SortedQuantile(nil, 0.5); !math.IsNaN(got) {
		t.Errorf("SortedQuantile of no values = %g, want NaN", got)
	}
}
