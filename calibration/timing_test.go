package calibration

import (
	"math"
	"testing"
	"time"
)

func TestSummarizeSecondsByHand(t *testing.T) {
	// Times 1..100 s: median (type 7) = 50.5; P95 has h = 99·0.95 = 94.05,
	// so 95 + 0.05 = 95.05; the slowest ⌈5⌉ are 96..100 with mean 98.
	s := make([]float64, 100)
	for i := range s {
		s[100-1-i] = float64(i + 1) // unsorted input
	}
	ts := SummarizeSeconds(s)
	checkClose(t, "median", ts.Median, 50.5, 1e-12)
	checkClose(t, "p95", ts.P95, 95.05, 1e-12)
	checkClose(t, "mean slowest 5%", ts.MeanSlowest5, 98, 1e-12)
	checkClose(t, "max", ts.Max, 100, 0)
	checkClose(t, "total", ts.Total, 5050, 0)
	d := SummarizeDurations([]time.Duration{time.Second, 3 * time.Second})
	checkClose(t, "median of durations", d.Median, 2, 1e-12)
	if len(d.Warnings) == 0 {
		t.Error("two times should warn")
	}
}

func TestSpeedupByHand(t *testing.T) {
	// A takes 1 s, B takes i s on dataset i = 1..100, half of B's fits
	// converge: speed-ups 1..100 have median 50.5 and 5% quantile
	// 1 + 0.05·99 = 5.95 (type 7); per converged fit (5050/50)/1 = 101.
	a := make([]float64, 100)
	b := make([]float64, 100)
	conv := make([]bool, 100)
	for i := range a {
		a[i] = 1
		b[i] = float64(i + 1)
		conv[i] = i%2 == 0
	}
	s := NewSpeedup(a, b, conv)
	checkClose(t, "median", s.Median, 50.5, 1e-12)
	checkClose(t, "worst 5%", s.Worst5, 5.95, 1e-12)
	checkClose(t, "per converged", s.PerConverged, 101, 1e-12)
	none := NewSpeedup(a, b, make([]bool, 100))
	if !math.IsInf(none.PerConverged, 1) || len(none.Warnings) == 0 {
		t.Errorf("no converged fit: per converged %v, warnings %q", none.PerConverged, none.Warnings)
	}
}

func TestConvergenceFilter(t *testing.T) {
	// Strict filter (metabeta nutsConvergeMask): R̂ ≤ 1.01, ESS ≥ 400,
	// divergences ≤ 0.5% of draws (20 of 4000).
	fits := []FitDiagnostics{
		{MaxRhat: 1.005, MinESS: 800, Divergences: 0, Draws: 4000}, // pass
		{MaxRhat: 1.01, MinESS: 400, Divergences: 20, Draws: 4000}, // pass, on every boundary
		{MaxRhat: 1.02, MinESS: 800, Divergences: 0, Draws: 4000},  // R̂
		{MaxRhat: 1.0, MinESS: 399, Divergences: 0, Draws: 4000},   // ESS
		{MaxRhat: 1.0, MinESS: 800, Divergences: 21, Draws: 4000},  // divergences
		{MaxRhat: math.NaN(), MinESS: 800, Divergences: 0, Draws: 4000},
	}
	want := []bool{true, true, false, false, false, false}
	c := NewConvergence(StrictConvergence, fits)
	for i := range want {
		if c.Passed[i] != want[i] {
			t.Errorf("fit %d: pass = %v, want %v", i, c.Passed[i], want[i])
		}
	}
	checkClose(t, "rate", c.Rate, 2.0/6, 1e-15)
	checkClose(t, "rate SE", c.RateSE, math.Sqrt((2.0/6)*(4.0/6)/6), 1e-15)
	if !LiberalConvergence.Pass(fits[2]) {
		t.Error("the liberal filter (R̂ ≤ 1.05) should pass R̂ = 1.02")
	}
}
