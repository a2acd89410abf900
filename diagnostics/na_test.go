package diagnostics

import (
	"math"
	"testing"
)

// posterior returns NA for constant draws, non-finite draws and too few
// draws (R/convergence.R: should_return_NA, .ess with N′ < 3); these
// functions return NaN.
func TestNaNWherePosteriorReturnsNA(t *testing.T) {
	functions := map[string]func([][]float64) float64{
		"Rhat": Rhat, "RhatBulk": RhatBulk, "RhatTail": RhatTail, "RhatBasic": RhatBasic,
		"ESSBulk": ESSBulk, "ESSTail": ESSTail, "ESSMean": ESSMean, "MCSEMean": MCSEMean,
		"MCSEQuantile(0.05)": func(x [][]float64) float64 { return MCSEQuantile(x, 0.05) },
		"ESSQuantile(0.5)":   func(x [][]float64) float64 { return ESSQuantile(x, 0.5) },
	}
	ramp := func(n int) []float64 {
		x := make([]float64, n)
		for i := range x {
			x[i] = float64(i * i % 7)
		}
		return x
	}
	cases := map[string][][]float64{
		"constant":  {{2, 2, 2, 2, 2, 2}, {2, 2, 2, 2, 2, 2}},
		"NaN":       {ramp(10), append(ramp(9), math.NaN())},
		"+Inf":      {ramp(10), append(ramp(9), math.Inf(1))},
		"-Inf":      {append(ramp(9), math.Inf(-1)), ramp(10)},
		"no draws":  {{}, {}},
		"no chains": nil,
		"one draw":  {{1}, {2}},
	}
	for caseName, x := range cases {
		for name, f := range functions {
			if got := f(x); !math.IsNaN(got) {
				t.Errorf("%s of %s draws = %g, want NaN", name, caseName, got)
			}
		}
	}
	// Too few for ESS (N′ = 2 < 3) but enough for R̂.
	few := [][]float64{{1, 2, 3, 4}, {4, 3, 1, 2}}
	for name, f := range map[string]func([][]float64) float64{"ESSBulk": ESSBulk, "ESSMean": ESSMean, "ESSTail": ESSTail} {
		if got := f(few); !math.IsNaN(got) {
			t.Errorf("%s with 2 draws per split chain = %g, want NaN", name, got)
		}
	}
	if got := RhatBulk(few); math.IsNaN(got) {
		t.Error("RhatBulk with 2 draws per split chain is NaN, want a value")
	}
	s := Summarize([][]float64{{3, 3, 3, 3}, {3, 3, 3, 3}})
	if s.Mean != 3 || s.SD != 0 || s.Q50 != 3 || !math.IsNaN(s.Rhat) || !math.IsNaN(s.ESSBulk) ||
		!math.IsNaN(s.ESSTail) || !math.IsNaN(s.MCSEMean) {
		t.Errorf("Summarize of constant draws = %+v, want mean 3, sd 0, median 3, NaN diagnostics", s)
	}
}

func TestPanics(t *testing.T) {
	cases := map[string]func(){
		"ragged":             func() { Rhat([][]float64{{1, 2, 3}, {1, 2}}) },
		"Quantile p < 0":     func() { Quantile([]float64{1, 2}, -0.1) },
		"Quantile p > 1":     func() { Quantile([]float64{1, 2}, 1.1) },
		"Quantile p NaN":     func() { Quantile([]float64{1, 2}, math.NaN()) },
		"ESSQuantile p > 1":  func() { ESSQuantile([][]float64{{1, 2}}, 2) },
		"MCSEQuantile p < 0": func() { MCSEQuantile([][]float64{{1, 2}}, -1) },
		"Summarize ragged":   func() { Summarize([][]float64{{1}, {1, 2}}) },
	}
	for name, f := range cases {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}
