package validate

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/metabeta-go/metabeta/fit"
	"github.com/metabeta-go/metabeta/reports"
)

// baselinePath is the committed baseline: the results.json of
// `metabeta validate --quick` (see Gate's doc comment for how to refresh it).
const baselinePath = "../testdata/baseline.json"

// readBaseline returns a fresh copy of the committed baseline.
func readBaseline(t *testing.T) *Results {
	t.Helper()
	r, err := ReadResults(baselinePath)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// kind returns the baseline group of method nuts and the given kind.
func kind(t *testing.T, r *Results, group string) *GroupResult {
	t.Helper()
	for i := range r.Kinds {
		if r.Kinds[i].Method == "nuts" && r.Kinds[i].Group == group {
			return &r.Kinds[i]
		}
	}
	t.Fatalf("no nuts %s group in the results", group)
	return nil
}

// row returns the row of a metric.
func row(t *testing.T, rep GateReport, metric string) GateRow {
	t.Helper()
	for _, r := range rep.Rows {
		if r.Metric == metric {
			return r
		}
	}
	t.Fatalf("no row %q in the report", metric)
	return GateRow{}
}

// awayFromZero moves the ECE of g by k standard errors away from 0 (towards
// 0 for negative k), so that |ECE| grows by k·SE whatever its sign.
func awayFromZero(g *GroupResult, k float64) {
	g.ECE.Value += fit.Num(k*math.Copysign(1, float64(g.ECE.Value))) * g.ECE.SE
}

// ppcOf returns the predictive checks of method nuts on a suite.
func ppcOf(t *testing.T, r *Results, suite string) *PPCResult {
	t.Helper()
	for i := range r.PPC {
		if r.PPC[i].Method == "nuts" && r.PPC[i].Suite == suite {
			return &r.PPC[i]
		}
	}
	t.Fatalf("no nuts %s predictive checks in the results", suite)
	return nil
}

// agreementOf returns the agreement with NUTS of a method on a kind.
func agreementOf(t *testing.T, r *Results, method, kind string) *AgreementResult {
	t.Helper()
	for i := range r.Agreement {
		if r.Agreement[i].Method == method && r.Agreement[i].Kind == kind {
			return &r.Agreement[i]
		}
	}
	t.Fatalf("no %s %s agreement in the results", method, kind)
	return nil
}

func regressionNames(rep GateReport) []string {
	var out []string
	for _, r := range rep.Regressions() {
		out = append(out, r.Metric)
	}
	return out
}

// TestResultsRoundTripJSON checks that results.json → Results → JSON gives
// the same bytes, on a freshly aggregated run (the current schema), and
// that the committed baseline reads with its nulls as NaN.
func TestResultsRoundTripJSON(t *testing.T) {
	_, raw, _ := referenceRun(t)
	path := filepath.Join(t.TempDir(), "results.json")
	if err := os.WriteFile(path, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := ReadResults(path)
	if err != nil {
		t.Fatal(err)
	}
	again, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(append(again, '\n'), raw) {
		t.Fatalf("results.json → Results → JSON changed the file:\n%s\nwant\n%s", again, raw)
	}
	// The baseline holds NaN as null (contraction of the random effects,
	// which have no prior SD); it must read back as NaN, not 0.
	if c := float64(kind(t, readBaseline(t), KindB).Contraction); !math.IsNaN(c) {
		t.Errorf("contraction of b read as %v, want NaN from null", c)
	}
}

func TestReadResultsErrors(t *testing.T) {
	dir := t.TempDir()
	notJSON := filepath.Join(dir, "bad.json")
	os.WriteFile(notJSON, []byte(`{"methods": [`), 0o644)
	other := filepath.Join(dir, "other.json")
	os.WriteFile(other, []byte(`{"name": "a fit, not a validation run"}`), 0o644)
	for _, c := range []struct{ path, want string }{
		{filepath.Join(dir, "missing.json"), "no such file"},
		{notJSON, "bad.json"},
		{other, "not a results.json"},
	} {
		if _, err := ReadResults(c.path); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ReadResults(%s) = %v, want an error containing %q", c.path, err, c.want)
		}
	}
}

func TestGatePassesOnIdenticalResults(t *testing.T) {
	rep := Gate(readBaseline(t), readBaseline(t), GateOptions{})
	if rep.Failed() {
		t.Fatalf("identical results fail the gate: %v", regressionNames(rep))
	}
	if rep.Z != DefaultZ {
		t.Errorf("Z = %v, want the default %v", rep.Z, DefaultZ)
	}
	// 6 metrics per method × kind, 4 per method × suite of the predictive
	// checks, 3 per method × kind of the agreement with NUTS, convergence
	// and failed fits gated; timing not.
	base := readBaseline(t)
	want := 6*len(base.Kinds) + 4*len(base.PPC) + 3*len(base.Agreement) + 2
	gated := 0
	for _, r := range rep.Rows {
		if r.Significant {
			t.Errorf("%s: significant with identical results", r.Metric)
		}
		if r.Gated {
			gated++
		}
	}
	if gated != want {
		t.Errorf("%d gated rows, want %d", gated, want)
	}
	if len(rep.Warnings) != 0 {
		t.Errorf("warnings on identical configurations: %v", rep.Warnings)
	}
}

// TestGateTolerance checks the rule |Δ| > z·√(SE_old² + SE_new²) + margin
// on the baseline's ECE of β, by construction of the shifted value.
func TestGateTolerance(t *testing.T) {
	base := readBaseline(t)
	se := float64(kind(t, base, KindBeta).ECE.SE)
	metric := "nuts beta " + MetricAbsECE
	for _, c := range []struct {
		name        string
		shiftSE     float64 // change of ECE in units of √2·SE (both runs' SE equal)
		z, margin   float64
		significant bool
		regression  bool
	}{
		{"within MC error", 1, 0, 0, false, false},
		{"just inside z=3", 2.9, 0, 0, false, false},
		{"just outside z=3", 3.1, 0, 0, true, true},
		{"10 SE worse", 10 / math.Sqrt2, 0, 0, true, true},
		{"z=5 absorbs 4.9", 4.9, 5, 0, false, false},
		{"margin absorbs", 3.1, 0, 0.2 * se, false, false},
		// ECE past 0 to the other sign: |ECE| rises by 3.1·√2·SE − 2|ECE|,
		// within 3·√2·SE when |ECE| > 0.05·√2·SE (checked below).
		{"overshoot to the other sign", -3.1, 0, 0, false, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			cur := readBaseline(t)
			g := kind(t, cur, KindBeta)
			if math.Abs(float64(g.ECE.Value)) < 0.05*math.Sqrt2*se {
				t.Fatalf("baseline ECE %v too close to 0 for these cases", g.ECE.Value)
			}
			awayFromZero(g, c.shiftSE*math.Sqrt2)
			rep := Gate(base, cur, GateOptions{Z: c.z, Margins: map[string]float64{MetricAbsECE: c.margin}})
			r := row(t, rep, metric)
			if r.Significant != c.significant || r.Regression != c.regression {
				t.Errorf("Δ = %.4g, tolerance %.4g: significant %v regression %v, want %v %v",
					r.Delta, r.Tolerance, r.Significant, r.Regression, c.significant, c.regression)
			}
			// Two-sided normal p-value of the shift c.shiftSE·√2·SE over the
			// combined SE √2·SE: 2Φ(−|c.shiftSE|) (erfc form of Φ). The
			// overshoot case moves |ECE| by less than the shift.
			if wantP := math.Erfc(math.Abs(r.Delta) / (math.Sqrt2 * se) / math.Sqrt2); math.Abs(r.P-wantP) > 1e-12 {
				t.Errorf("p = %v, want %v", r.P, wantP)
			}
			if c.name == "just outside z=3" && !(r.P < 0.0027) {
				t.Errorf("p = %v at 3.1 SE, want < 2Φ(−3) = 0.0027", r.P)
			}
			if rep.Failed() != c.regression {
				t.Errorf("Failed() = %v, regressions %v", rep.Failed(), regressionNames(rep))
			}
		})
	}
}

