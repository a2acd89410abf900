package validate

import (
	"encoding/csv"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/metabeta-go/metabeta/fit"
	"github.com/metabeta-go/metabeta/lmm"
)

// TestCompareToReferenceKnownAnswer checks the Table 5 metrics on a
// hand-made pair of summaries. By hand:
//
//	b_Intercept: |10.2 − 10|/2 = 0.10,  |log(2.2/2)|   = log 1.1 = 0.0953
//	b_x:         |0.9 − 1|/0.5 = 0.20,  |log(0.5/0.5)| = 0
//	sigma:       |3 − 3|/0.3   = 0,     |log(0.27/0.3)| = −log 0.9 = 0.1054
//
// so the largest |Δmean|/sd_ref is 0.20 at b_x (a FAIL: above 0.15) and the
// largest |log sd ratio| 0.1054 at sigma (the ratio 0.9 is within ±15%).
func TestCompareToReferenceKnownAnswer(t *testing.T) {
	ref := []RefParam{{"b_Intercept", 10, 2}, {"b_x", 1, 0.5}, {"sigma", 3, 0.3}}
	names := []string{"b_Intercept", "b_x", "sigma", "r_g[1,Intercept]"}
	c, err := compareToReference(names, []float64{10.2, 0.9, 3, 5}, []float64{2.2, 0.5, 0.27, 9}, ref)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(float64(c.MaxAbsDMean)-0.2) > 1e-12 || c.WorstMean != "b_x" {
		t.Errorf("max |Δmean|/sd_ref = %v at %s, want 0.2 at b_x", c.MaxAbsDMean, c.WorstMean)
	}
	if want := -math.Log(0.9); math.Abs(float64(c.MaxAbsLogSD)-want) > 1e-12 || c.WorstSD != "sigma" {
		t.Errorf("max |log sd ratio| = %v at %s, want %v at sigma", c.MaxAbsLogSD, c.WorstSD, want)
	}
	if c.Pass {
		t.Error("pass with a mean 0.2 reference SD off, want FAIL")
	}
	// b_x at 0.95 (0.10 SD off): every mean within 0.15 SD, every SD within
	// ±15% (ratios 1.1, 1, 0.9): a pass.
	c, err = compareToReference(names, []float64{10.2, 0.95, 3, 5}, []float64{2.2, 0.5, 0.27, 9}, ref)
	if err != nil || !c.Pass || math.Abs(float64(c.MaxAbsDMean)-0.1) > 1e-12 {
		t.Errorf("got %+v, %v; want a pass with max |Δmean|/sd_ref 0.1", c, err)
	}
	// An SD 16% high fails, whatever the means.
	if c, _ := compareToReference(names, []float64{10, 1, 3, 5}, []float64{2, 0.5, 0.348, 9}, ref); c.Pass {
		t.Errorf("sd ratio 1.16 passes: %+v", c)
	}
	if _, err := compareToReference([]string{"b_Intercept"}, []float64{1}, []float64{1}, ref); err == nil ||
		!strings.Contains(err.Error(), "b_x") {
		t.Errorf("a posterior without b_x: err = %v, want one naming b_x", err)
	}
}

