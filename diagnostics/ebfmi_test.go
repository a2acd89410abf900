package diagnostics

import (
	"math"
	"testing"
)

func TestEBFMI(t *testing.T) {
	cases := []struct {
		name   string
		energy []float64
		want   float64
	}{
		// By hand: Ē = 2.75; Σ(ΔE)² = 2² + 1² + 3² = 14;
		// Σ(E − Ē)² = 1.75² + 0.25² + 0.75² + 2.25² = 8.75; 14/8.75 = 1.6.
		{"hand", []float64{1, 3, 2, 5}, 1.6},
		// Alternating ±1 of even length N: Ē = 0, Σ(ΔE)² = 4(N−1),
		// Σ(E − Ē)² = N, so E-BFMI = 4(N−1)/N = 3.9 for N = 40.
		{"alternating", alternating(40), 3.9},
		// A linear ramp E_n = n, n = 1..N: Σ(ΔE)² = N−1 and
		// Σ(E − Ē)² = N(N²−1)/12, so E-BFMI = 12/(N(N+1)) = 12/110 for N = 10.
		{"ramp", []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 12.0 / 110},
	}
	for _, c := range cases {
		if got := EBFMI(c.energy); math.Abs(got-c.want) > 1e-14*c.want {
			t.Errorf("EBFMI(%s) = %.17g, want %.17g", c.name, got, c.want)
		}
	}
	for name, energy := range map[string][]float64{
		"empty": nil, "single": {1}, "constant": {2, 2, 2}, "NaN": {1, math.NaN(), 2}, "Inf": {1, math.Inf(1)},
	} {
		if got := EBFMI(energy); !math.IsNaN(got) {
			t.Errorf("EBFMI(%s) = %g, want NaN", name, got)
		}
	}
}

// alternating returns +1, −1, +1, … of length n.
func alternating(n int) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = float64(1 - 2*(i%2))
	}
	return x
}
