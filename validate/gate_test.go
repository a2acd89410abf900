package validate

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
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
	// A results.json of the first layout, whose NRMSE had no SE.
	old := filepath.Join(dir, "old.json")
	os.WriteFile(old, []byte(`{"schema": 1, "methods": ["nuts"], "by_kind": [{"method": "nuts", "group": "beta", "nrmse": {"value": 0.1, "se": 0.01}}]}`), 0o644)
	for _, c := range []struct{ path, want string }{
		{filepath.Join(dir, "missing.json"), "no such file"},
		{notJSON, "bad.json"},
		{other, "not a results.json"},
		{old, "layout version 1, this metabeta reads version 2"},
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
	// 5 metrics per method × kind (not the band test), 4 per method ×
	// suite of the predictive checks, 3 per method × kind of the agreement
	// with NUTS (each on at least MinGateDatasets datasets), 1 per
	// importance-sampled method, 2 per method of the real suite compared on
	// at least two datasets, convergence and failed fits gated; timing not.
	base := readBaseline(t)
	want := len(base.Importance) + 2
	for _, k := range base.Kinds {
		if k.Datasets == 0 || k.Datasets >= MinGateDatasets {
			want += 5
		}
	}
	for _, a := range base.Agreement {
		if a.Datasets == 0 || a.Datasets >= MinGateDatasets {
			want += 3
		}
	}
	for _, p := range base.PPC {
		if p.N >= MinGateDatasets {
			want += 4
		}
	}
	for _, s := range base.RealSuite.ByMethod {
		if s.N >= 2 {
			want += 2
		}
	}
	if rep.FamilyAlpha != DefaultFamilyAlpha || rep.Z != BonferroniZ(DefaultFamilyAlpha, want) {
		t.Errorf("Z = %v at family-wise α = %v, want BonferroniZ(%v, %d) = %v", rep.Z, rep.FamilyAlpha, DefaultFamilyAlpha, want, BonferroniZ(DefaultFamilyAlpha, want))
	}
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
		{"within MC error", 1, 3, 0, false, false},
		{"just inside z=3", 2.9, 3, 0, false, false},
		{"just outside z=3", 3.1, 3, 0, true, true},
		{"10 SE worse", 10 / math.Sqrt2, 3, 0, true, true},
		{"z=5 absorbs 4.9", 4.9, 5, 0, false, false},
		{"margin absorbs", 3.1, 3, 0.2 * se, false, false},
		// ECE past 0 to the other sign: |ECE| rises by 3.1·√2·SE − 2|ECE|,
		// within 3·√2·SE when |ECE| > 0.05·√2·SE (checked below).
		{"overshoot to the other sign", -3.1, 3, 0, false, false},
		// The default z, BonferroniZ(0.01, m), lies between 3.9 and 4.1
		// for the m = 100 to 200 gated metrics of the quick suite (Python:
		// statistics.NormalDist().inv_cdf(1 − 0.01/(2m))): 3.5 passes,
		// 4.2 fails (checked below).
		{"inside the default z", 3.5, 0, 0, false, false},
		{"outside the default z", 4.2, 0, 0, true, true},
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
			if c.z == 0 && !(rep.Z > 3.5 && rep.Z < 4.2) {
				t.Fatalf("default z %v for %d gated metrics, outside the range these cases assume", rep.Z, rep.GatedCount())
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
		{"NRMSE up 10 SE", func(r *Results) {
			g := kind(t, r, KindB)
			g.NRMSE.Value += 10 * g.NRMSE.SE
		}, "nuts b " + MetricNRMSE},
		{"log-γ down 10 SE", func(r *Results) {
			g := kind(t, r, KindSigmaB)
			g.LogGamma.Value -= 10 * g.LogGamma.SE
		}, "nuts sigma_b " + MetricLogGamma},
		{"r became NaN", func(r *Results) { kind(t, r, KindSigma).R.Value = fit.Num(math.NaN()) }, "nuts sigma " + MetricR},
		{"convergence down 10 SE", func(r *Results) {
			r.Convergence.Value -= 10 * r.Convergence.SE
		}, "nuts " + MetricConvergence},
		{"failed fits up 10 SE", func(r *Results) { r.FailedRate.Value += 10 * r.FailedRate.SE }, MetricFailed},
		{"CRPS up", func(r *Results) {
			p := ppcOf(t, r, SuiteSimulated)
			p.CRPS.Value += 10 * p.CRPS.SE
		}, "nuts simulated " + MetricCRPS},
		{"LPD down", func(r *Results) {
			p := ppcOf(t, r, SuiteSimulated)
			p.LPD.Value -= 10 * p.LPD.SE
		}, "nuts simulated " + MetricLPD},
		// σ, which every dataset has: a kind over fewer than
		// MinGateDatasets datasets is reported only.
		{"npe σ means drift from NUTS's", func(r *Results) {
			a := agreementOf(t, r, "npe", KindSigma)
			a.MeanAbsDiff.Value += 10 * a.MeanAbsDiff.SE
		}, "npe sigma " + MetricMeanDiff},
		{"npe-is β agreement r dropped", func(r *Results) {
			a := agreementOf(t, r, "npe-is", KindBeta)
			a.R.Value -= 10*a.R.SE + 0.01
		}, "npe-is beta " + MetricAgreementR},
		{"half the datasets misfit", func(r *Results) {
			// Agresti–Coull SEs over 24 datasets: 0.049 at 0 of 24 (see
			// TestBinomialRate), √(.5·.5/28) = 0.094 at 12 of 24; 0 → 0.5
			// is 4.7 combined SEs, beyond the default z of 3.91.
			p := ppcOf(t, r, SuiteSimulated)
			if p.N != 24 || p.PPPBetweenLow.Value != 0 {
				t.Fatalf("baseline has %d datasets and share %v, want 24 and 0", p.N, p.PPPBetweenLow.Value)
			}
			p.PPPBetweenLow = binomialRate(12, 24)
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

// TestGateBandTestNotGated checks that the pass/fail SBC band test is
// reported but not gated (log-γ gates SBC), and that improvements pass.
func TestGateBandTestNotGated(t *testing.T) {
	base := readBaseline(t)
	kind(t, base, KindSigma).R.Value -= 10 * kind(t, base, KindSigma).R.SE
	cur := readBaseline(t)
	kind(t, cur, KindBeta).BandPass = !kind(t, cur, KindBeta).BandPass
	rep := Gate(base, cur, GateOptions{})
	if rep.Failed() {
		t.Fatalf("regressions %v", regressionNames(rep))
	}
	if r := row(t, rep, "nuts beta "+MetricBand); r.Gated || r.Regression || r.Delta == 0 {
		t.Errorf("band test flipped: %+v, want a reported, ungated change", r)
	}
	if r := row(t, rep, "nuts sigma "+MetricR); !r.Significant || r.Regression {
		t.Errorf("an improvement of r by 10 SE: %+v, want significant, no regression", r)
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
	npe.ECE.Value = 0.5
	cur.Kinds = append(kept, npe)
	cur.Timing = append(cur.Timing, TimingResult{Method: "npe", Suite: SuiteSimulated, Median: 0.01})
	// The predictive checks of the real suite stopped; npe's appeared.
	npePPC := *ppcOf(t, cur, SuiteSimulated)
	npePPC.Method = "npe"
	cur.PPC = slices.DeleteFunc(cur.PPC, func(p PPCResult) bool { return p.Suite == SuiteReal })
	cur.PPC = append(cur.PPC, npePPC)
	if ppcOf(t, base, SuiteReal).N < MinGateDatasets {
		t.Fatalf("the baseline's real suite has %d datasets, too few to gate its predictive checks", ppcOf(t, base, SuiteReal).N)
	}

	// 5 gated metrics of nuts sigma_b and 4 of nuts real are gone; 5 of npe
	// beta and 4 of npe simulated are new. The band tests and timing are
	// reported as unpaired but not gated.
	wantGone := []string{"nuts sigma_b |ECE|", "nuts sigma_b EACE", "nuts sigma_b 1−r", "nuts sigma_b NRMSE", "nuts sigma_b SBC log-γ",
		"nuts real CRPS", "nuts real LPD", "nuts real share PPP(within SD) < 0.05", "nuts real share PPP(between SD) < 0.05"}
	wantNew := []string{"npe beta |ECE|", "npe beta EACE", "npe beta 1−r", "npe beta NRMSE", "npe beta SBC log-γ",
		"npe simulated CRPS", "npe simulated LPD", "npe simulated share PPP(within SD) < 0.05", "npe simulated share PPP(between SD) < 0.05"}
	rep := Gate(base, cur, GateOptions{})
	if got, want := regressionNames(rep), append(slices.Clone(wantGone), wantNew...); !slices.Equal(got, want) {
		t.Fatalf("regressions\n%q\nwant\n%q", got, want)
	}
	gone, added := rep.Unpaired()
	if want := slices.Insert(slices.Clone(wantGone), 4, "nuts sigma_b "+MetricBand); !slices.Equal(gone, want) {
		t.Errorf("missing from the current results %q, want %q", gone, want)
	}
	if want := append(slices.Insert(slices.Clone(wantNew), 4, "npe beta "+MetricBand), "npe "+MetricTime); !slices.Equal(added, want) {
		t.Errorf("missing from the baseline %q, want %q", added, want)
	}
	if r, want := row(t, rep, "nuts sigma_b "+MetricEACE), float64(kind(t, base, KindSigmaB).EACE.Value); r.Old != want || !math.IsNaN(r.New) || r.Note != "missing from the current results" {
		t.Errorf("missing row %+v, want old %v (the baseline's), new NaN", r, want)
	}
	if r := row(t, rep, "npe beta "+MetricAbsECE); r.New != 0.5 || !math.IsNaN(r.Old) || r.Note != "missing from the baseline" {
		t.Errorf("new row %+v, want new 0.5, old NaN", r)
	}

	// --allow-missing: reported, not gated, and the gate passes.
	rep = Gate(base, cur, GateOptions{AllowMissing: true})
	if rep.Failed() {
		t.Fatalf("AllowMissing: regressions %v", regressionNames(rep))
	}
	for _, m := range append(wantGone, wantNew...) {
		if r := row(t, rep, m); r.Gated || r.Missing == "" || !strings.HasSuffix(r.Note, "allowed, not gated") {
			t.Errorf("AllowMissing: %s: %+v", m, r)
		}
	}
}

// TestGateBaselineWithoutSections is the case of issue 12: a baseline
// without by_kind and agreement passed with a fraction of the metrics
// gated; now every metric it lacks is named and fails.
func TestGateBaselineWithoutSections(t *testing.T) {
	base := readBaseline(t)
	base.Kinds, base.Params, base.Agreement = nil, nil, nil
	cur := readBaseline(t)
	rep := Gate(base, cur, GateOptions{})
	_, added := rep.Unpaired()
	gatedNew := 0
	for _, r := range rep.Regressions() {
		if r.Missing != "baseline" {
			t.Errorf("regression %s: %+v, want only metrics missing from the baseline", r.Metric, r)
		}
		gatedNew++
	}
	// 5 gated metrics and the band test per method × kind, 3 per method ×
	// kind of the agreement; those over fewer than MinGateDatasets datasets
	// are reported only.
	want, wantAdded := 0, 0
	for _, k := range cur.Kinds {
		wantAdded += 6
		if k.Datasets == 0 || k.Datasets >= MinGateDatasets {
			want += 5
		}
	}
	for _, a := range cur.Agreement {
		wantAdded += 3
		if a.Datasets == 0 || a.Datasets >= MinGateDatasets {
			want += 3
		}
	}
	if gatedNew != want {
		t.Errorf("%d gated metrics missing from the baseline, want %d", gatedNew, want)
	}
	if len(added) != wantAdded {
		t.Errorf("%d metrics missing from the baseline, want %d", len(added), wantAdded)
	}
	if rep := Gate(base, cur, GateOptions{AllowMissing: true}); rep.Failed() {
		t.Errorf("AllowMissing: regressions %v", regressionNames(rep))
	}
}

// TestBonferroniZ checks z = Φ⁻¹(1 − α/(2m)) against Python's
// statistics.NormalDist().inv_cdf.
func TestBonferroniZ(t *testing.T) {
	for _, c := range []struct {
		alpha float64
		m     int
		want  float64
	}{
		{0.05, 1, 1.9599639845400536},
		{0.01, 1, 2.5758293035489},
		{0.01, 110, 3.9136560829349545},
		{0.05, 0, 1.9599639845400536}, // m < 1 counts as 1
	} {
		if got := BonferroniZ(c.alpha, c.m); math.Abs(got-c.want) > 1e-9 {
			t.Errorf("BonferroniZ(%v, %d) = %v, want %v", c.alpha, c.m, got, c.want)
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
	// The regression's footnote number depends on the notes before it.
	if l := find("nuts sigma 1−r"); strings.Contains(l, " ~") || !strings.ContainsAny(l, "¹²³") {
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

// estimatePaths returns the JSON paths of every Estimate (a metric with a
// standard error) in values of type t: "a/b" for a nested field, "a[]/b"
// for a field of the elements of a slice (JSON names hold dots).
func estimatePaths(t reflect.Type, prefix string) []string {
	var out []string
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if !f.IsExported() || name == "-" || name == "" {
			continue
		}
		ft := f.Type
		path := prefix + name
		if ft.Kind() == reflect.Slice {
			ft, path = ft.Elem(), path+"[]"
		}
		switch {
		case ft == reflect.TypeOf(Estimate{}):
			out = append(out, path)
		case ft.Kind() == reflect.Struct:
			out = append(out, estimatePaths(ft, path+"/")...)
		}
	}
	return out
}

// nullAt sets the value of every Estimate at path in the JSON value v to
// null (NaN), and reports how many it set.
func nullAt(v any, path []string) int {
	m, ok := v.(map[string]any)
	if !ok {
		return 0
	}
	name, slice := strings.CutSuffix(path[0], "[]")
	if len(path) == 1 && !slice {
		e, ok := m[name].(map[string]any)
		if !ok {
			return 0
		}
		e["value"] = nil
		return 1
	}
	if !slice {
		return nullAt(m[name], path[1:])
	}
	n := 0
	elems, _ := m[name].([]any)
	for _, e := range elems {
		if len(path) == 1 {
			if em, ok := e.(map[string]any); ok {
				em["value"] = nil
				n++
			}
			continue
		}
		n += nullAt(e, path[1:])
	}
	return n
}

// TestGateCoversEveryEstimate checks, for every Estimate of results.json,
// that the gate compares it (it fails when the current value is NaN) or
// that notGated says why not. A new section of Results with standard
// errors fails here until gateMetrics gates it or it is listed.
func TestGateCoversEveryEstimate(t *testing.T) {
	notGated := map[string]string{
		"by_kind[]/mean_z": "a diagnostic of the sign of the errors; |ECE| and EACE gate calibration",
		// Per parameter, the kinds pool them: gating both would count
		// the same datasets twice and multiply the comparisons.
		"by_parameter[]/r": "per parameter", "by_parameter[]/nrmse": "per parameter", "by_parameter[]/mean_z": "per parameter",
		"by_parameter[]/ece": "per parameter", "by_parameter[]/eace": "per parameter", "by_parameter[]/log_gamma": "per parameter",
		// Table 7: the quick suite fits 4 to 6 datasets per misspecified
		// variant, too few for a bootstrap SE to gate on.
		"misspec[]/agreement_r": "too few datasets", "misspec[]/mean_abs_dmean_over_sd": "too few datasets",
		"misspec[]/ece": "too few datasets", "misspec[]/eace": "too few datasets", "misspec[]/recovery_r": "too few datasets",
	}
	raw, err := json.Marshal(readBaseline(t))
	if err != nil {
		t.Fatal(err)
	}
	base := readBaseline(t)
	for _, path := range estimatePaths(reflect.TypeOf(Results{}), "") {
		if _, ok := notGated[path]; ok {
			continue
		}
		var v any
		if err := json.Unmarshal(raw, &v); err != nil {
			t.Fatal(err)
		}
		if nullAt(v, strings.Split(path, "/")) == 0 {
			t.Logf("%s: none in the baseline, not checked", path)
			continue
		}
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		var cur Results
		if err := json.Unmarshal(b, &cur); err != nil {
			t.Fatal(err)
		}
		if rep := Gate(base, &cur, GateOptions{}); !rep.Failed() {
			t.Errorf("results.json %s has a standard error but the gate does not compare it: add it to gateMetrics, or to notGated with the reason", path)
		}
	}
}