// TestRealSuiteTable5Rows checks the aggregation of Table 5 on hand-made
// records: one dataset with an rstan reference (two methods) and one
// measured against the run's NUTS fit.
func TestRealSuiteTable5Rows(t *testing.T) {
	k, eff := fit.Num(0.8), fit.Num(0.4)
	par := func(name string, mean, sd float64) ParamRecord {
		return ParamRecord{Name: name, Kind: kindOf(name), Mean: mean, SD: sd}
	}
	cfg := Config{Real: []RealDataset{
		{Name: "a", Reference: &Reference{Source: RstanSource, Params: []RefParam{{"b_Intercept", 0, 1}, {"sigma", 1, 0.1}}}},
		{Name: "b"},
	}}
	recs := []Record{
		{Suite: SuiteReal, Dataset: 0, Name: "a", Method: fit.MethodNUTS, Params: []ParamRecord{par("b_Intercept", 0.05, 1), par("sigma", 1, 0.1)}},
		{Suite: SuiteReal, Dataset: 0, Name: "a", Method: fit.MethodNPEIS, ParetoK: &k, ISEfficiency: &eff, Fallback: "Pareto k̂ = 0.80 above 0.70",
			Params: []ParamRecord{par("b_Intercept", 0.3, 1.5), par("sigma", 1, 0.1), par("r_g[1,Intercept]", 9, 9)},
			Seeds: []SeedFit{
				{Seed: 2, Params: []RefParam{{"b_Intercept", 0.1, 1.1}, {"sigma", 1.01, 0.1}}},           // 0.1 SD, +10%: pass
				{Seed: 3, Params: []RefParam{{"b_Intercept", 0, 1}, {"sigma", 1, 0.12}}, Fallback: "k̂"}, // +20%: fail
				{Seed: 4, Error: "no draw has a finite weight"},                                          // fails, falls back
			}},
		{Suite: SuiteReal, Dataset: 1, Name: "b", Method: fit.MethodNUTS, Params: []ParamRecord{par("b_Intercept", 2, 0.5), par("sigma", 1, 0.2)}},
		{Suite: SuiteReal, Dataset: 1, Name: "b", Method: fit.MethodNPEIS, Params: []ParamRecord{par("b_Intercept", 2.05, 0.5), par("sigma", 1, 0.2)}},
		{Suite: SuiteSimulated, Dataset: 0, Method: fit.MethodNUTS, Params: []ParamRecord{par("b_Intercept", 9, 1)}},
	}
	got, warnings := realSuite(cfg, []string{fit.MethodNUTS, fit.MethodNPEIS}, recs)
	if len(warnings) > 0 || len(got.Rows) != 4 {
		t.Fatalf("rows %d, warnings %v; want 4 rows, no warnings", len(got.Rows), warnings)
	}
	// a/nuts: 0.05/1 = 0.05, log 1 = 0: pass. a/npe-is: 0.3/1, log 1.5 = 0.405: FAIL.
	// b/nuts is the reference; b/npe-is: 0.05/0.5 = 0.1, log 1 = 0: pass.
	want := []struct {
		ref      string
		dm, ls   float64
		pass     bool
		compared bool
	}{{"rstan", 0.05, 0, true, true}, {"rstan", 0.3, math.Log(1.5), false, true}, {"nuts", 0, 0, false, false}, {"nuts", 0.1, 0, true, true}}
	for i, w := range want {
		r := got.Rows[i]
		if r.Reference != w.ref || r.Pass != w.pass {
			t.Errorf("row %d (%s %s): reference %s pass %v, want %s %v", i, r.Dataset, r.Method, r.Reference, r.Pass, w.ref, w.pass)
		}
		if !w.compared {
			if !math.IsNaN(float64(r.MaxAbsDMean)) {
				t.Errorf("row %d: the reference compared with itself: %v", i, r.MaxAbsDMean)
			}
			continue
		}
		if math.Abs(float64(r.MaxAbsDMean)-w.dm) > 1e-12 || math.Abs(float64(r.MaxAbsLogSD)-w.ls) > 1e-12 {
			t.Errorf("row %d: %v %v, want %v %v", i, r.MaxAbsDMean, r.MaxAbsLogSD, w.dm, w.ls)
		}
	}
	// npe-is: 2 datasets, 1 pass, 1 fallback, maxima (0.3 + 0.1)/2 = 0.2.
	s := got.ByMethod[1]
	if s.Method != fit.MethodNPEIS || s.N != 2 || s.Passed != 1 || s.Fallbacks != 1 ||
		math.Abs(float64(s.MeanMaxAbsDMean.Value)-0.2) > 1e-12 || float64(s.MedianISEfficiency) != 0.4 {
		t.Errorf("npe-is summary %+v", s)
	}
	if s := got.ByMethod[0]; s.N != 1 || s.Passed != 1 {
		t.Errorf("nuts summary %+v: want 1 compared dataset (a), passed", s)
	}
	// Seeds: a/npe-is 1 of 4 fits pass (seed 2), 3 fall back (the first,
	// seed 3, and the failed seed 4); b/npe-is 1 of 1, none.
	if r := got.Rows[1]; r.Seeds != 4 || r.SeedsPassed != 1 || r.SeedsFellBack != 3 {
		t.Errorf("a/npe-is seeds %d, passed %d, fell back %d: want 4, 1, 3", r.Seeds, r.SeedsPassed, r.SeedsFellBack)
	}
	if s.SeedFits != 5 || s.SeedsPassed != 2 || s.SeedsFellBack != 3 || s.PassedEverySeed != 1 || s.KeptEverySeed != 1 {
		t.Errorf("npe-is over seeds %+v: want 5 fits, 2 pass, 3 fall back, 1 dataset passing and 1 kept at every seed", s)
	}
}

// TestRealSuiteLoads reads every dataset of the shipped real suite with
// its formula, prior and reference, from testdata/ as the binary embeds it,
// and checks the nine of testdata/realdata against their index.csv (rows
// and groups as R counted them).
func TestRealSuiteLoads(t *testing.T) {
	cfg := DefaultConfig(true, os.DirFS("../testdata"))
	if err := cfg.LoadReal(); err != nil {
		t.Fatal(err)
	}
	index := readIndex(t)
	seen := 0
	for _, rd := range cfg.Real {
		d, prior, err := cfg.loadReal(rd)
		if err != nil {
			t.Fatal(err)
		}
		if err := prior.Check(d); err != nil {
			t.Errorf("%s: %v", rd.Name, err)
		}
		if rd.ReferenceFile != "" && (rd.Reference == nil || len(rd.Reference.Params) != d.Dim()) {
			t.Errorf("%s: reference %+v, want one entry per global parameter (%d)", rd.Name, rd.Reference, d.Dim())
		}
		row, ok := index[rd.Name]
		if !ok {
			continue
		}
		seen++
		if rd.Formula != row[0] || strconv.Itoa(d.N()) != row[1] || strconv.Itoa(d.M()) != row[2] {
			t.Errorf("%s: formula %q, %d rows, %d groups; index.csv says %q, %s rows, %s groups",
				rd.Name, rd.Formula, d.N(), d.M(), row[0], row[1], row[2])
		}
		if !strings.HasPrefix(rd.ReferenceFile, "realdata/") {
			t.Errorf("%s: reference %q, want the rstan summary in realdata/", rd.Name, rd.ReferenceFile)
		}
	}
	if seen != len(index) {
		t.Errorf("%d of the %d datasets of realdata/index.csv are in the suite", seen, len(index))
	}
}

