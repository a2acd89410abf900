package diagnostics

import (
	"math"
	"math/rand/v2"
	"testing"
)

// rhatThreshold is the convergence threshold recommended by Vehtari et al.
// (2021).
const rhatThreshold = 1.01

func TestRhatWellMixed(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	x := normalChains(rng, 4, 1000, 0, nil)
	for name, f := range map[string]func([][]float64) float64{
		"Rhat": Rhat, "RhatBulk": RhatBulk, "RhatTail": RhatTail, "RhatBasic": RhatBasic,
	} {
		if r := f(x); !(r < rhatThreshold) {
			t.Errorf("%s of iid normal chains = %g, want < %g", name, r, rhatThreshold)
		}
	}
}

func TestRhatShiftedChains(t *testing.T) {
	// One of four chains shifted by one within-chain standard deviation: two
	// of the eight split-chain means sit at 1, the rest at 0, so
	// Var(ȳ_m) ≈ (2·0.75² + 6·0.25²)/7 = 1.5/7 and
	// R̂ ≈ √(1 + 1.5/7) ≈ 1.10 on the raw scale, far above 1.01 and above
	// the sampling noise of R̂ − 1 for 4×1000 iid draws: Var(ȳ_m) is then a
	// scaled χ²₇/7 around 1/N′, so R̂ − 1 has a spread of about
	// √(2/7)/(2N′) ≈ 5e-4 with N′ = 500.
	rng := rand.New(rand.NewPCG(1, 2))
	x := normalChains(rng, 4, 1000, 0, []float64{0, 0, 0, 1})
	if r := Rhat(x); !(r > rhatThreshold) {
		t.Errorf("Rhat of shifted chains = %g, want > %g", r, rhatThreshold)
	}
	if r := RhatBulk(x); !(r > rhatThreshold) {
		t.Errorf("RhatBulk of shifted chains = %g, want > %g", r, rhatThreshold)
	}
}

func TestRhatTailDetectsScale(t *testing.T) {
	// Same location, one chain with three times the scale: bulk R̂ sees
	// little, the folded (tail) R̂ sees it (Vehtari et al. 2021).
	rng := rand.New(rand.NewPCG(1, 3))
	x := normalChains(rng, 4, 1000, 0, nil)
	for i := range x[3] {
		x[3][i] *= 3
	}
	bulk, tail := RhatBulk(x), RhatTail(x)
	if !(tail > rhatThreshold) || !(tail > bulk) {
		t.Errorf("RhatTail = %g, RhatBulk = %g: want tail > %g and tail > bulk", tail, bulk, rhatThreshold)
	}
	if r := Rhat(x); r != math.Max(bulk, tail) {
		t.Errorf("Rhat = %g, want max(bulk, tail) = %g", r, math.Max(bulk, tail))
	}
}

func TestRhatBasicClosedForm(t *testing.T) {
	// Two chains of four draws, split into [1 2] [3 4] [2 4] [6 8]
	// (N′ = 2, M′ = 4): chain means 1.5, 3.5, 3, 7 (grand mean 3.75),
	// chain variances 0.5, 0.5, 2, 2 so W = 1.25;
	// Var(means) = (5.0625 + 0.0625 + 0.5625 + 10.5625)/3 = 16.25/3,
	// B = N′·Var = 32.5/3; R̂ = √((B/W + N′ − 1)/N′) = √((26/3 + 1)/2) = √(29/6).
	x := [][]float64{{1, 2, 3, 4}, {2, 4, 6, 8}}
	want := math.Sqrt(29.0 / 6)
	if got := RhatBasic(x); math.Abs(got-want) > 1e-14 {
		t.Errorf("RhatBasic = %.17g, want √(29/6) = %.17g", got, want)
	}
}