// TestGateFailsOnDegradedResults degrades one metric at a time and checks
// that the gate fails and names exactly that metric.
func TestGateFailsOnDegradedResults(t *testing.T) {
	base := readBaseline(t)
	cases := []struct {
		name    string
		degrade func(r *Results)
		want    string
	}{
		{"ECE of sigma_b 10 SE further from 0", func(r *Results) { awayFromZero(kind(t, r, KindSigmaB), 10) }, "nuts sigma_b " + MetricAbsECE},
		{"ECE of b 10 SE further from 0", func(r *Results) { awayFromZero(kind(t, r, KindB), 10) }, "nuts b " + MetricAbsECE},
		{"EACE up", func(r *Results) {
			g := kind(t, r, KindSigma)
			g.EACE.Value += 10 * g.EACE.SE
		}, "nuts sigma " + MetricEACE},
		{"r dropped", func(r *Results) {
			g := kind(t, r, KindBeta)
			g.R.Value -= 10 * g.R.SE
		}, "nuts beta " + MetricR},
		{"NRMSE up 20%", func(r *Results) {
			g := kind(t, r, KindB)
			g.NRMSE *= 1.2
		}, "nuts b " + MetricNRMSE},
		{"band test flipped", func(r *Results) { kind(t, r, KindSigma).BandPass = false }, "nuts sigma " + MetricBand},
		{"log-γ below 0", func(r *Results) { kind(t, r, KindSigmaB).LogGamma = -0.1 }, "nuts sigma_b " + MetricLogGamma},
		{"r became NaN", func(r *Results) { kind(t, r, KindSigma).R.Value = fit.Num(math.NaN()) }, "nuts sigma " + MetricR},
		{"convergence down", func(r *Results) {
			// The baseline may converge on every fit (SE 0): drop by at
			// least 20 points.
			r.Convergence.Value -= fit.Num(math.Max(5*float64(r.Convergence.SE), 0.2))
		}, "nuts " + MetricConvergence},
		{"one more failed fit", func(r *Results) { r.Failed++ }, MetricFailed},
		{"CRPS up", func(r *Results) {
			p := ppcOf(t, r, SuiteSimulated)
			p.CRPS.Value += 10 * p.CRPS.SE
		}, "nuts simulated " + MetricCRPS},
		{"LPD down", func(r *Results) {
			p := ppcOf(t, r, SuiteSimulated)
			p.LPD.Value -= 10 * p.LPD.SE
		}, "nuts simulated " + MetricLPD},
		{"npe σ_b means drift from NUTS's", func(r *Results) {
			a := agreementOf(t, r, "npe", KindSigmaB)
			a.MeanAbsDiff.Value += 10 * a.MeanAbsDiff.SE
		}, "npe sigma_b " + MetricMeanDiff},
		{"npe-is β agreement r dropped", func(r *Results) {
			a := agreementOf(t, r, "npe-is", KindBeta)
			a.R.Value -= 10*a.R.SE + 0.01
		}, "npe-is beta " + MetricAgreementR},
		{"half the datasets misfit", func(r *Results) {
			// Binomial SE of a share 0.5 over 24 datasets: √(.25/24) = 0.10,
			// so 0 → 0.5 exceeds 3·0.10.
			p := ppcOf(t, r, SuiteSimulated)
			p.PPPBetweenLow = Estimate{0.5, fit.Num(math.Sqrt(0.25 / float64(p.N)))}
		}, "nuts simulated " + MetricPPPBetween},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cur := readBaseline(t)
			c.degrade(cur)
			rep := Gate(base, cur, GateOptions{})
			if got := regressionNames(rep); len(got) != 1 || got[0] != c.want {
				t.Fatalf("regressions %v, want exactly [%s]", got, c.want)
			}
			var text bytes.Buffer
			if err := (reports.TextRenderer{}).Render(&text, rep.Table()); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(text.String(), c.want) || !strings.Contains(text.String(), "regression") {
				t.Errorf("table does not show the regression of %s:\n%s", c.want, text.String())
			}
		})
	}
}