// readIndex reads testdata/realdata/index.csv: name → formula, rows, groups.
func readIndex(t *testing.T) map[string][3]string {
	t.Helper()
	f, err := os.Open("../testdata/realdata/index.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][3]string{}
	for _, r := range rows[1:] {
		out[r[0]] = [3]string{r[1], r[3], r[4]}
	}
	return out
}

// TestReferencePriorsFollowRecipe checks every prior file of the suite
// against the recipe of testdata/realdata/README.md, computed here from
// lmm.DefaultPrior (2.5 and 1 response SDs per predictor SD) scaled to 3 and
// 1.5. The files were written by R (testdata/reference/make_reference.R, and
// the same recipe for testdata/realdata), so this also checks that the Go
// design and R's model
// matrix agree on rows, columns and SDs.
func TestReferencePriorsFollowRecipe(t *testing.T) {
	cfg := DefaultConfig(true, os.DirFS("../testdata"))
	for _, rd := range cfg.Real {
		d, got, err := cfg.loadReal(rd)
		if err != nil {
			t.Fatal(err)
		}
		want, err := lmm.DefaultPrior(d)
		if err != nil {
			t.Fatal(err)
		}
		for k := range want.BetaSD {
			want.BetaSD[k] *= 3 / lmm.DefaultCoefScale
		}
		for k := range want.SDScale {
			want.SDScale[k] *= 1.5 / lmm.DefaultSDScale
		}
		want.SigmaScale *= 1.5 / lmm.DefaultSDScale
		close := func(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(math.Abs(b), 1e-300) }
		ok := close(got.SigmaScale, want.SigmaScale)
		for k := range want.BetaSD {
			ok = ok && close(got.BetaMean[k], want.BetaMean[k]) && close(got.BetaSD[k], want.BetaSD[k])
		}
		for k := range want.SDScale {
			ok = ok && close(got.SDScale[k], want.SDScale[k])
		}
		if !ok {
			t.Errorf("%s: %s holds %+v, the recipe gives %+v", rd.Name, rd.Prior, got, want)
		}
	}
}

// TestParseReference checks the summary reader: the short sd_<term> names
// of testdata/reference/sleepstudy.summary.csv, and errors that name the
// line and the parameter.
func TestParseReference(t *testing.T) {
	cfg := Config{Data: os.DirFS("../testdata")}
	rd := RealSuite()[0]
	d, _, err := cfg.loadReal(rd)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := cfg.readData(rd.ReferenceFile)
	if err != nil {
		t.Fatal(err)
	}
	ref, err := parseReference(raw, d)
	if err != nil {
		t.Fatal(err)
	}
	// sleepstudy.summary.csv, row "sd_Days": 6.53108757997369, 1.44314527830586.
	if p := ref.Params[3]; p.Name != "sd_Subject__Days" || p.Mean != 6.53108757997369 || p.SD != 1.44314527830586 {
		t.Errorf("ref.Params[3] = %+v, want sd_Subject__Days from the sd_Days row", p)
	}
	for _, c := range []struct{ csv, want string }{
		{"variable,mean\nb_Days,1\n", `no column "sd"`},
		{"variable,mean,sd\nb_Days,1,0\n", "line 2: b_Days: want a finite mean and a positive sd"},
		{"variable,mean,sd\nb_Foo,1,1\n", "line 2: variable \"b_Foo\" is not a global parameter"},
		{"variable,mean,sd\nb_Days,1,1\n", "no row for b_Intercept"},
	} {
		if _, err := parseReference([]byte(c.csv), d); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: err = %v, want %q", c.csv, err, c.want)
		}
	}
}

// TestLoadRealNamesMissingFile checks that a data folder without a file
// of the suite is reported before anything runs, naming the dataset and
// the file.
func TestLoadRealNamesMissingFile(t *testing.T) {
	dir := t.TempDir()
	cfg := DefaultConfig(true, os.DirFS(dir))
	err := cfg.LoadReal()
	if err == nil || !strings.Contains(err.Error(), "sleepstudy") || !strings.Contains(err.Error(), "datasets/sleepstudy.csv") {
		t.Errorf("err = %v, want one naming sleepstudy and datasets/sleepstudy.csv", err)
	}
}
