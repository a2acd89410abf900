package calibration

import (
	"math"
	"testing"
)

// bandCase is one row of the band table of calibration.md §1.3
// (/work/shared/research/calibration.md), computed there with an exact
// adjust_gamma_optimize-style bisection; gamma is given to two significant
// digits and halfWidth (at z = 0.5, as a fraction of N) to the digits
// shown, so each is checked to half a unit of its last digit.
type bandCase struct {
	n, k                 int
	level                float64
	gamma, gammaTol      float64
	halfWidth, widthTol  float64
}

var bandTable = []bandCase{
	{100, 100, 0.95, 0.0041, 0.00005, 0.14, 0.005},
	{200, 20, 0.95, 0.0062, 0.00005, 0.095, 0.0005},
	{200, 200, 0.95, 0.0028, 0.00005, 0.105, 0.0005},
	{500, 100, 0.95, 0.0030, 0.00005, 0.066, 0.0005},
	{500, 500, 0.95, 0.0019, 0.00005, 0.070, 0.0005},
	{1000, 100, 0.95, 0.0027, 0.00005, 0.047, 0.0005},
	{1000, 1000, 0.95, 0.0015, 0.00005, 0.050, 0.0005},
	{200, 200, 0.99, 0.00046, 0.000005, 0.125, 0.0005},
	{1000, 100, 0.99, 0.00046, 0.000005, 0.055, 0.0005},
}

func TestSimultaneousBandsTable(t *testing.T) {
	for _, c := range bandTable {
		if testing.Short() && c.n*c.k > 100000 {
			continue
		}
		b := SimultaneousBands(c.n, c.k, c.level)
		hw := b.HalfWidth(c.k / 2)
		t.Logf("N=%d K=%d level=%v: γ=%.5g half-width=%.4f inside=%.5f", c.n, c.k, c.level, b.Gamma, hw, b.Inside)
		if math.Abs(b.Gamma-c.gamma) > c.gammaTol {
			t.Errorf("N=%d K=%d level=%v: γ = %.5g, want %v", c.n, c.k, c.level, b.Gamma, c.gamma)
		}
		if math.Abs(hw-c.halfWidth) > c.widthTol {
			t.Errorf("N=%d K=%d level=%v: half-width = %.4f, want %v", c.n, c.k, c.level, hw, c.halfWidth)
		}
		if b.Inside < c.level {
			t.Errorf("N=%d K=%d: inside probability %v below level", c.n, c.k, b.Inside)
		}
	}
}