// TestGateBaselineFailureCannotRegress checks that SBC tests failing in the
// baseline are not gated, and that improvements pass.
func TestGateBaselineFailureCannotRegress(t *testing.T) {
	base := readBaseline(t)
	kind(t, base, KindBeta).BandPass = false
	kind(t, base, KindBeta).LogGamma = -1
	kind(t, base, KindSigma).R.Value -= 10 * kind(t, base, KindSigma).R.SE
	cur := readBaseline(t)
	kind(t, cur, KindBeta).LogGamma = -2
	kind(t, cur, KindBeta).BandPass = false
	rep := Gate(base, cur, GateOptions{})
	if rep.Failed() {
		t.Fatalf("regressions %v", regressionNames(rep))
	}
	if r := row(t, rep, "nuts sigma "+MetricR); !r.Significant {
		t.Errorf("an improvement of r by 10 SE is not significant: %+v", r)
	}
	// Pass → fail is a change of verdict the other way: an improvement.
	rep = Gate(cur, readBaseline(t), GateOptions{})
	if r := row(t, rep, "nuts beta "+MetricBand); !r.Significant || r.Regression {
		t.Errorf("fail → pass: %+v", r)
	}
}

// nutsOnly drops every other method's results, so that a test can add a
// method as new whatever methods the baseline holds.
func nutsOnly(r *Results) *Results {
	keepG := func(gs []GroupResult) (out []GroupResult) {
		for _, g := range gs {
			if g.Method == "nuts" {
				out = append(out, g)
			}
		}
		return out
	}
	r.Kinds, r.Params = keepG(r.Kinds), keepG(r.Params)
	var ts []TimingResult
	for _, x := range r.Timing {
		if x.Method == "nuts" {
			ts = append(ts, x)
		}
	}
	var ps []PPCResult
	for _, x := range r.PPC {
		if x.Method == "nuts" {
			ps = append(ps, x)
		}
	}
	var rs []RealResult
	for _, x := range r.Real {
		if x.Method == "nuts" {
			rs = append(rs, x)
		}
	}
	r.Timing, r.PPC, r.Real, r.Agreement, r.Importance = ts, ps, rs, nil, nil
	r.Methods = []string{"nuts"}
	return r
}

