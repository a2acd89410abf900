package reports

import (
	"bytes"
	"image/png"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gonum.org/v1/plot"
)

// The plot inputs below are synthetic: uniform ranks, a normal recovery
// problem and log-normal timings drawn from seeded PCG streams. The tests
// check that files are written and decode, not statistical values.

func ecdfDiffData(rng *rand.Rand) ECDFDiff {
	const n, k = 200, 50
	ranks := make([]float64, n)
	for i := range ranks {
		ranks[i] = rng.Float64()
	}
	d := ECDFDiff{Param: "β₀", Level: 0.95}
	for i := 0; i <= k; i++ {
		z := float64(i) / k
		c := 0
		for _, r := range ranks {
			if r < z {
				c++
			}
		}
		// A stand-in band, only drawn: half-width 0.1 at z = 0.5 (the
		// calibration fact sheet gives 0.095 for N = 200, K = 20 and 0.105
		// for K = 200 at 95%), tapered as √(z(1−z)).
		hw := 0.1 * math.Sqrt(4*z*(1-z))
		d.Z = append(d.Z, z)
		d.Diff = append(d.Diff, float64(c)/n-z)
		d.Lower = append(d.Lower, -hw)
		d.Upper = append(d.Upper, hw)
	}
	return d
}

func allPlots(t *testing.T) map[string]*plot.Plot {
	t.Helper()
	rng := rand.New(rand.NewPCG(1, 1))
	must := func(p *plot.Plot, err error) *plot.Plot {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	counts := make([]int, 20)
	for range 400 {
		counts[rng.IntN(20)]++
	}
	var truth, est, lo, hi, ref, approx []float64
	for range 60 {
		x := rng.NormFloat64()
		e := x + 0.3*rng.NormFloat64()
		truth, est = append(truth, x), append(est, e)
		lo, hi = append(lo, e-0.6), append(hi, e+0.6)
		ref, approx = append(ref, e), append(approx, e+0.05*rng.NormFloat64())
	}
	var nominal, emp, clo, chi []float64
	for i := 1; i <= 19; i++ {
		q := float64(i) / 20
		nominal = append(nominal, q)
		emp = append(emp, q+0.02*rng.NormFloat64())
		clo, chi = append(clo, math.Max(0, q-0.06)), append(chi, math.Min(1, q+0.06))
	}
	var npe, nuts []float64
	for range 100 {
		npe = append(npe, 0.01*math.Exp(0.3*rng.NormFloat64()))
		nuts = append(nuts, 2*math.Exp(0.5*rng.NormFloat64()))
	}
	return map[string]*plot.Plot{
		"ecdf": must(ECDFDiffPlot(ecdfDiffData(rng))),
		// Band: qbinom(c(.005, .995), 400, 1/20) = 10, 32 (R 4).
		"rank":     must(RankHistogramPlot(RankHistogram{Param: "σ_b", Counts: counts, Lo: 10, Hi: 32, Level: 0.99})),
		"recovery": must(RecoveryPlot(Recovery{Param: "β₁", Truth: truth, Estimate: est, Lo: lo, Hi: hi})),
		"agree": must(AgreementPlot(Agreement{Param: "β₁", Statistic: "posterior mean",
			ReferenceName: "NUTS", ApproxName: "NPE", Reference: ref, Approx: approx})),
		"coverage": must(CoveragePlot(Coverage{Param: "σ", Nominal: nominal, Empirical: emp, Lo: clo, Hi: chi, Level: 0.95})),
		"timing":   must(TimingPlot("Time per dataset", []TimingSeries{{Method: "NPE", Seconds: npe}, {Method: "NUTS", Seconds: nuts}})),
	}
}

func TestPlotsWriteSVGAndPNG(t *testing.T) {
	dir := t.TempDir()
	if d := os.Getenv("REPORTS_PLOT_DIR"); d != "" {
		dir = d // keep the files to look at them
	}
	for name, p := range allPlots(t) {
		svgPath, pngPath, err := SaveFigure(p, 0, 0, filepath.Join(dir, name))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		svg, err := os.ReadFile(svgPath)
		if err != nil {
			t.Fatal(err)
		}
		if s := strings.TrimSpace(string(svg)); !strings.HasPrefix(s, "<?xml") && !strings.HasPrefix(s, "<svg") {
			t.Errorf("%s: SVG starts with %q", name, s[:min(len(s), 20)])
		}
		if !bytes.Contains(svg, []byte("</svg>")) {
			t.Errorf("%s: SVG not closed", name)
		}
		f, err := os.Open(pngPath)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(f)
		f.Close()
		if err != nil {
			t.Fatalf("%s: PNG does not decode: %v", name, err)
		}
		// 6 × 4 in at gonum/plot's 96 dpi.
		if b := img.Bounds(); b.Dx() != 576 || b.Dy() != 384 {
			t.Errorf("%s: PNG is %v, want 576×384", name, b)
		}
	}
}

func TestTimingPlotRejectsNonPositive(t *testing.T) {
	if _, err := TimingPlot("t", []TimingSeries{{Method: "NPE", Seconds: []float64{1, 0}}}); err == nil {
		t.Error("zero time on a log axis: want an error")
	}
	if _, err := TimingPlot("t", []TimingSeries{{Method: "NPE", Seconds: []float64{math.NaN()}}}); err == nil {
		t.Error("NaN time: want an error")
	}
}

func TestPlotLengthMismatchPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("mismatched slices did not panic")
		}
	}()
	_, _ = RecoveryPlot(Recovery{Param: "x", Truth: []float64{1, 2}, Estimate: []float64{1}})
}

// TestTimingPlotEqualTimes: a single time, or equal times below one second,
// used to make gonum pad the log axis below zero and panic.
func TestTimingPlotEqualTimes(t *testing.T) {
	for _, secs := range [][]float64{{0.5}, {0.2, 0.2, 0.2}} {
		p, err := TimingPlot("equal", []TimingSeries{{Method: "nuts", Seconds: secs}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Encode(p, 0, 0, "svg"); err != nil {
			t.Fatalf("times %v: %v", secs, err)
		}
	}
}

func TestLossPlot(t *testing.T) {
	p, err := LossPlot("training", LossCurve{Step: []float64{0, 100, 200}, Train: []float64{3, 1, 0.5}, Validation: []float64{3.2, 1.1, 0.7}})
	if err != nil {
		t.Fatal(err)
	}
	if b, err := Encode(p, 0, 0, "svg"); err != nil || len(b) == 0 {
		t.Fatalf("svg: %v", err)
	}
	if _, err := LossPlot("empty", LossCurve{}); err == nil {
		t.Error("an empty curve gave no error")
	}
}
