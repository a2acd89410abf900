package calibration

import (
	"math"
	"testing"
)

func TestCRPSNormalClosedForm(t *testing.T) {
	// At y = μ: CRPS = σ(2φ(0) − 1/√π) = σ(√(2/π) − 1/√π)
	// (Gneiting & Raftery 2007, eq. 21).
	checkClose(t, "CRPS N(0,1) at 0", CRPSNormal(0, 1, 0), math.Sqrt(2/math.Pi)-1/math.SqrtPi, 1e-15)
	checkClose(t, "CRPS scales with σ", CRPSNormal(1, 2, 1), 2*(math.Sqrt(2/math.Pi)-1/math.SqrtPi), 1e-15)
}

func TestCRPSFairEqualsPairSum(t *testing.T) {
	// The O(S log S) form against the O(S²) definition on fixed draws.
	x := []float64{0.3, -1.2, 2.5, 0.3, 0.9, -0.4}
	y := 0.7
	var abs, pairs float64
	for _, a := range x {
		abs += math.Abs(a - y)
		for _, b := range x {
			pairs += math.Abs(a - b)
		}
	}
	s := float64(len(x))
	want := abs/s - pairs/(2*s*(s-1))
	got, _ := CRPS(x, y, nil)
	checkClose(t, "CRPS fair", got, want, 1e-14)
}

func TestCRPSFairIsUnbiased(t *testing.T) {
	// The fair estimator is unbiased for the CRPS of the sampled law
	// (Ferro 2014): the mean over 4000 replicates of S = 50 draws from
	// N(1, 2²) scored at y = 2.5 must match the closed form within 4 MCSE.
	const reps, s = 4000, 50
	rng := newRand(13, 1)
	draws := make([]float64, s)
	var scratch []float64
	est := make([]float64, reps)
	for r := range est {
		for i := range draws {
			draws[i] = 1 + 2*rng.NormFloat64()
		}
		est[r], scratch = CRPS(draws, 2.5, scratch)
	}
	m, v := meanVar(est)
	checkMC(t, "mean fair CRPS", m, CRPSNormal(1, 2, 2.5), math.Sqrt(v/reps))
}

func TestLogMeanExp(t *testing.T) {
	// log((1 + 3)/2) = log 2; shifted by 1000 it must not overflow.
	checkClose(t, "log mean exp", LogMeanExp([]float64{0, math.Log(3)}), math.Log(2), 1e-15)
	checkClose(t, "log mean exp, large", LogMeanExp([]float64{1000, 1000 + math.Log(3)}), 1000+math.Log(2), 1e-12)
	if v := LogMeanExp([]float64{math.Inf(-1), math.Inf(-1)}); !math.IsInf(v, -1) {
		t.Errorf("all −Inf gives %v, want −Inf", v)
	}
}

func TestGroupSDsAndPPP(t *testing.T) {
	// y = (1, 3 | 10, 14): group means 2 and 12; within SS = 1+1+4+4 = 10
	// over n − G = 2, so √5; between = SD(2, 12) = √50.
	w, b := GroupSDs([]float64{1, 3, 10, 14}, []int{0, 0, 1, 1}, 2, nil)
	checkClose(t, "within SD", w, math.Sqrt(5), 1e-14)
	checkClose(t, "between SD", b, math.Sqrt(50), 1e-14)
	// PPP by hand: rep = 1..4, obs = 2: P(≤) = 2/4, P(≥) = 3/4 → 1;
	// obs = 0.5: P(≤) = 0 → 0; obs = 1: P(≤) = 1/4 → 1/2.
	rep := []float64{1, 2, 3, 4}
	checkClose(t, "PPP(2)", PPP(2, rep), 1, 0)
	checkClose(t, "PPP(0.5)", PPP(0.5, rep), 0, 0)
	checkClose(t, "PPP(1)", PPP(1, rep), 0.5, 0)
}

func TestPredictiveHotPathsDoNotAllocate(t *testing.T) {
	rng := newRand(14, 1)
	draws := make([]float64, 100)
	for i := range draws {
		draws[i] = rng.NormFloat64()
	}
	scratch := make([]float64, 0, len(draws))
	work := make([]float64, 4)
	y := []float64{1, 3, 10, 14}
	groups := []int{0, 0, 1, 1}
	sorted := sortedCopy(nil, draws)
	allocs := testing.AllocsPerRun(50, func() {
		_, scratch = CRPS(draws, 0.1, scratch)
		_ = LogMeanExp(draws)
		_, _ = GroupSDs(y, groups, 2, work)
		_ = PPP(0.2, draws)
		_ = Wasserstein1(sorted, sorted)
	})
	if allocs != 0 {
		t.Errorf("predictive helpers allocate %v times per call", allocs)
	}
}