func TestGateMissingAndNewMetrics(t *testing.T) {
	base := nutsOnly(readBaseline(t))
	cur := nutsOnly(readBaseline(t))
	// The σ_b group stopped running; a new method appeared.
	var kept []GroupResult
	for _, g := range cur.Kinds {
		if g.Group != KindSigmaB {
			kept = append(kept, g)
		}
	}
	npe := *kind(t, cur, KindBeta)
	npe.Method = "npe"
	npe.ECE.Value = 0.5 // far worse than NUTS, but new: not gated
	cur.Kinds = append(kept, npe)
	cur.Timing = append(cur.Timing, TimingResult{Method: "npe", Suite: SuiteSimulated, Median: 0.01})
	// The predictive checks of the real suite stopped; npe's appeared.
	npePPC := *ppcOf(t, cur, SuiteSimulated)
	npePPC.Method = "npe"
	cur.PPC = []PPCResult{*ppcOf(t, cur, SuiteSimulated), npePPC}
	rep := Gate(base, cur, GateOptions{})
	got := regressionNames(rep)
	if len(got) != 6+4 {
		t.Fatalf("regressions %v, want the 6 metrics of nuts sigma_b and the 4 of nuts real", got)
	}
	if r, want := row(t, rep, "nuts sigma_b "+MetricEACE), float64(kind(t, base, KindSigmaB).EACE.Value); r.Old != want || !math.IsNaN(r.New) {
		t.Errorf("missing row keeps old %v (want the baseline's %v), new %v (want NaN)", r.Old, want, r.New)
	}
	for _, m := range got {
		if !(strings.HasPrefix(m, "nuts sigma_b ") || strings.HasPrefix(m, "nuts real ")) || row(t, rep, m).Note != "missing from the current results" {
			t.Errorf("regression %s: %+v", m, row(t, rep, m))
		}
	}
	for _, m := range []string{"npe beta " + MetricAbsECE, "npe " + MetricTime, "npe simulated " + MetricCRPS} {
		if r := row(t, rep, m); r.Gated || r.Regression || !math.IsNaN(r.Old) {
			t.Errorf("new metric %s is gated: %+v", m, r)
		}
	}
}

func TestGateTiming(t *testing.T) {
	base := readBaseline(t)
	cur := readBaseline(t)
	cur.Timing[0].Median *= 10
	metric := "nuts " + MetricTime
	if rep := Gate(base, cur, GateOptions{}); rep.Failed() || row(t, rep, metric).Gated {
		t.Errorf("timing gated by default: %+v", row(t, rep, metric))
	}
	if rep := Gate(base, cur, GateOptions{TimingFactor: 3}); !rep.Failed() || !row(t, rep, metric).Regression {
		t.Errorf("10× slower passes with factor 3: %+v", row(t, rep, metric))
	}
	cur.Timing[0].Median = base.Timing[0].Median * 2
	if rep := Gate(base, cur, GateOptions{TimingFactor: 3}); rep.Failed() {
		t.Errorf("2× slower fails with factor 3: %+v", row(t, rep, metric))
	}
}

func TestGateWarnsOnDifferentConfigs(t *testing.T) {
	base := readBaseline(t)
	cur := readBaseline(t)
	cur.Config.Seed++
	cur.Config.Simulated = 200
	rep := Gate(base, cur, GateOptions{})
	if len(rep.Warnings) != 2 || !strings.Contains(rep.Warnings[0], "seed") || !strings.Contains(rep.Warnings[1], "simulated datasets") {
		t.Errorf("warnings %q", rep.Warnings)
	}
	if rep.Failed() {
		t.Errorf("a configuration difference alone fails the gate")
	}
}

// TestGateTableMarksNotSignificant checks the benchstat-like printout: "~"
// for a change within the Monte Carlo error, the number for a significant
// one.
func TestGateTableMarksNotSignificant(t *testing.T) {
	base := readBaseline(t)
	cur := readBaseline(t)
	g := kind(t, cur, KindSigma)
	g.EACE.Value += g.EACE.SE // within MC error
	g.R.Value -= 10 * g.R.SE  // significant
	tab := Gate(base, cur, GateOptions{}).Table()
	var b bytes.Buffer
	if err := (reports.TextRenderer{}).Render(&b, tab); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(b.String(), "\n")
	find := func(metric string) string {
		for _, l := range lines {
			if strings.Contains(l, "| "+metric+" ") {
				return l
			}
		}
		t.Fatalf("no line for %s in\n%s", metric, b.String())
		return ""
	}
	if l := find("nuts sigma EACE"); !strings.Contains(l, " ~ ") {
		t.Errorf("change within MC error not marked ~: %s", l)
	}
	if l := find("nuts sigma 1−r"); strings.Contains(l, " ~") || !strings.Contains(l, "regression") && !strings.Contains(l, "¹") {
		t.Errorf("significant change printed as ~ or without its footnote: %s", l)
	}
}

// BenchmarkGate measures one comparison of the baseline with itself, table
// included: go test -run '^$' -bench Gate ./validate
func BenchmarkGate(b *testing.B) {
	base, err := ReadResults(baselinePath)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		Gate(base, base, GateOptions{}).Table()
	}
}
