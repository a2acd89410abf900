package validate

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/metabeta-go/metabeta/fit"
	"github.com/metabeta-go/metabeta/lmm"
	"github.com/metabeta-go/metabeta/reports"
	"github.com/metabeta-go/metabeta/sim"
)

// corDesign is a design with two correlated random effects, Intercept and
// x, in group g: its global parameters are b_Intercept, b_x,
// sd_g__Intercept, sd_g__x, sigma and cor_g__Intercept__x.
func corDesign() *lmm.Design {
	return &lmm.Design{Group: "g", Fixed: []string{"Intercept", "x"}, Random: []string{"Intercept", "x"},
		RandomCol: []int{0, 1}, Intercept: true, Correlated: true, Levels: []string{"1", "2"}}
}

// TestCorKindRouting checks that correlations are their own kind, by name,
// and that every name of a correlated design routes to its kind in the
// order of the tables: beta, sigma_b, sigma, cor (then b).
func TestCorKindRouting(t *testing.T) {
	for name, want := range map[string]string{
		"b_Intercept": KindBeta, "b_age:SexMale": KindBeta, "sd_g__x": KindSigmaB, "sigma": KindSigma,
		"cor_g__Intercept__x": KindCor, "cor_Subject__Intercept__Days": KindCor, "r_g[1,x]": KindB,
		// A group whose name starts like a kind is still routed by the prefix.
		"r_cor[1,x]": KindB, "sd_cor__x": KindSigmaB,
	} {
		if got := kindOf(name); got != want {
			t.Errorf("kindOf(%q) = %s, want %s", name, got, want)
		}
	}
	d := corDesign()
	names := d.Names()
	var kinds []string
	for _, n := range names {
		if err := checkParamName(n); err != nil {
			t.Errorf("design name %s refused: %v", n, err)
		}
		kinds = append(kinds, kindOf(n))
	}
	if want := []string{KindBeta, KindBeta, KindSigmaB, KindSigmaB, KindSigma, KindCor}; !slices.Equal(kinds, want) {
		t.Errorf("kinds of %v = %v, want %v", names, kinds, want)
	}
	// Tables order names by kind: a shuffled list sorts back to the design's
	// order (b_Intercept first, the correlations after sigma).
	shuffled := []string{"cor_g__Intercept__x", "sigma", "sd_g__x", "b_x", "sd_g__Intercept", "b_Intercept"}
	slices.SortFunc(shuffled, func(a, b string) int {
		if nameLess(a, b) {
			return -1
		}
		if nameLess(b, a) {
			return 1
		}
		return 0
	})
	if !slices.Equal(shuffled, names) {
		t.Errorf("sorted names %v, want %v", shuffled, names)
	}
	if i := slices.Index(kindOrder, KindCor); i != slices.Index(kindOrder, KindSigma)+1 || i != len(kindOrder)-2 {
		t.Errorf("kindOrder %v: want cor between sigma and b", kindOrder)
	}
}

// TestCheckParamNameCor checks the names of correlations that records may
// hold: cor_<group>__<term>__<term>, terms of interactions included.
func TestCheckParamNameCor(t *testing.T) {
	for _, ok := range []string{"cor_g__Intercept__x", "cor_Subject__Intercept__Days", "cor_g__x__age:SexMale"} {
		if err := checkParamName(ok); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	for _, bad := range []string{"cor_", "cor_g", "cor_g__x", "cor___x__y", "cor_g____y", "cor_g__x__"} {
		err := checkParamName(bad)
		if err == nil || !strings.Contains(err.Error(), "cor_<group>__<term>__<term>") {
			t.Errorf("%s: err = %v, want one naming the cor_ layout", bad, err)
		}
	}
}

// TestLKJCorSD checks the prior SD of one correlation under LKJ(η) in
// dimension q against hand values and two independent computations: the
// variance of the marginal density p(ρ) ∝ (1 − ρ²)^(a−1), a = η − 1 + q/2,
// by quadrature (ρ = sin t makes the integrand smooth), and a Monte Carlo
// estimate from package sim's onion-method draws.
func TestLKJCorSD(t *testing.T) {
	// By hand: LKJ(1) with q = 2 is ρ ~ U(−1, 1), variance 1/3; q = 3 gives
	// a = 1.5, variance 1/(2a + 1) = 1/4; LKJ(2), q = 2: a = 2, 1/5.
	for _, c := range []struct {
		eta  float64
		q    int
		want float64
	}{{1, 2, 1.0 / 3}, {1, 3, 0.25}, {2, 2, 0.2}} {
		if got := LKJCorSD(c.eta, c.q); math.Abs(got*got-c.want) > 1e-15 {
			t.Errorf("LKJCorSD(%g, %d)² = %v, want %v", c.eta, c.q, got*got, c.want)
		}
	}
	quadVar := func(eta float64, q int) float64 {
		// ∫ sin²t cos^(2a−1)t dt / ∫ cos^(2a−1)t dt over (−π/2, π/2), midpoint rule.
		a := eta - 1 + float64(q)/2
		const n = 20000
		num, den := 0.0, 0.0
		for i := range n {
			x := -math.Pi/2 + (float64(i)+0.5)*math.Pi/n
			w := math.Pow(math.Cos(x), 2*a-1)
			num += math.Sin(x) * math.Sin(x) * w
			den += w
		}
		return num / den
	}
	for _, c := range []struct {
		eta float64
		q   int
	}{{0.5, 2}, {1, 2}, {1.5, 3}, {2, 3}, {4, 6}} {
		sd := LKJCorSD(c.eta, c.q)
		if v := quadVar(c.eta, c.q); math.Abs(sd*sd-v) > 1e-6 {
			t.Errorf("η %g, q %d: variance %v, quadrature %v", c.eta, c.q, sd*sd, v)
		}
	}
	// Monte Carlo: 20,000 draws of Ω₂₁ under LKJ(1.5), q = 3: variance
	// 1/(3 + 2) = 0.2; the SE of a sample variance is about
	// 0.2·√(2/20000)·(kurtosis factor < 1 here) = 0.002.
	rng := rand.New(rand.NewPCG(3, 5))
	l := make([]float64, 9)
	sum2 := 0.0
	const draws = 20000
	for range draws {
		sim.LKJCholesky(rng, 3, 1.5, l)
		r := l[3*1+0] * l[0] // Ω₂₁ = L₂₁L₁₁
		sum2 += r * r
	}
	if v, want := sum2/draws, math.Pow(LKJCorSD(1.5, 3), 2); math.Abs(v-want) > 0.01 {
		t.Errorf("sim's LKJ(1.5), q = 3: E[ρ²] = %v, want %v", v, want)
	}
}

// TestPriorSDCor checks the prior SDs that contraction uses, per global
// parameter of a correlated design: the correlation gets LKJCorSD(η, q).
func TestPriorSDCor(t *testing.T) {
	d := corDesign()
	pr := lmm.Prior{BetaMean: []float64{0, 0}, BetaSD: []float64{2, 3}, SDScale: []float64{1, 4}, SigmaScale: 5, LKJ: 2}
	hn := math.Sqrt(1 - 2/math.Pi)
	// η = 2, q = 2: 1/√(2·2 + 2 − 1) = 1/√5.
	want := []float64{2, 3, hn, 4 * hn, 5 * hn, 1 / math.Sqrt(5)}
	if d.Dim() != len(want) {
		t.Fatalf("Dim %d, want %d", d.Dim(), len(want))
	}
	for j, w := range want {
		if got := priorSD(pr, d, j); math.Abs(got-w) > 1e-15 {
			t.Errorf("priorSD of %s = %v, want %v", d.Names()[j], got, w)
		}
	}
}

// corRecords returns the records of n simulated datasets fitted by nuts and
// npe, each with one coefficient, sigma and one correlation: truths
// 0.1·i − 0.5 for the correlation; nuts's means are the truths, npe's the
// truths + 0.03, both with SD 0.3 under an LKJ(1) prior of SD 1/√3; PITs and
// ranks spread evenly.
func corRecords(n int) []Record {
	var recs []Record
	for i := range n {
		for _, m := range []string{fit.MethodNUTS, fit.MethodNPE} {
			shift := 0.0
			if m == fit.MethodNPE {
				shift = 0.03
			}
			ps := []ParamRecord{
				{Name: "b_x", Truth: float64(i), Mean: float64(i) + shift, SD: 1, PriorSD: 10},
				{Name: "sigma", Truth: 1 + float64(i)/float64(n), Mean: 1 + float64(i)/float64(n) + shift, SD: 0.1, PriorSD: 1},
				{Name: "cor_g__Intercept__x", Truth: 0.1*float64(i) - 0.5, Mean: 0.1*float64(i) - 0.5 + shift, SD: 0.3, PriorSD: LKJCorSD(1, 2)},
			}
			for k := range ps {
				ps[k].Kind = kindOf(ps[k].Name)
				ps[k].PIT = (float64(i) + 0.5) / float64(n)
				ps[k].Rank, ps[k].L = (i*7)%10, 9
				ps[k].Quantiles = make([]float64, len(QuantileLevels))
				for q, lv := range QuantileLevels {
					ps[k].Quantiles[q] = ps[k].Mean + ps[k].SD*(lv-0.5)
				}
			}
			recs = append(recs, Record{Suite: SuiteSimulated, Dataset: i, Method: m, Seconds: 1, Draws: 100, Params: ps,
				MaxRhat: fit.Num(1), MinESS: fit.Num(500)})
		}
	}
	return recs
}

// TestAggregateCor checks that correlations come out as their own rows in
// Table 1 (recovery, coverage, contraction), Table 2 (agreement), Table 4
// (SBC) and the gate, with known answers: contraction 1 − 0.3²·3 = 0.73,
// npe's means 0.03 = 0.1 SD from NUTS's.
func TestAggregateCor(t *testing.T) {
	const n = 12
	cfg := Config{Seed: 1, Simulated: n, SBCDraws: 9, ModelID: "test"}
	res := Aggregate(cfg, corRecords(n))
	var kinds []string
	var cor *GroupResult
	for i, g := range res.Kinds {
		if g.Method == fit.MethodNUTS {
			kinds = append(kinds, g.Group)
		}
		if g.Method == fit.MethodNUTS && g.Group == KindCor {
			cor = &res.Kinds[i]
		}
	}
	if want := []string{KindBeta, KindSigma, KindCor}; !slices.Equal(kinds, want) {
		t.Fatalf("nuts kinds %v, want %v", kinds, want)
	}
	if cor.N != n || cor.Datasets != n || math.Abs(float64(cor.Contraction)-0.73) > 1e-12 ||
		math.Abs(float64(cor.R.Value)-1) > 1e-12 || cor.L != 9 {
		t.Errorf("nuts cor: n %d, datasets %d, contraction %v, r %v, L %d; want %d, %d, 0.73, 1, 9",
			cor.N, cor.Datasets, cor.Contraction, cor.R.Value, cor.L, n, n)
	}
	// PITs (i + 0.5)/12 are uniform: the central 50% interval covers the
	// 6 with |PIT − ½| ≤ ¼, i = 3..8.
	if float64(cor.Coverage[0]) != 0.5 {
		t.Errorf("cor coverage at 50%% = %v, want 0.5", cor.Coverage[0])
	}
	var agree *AgreementResult
	for i, a := range res.Agreement {
		if a.Method == fit.MethodNPE && a.Kind == KindCor {
			agree = &res.Agreement[i]
		}
	}
	if agree == nil || agree.N != n || agree.Datasets != n || math.Abs(float64(agree.MeanAbsDiff.Value)-0.1) > 1e-12 {
		t.Fatalf("npe cor agreement %+v, want n %d and |Δmean|/sd 0.1", agree, n)
	}
	// Tables 1 (recovery), 2 (agreement) and 7's kinds come from the same
	// rows; Table 4 (SBC) has the pooled kind and the parameter.
	tables := res.Tables()
	for _, c := range []struct {
		table, col int
		want       string
	}{{0, 1, KindCor}, {1, 1, KindCor}, {3, 1, "all " + KindCor}, {3, 1, "cor_g__Intercept__x"}} {
		if !tableHasCell(tables[c.table], c.col, c.want) {
			t.Errorf("%s: no row with %q", tables[c.table].Title, c.want)
		}
	}
	// Gated: each cor metric has an SE (12 datasets ≥ MinGateDatasets).
	names := map[string]gateMetric{}
	for _, m := range gateMetrics(res) {
		names[m.name] = m
	}
	for _, m := range []string{"nuts cor " + MetricAbsECE, "nuts cor " + MetricR, "nuts cor " + MetricNRMSE, "nuts cor " + MetricLogGamma,
		"npe cor " + MetricMeanDiff, "npe cor " + MetricAgreementR, "npe cor " + MetricW1} {
		g, ok := names[m]
		if !ok || g.rule != ruleZ {
			t.Errorf("gate metric %q: %+v, present %v; want gated", m, g, ok)
		}
	}
	// With fewer than MinGateDatasets datasets the same metrics are reported
	// only, and say why.
	few := Aggregate(Config{Seed: 1, Simulated: 6, SBCDraws: 9, ModelID: "test"}, corRecords(6))
	for _, m := range gateMetrics(few) {
		if strings.Contains(m.name, " cor ") && (m.rule != ruleReport || !strings.Contains(m.note, "6 datasets")) && m.margin != MetricBand {
			t.Errorf("6 datasets: %s rule %v note %q, want report-only", m.name, m.rule, m.note)
		}
	}
}

// tableHasCell reports whether a row of tb holds the text want in column col.
func tableHasCell(tb *reports.Table, col int, want string) bool {
	for _, r := range tb.Rows {
		if r.Cells[col].Text == want {
			return true
		}
	}
	return false
}

// TestGateCor checks the gate on a correlation metric: a cor group present
// in both runs is compared like the others, and an ECE 10 SE further from 0
// is a regression named "nuts cor |ECE|"; a baseline without correlations
// fails by name against results with them, unless AllowMissing.
func TestGateCor(t *testing.T) {
	// The baseline's correlations, if any, rest on the few correlated
	// datasets of the quick suite and are reported only; sigma's metrics,
	// from every dataset, stand in for a cor group of a full run.
	withoutCor := func() *Results {
		r := readBaseline(t)
		r.Kinds = slices.DeleteFunc(r.Kinds, func(g GroupResult) bool { return g.Group == KindCor })
		r.Agreement = slices.DeleteFunc(r.Agreement, func(a AgreementResult) bool { return a.Kind == KindCor })
		return r
	}
	withCor := func() *Results {
		r := withoutCor()
		c := *kind(t, r, KindSigma)
		c.Group = KindCor
		r.Kinds = append(r.Kinds, c)
		return r
	}
	base, cur := withCor(), withCor()
	if rep := Gate(base, cur, GateOptions{}); rep.Failed() {
		t.Fatalf("identical runs with cor: regressions %v", regressionNames(rep))
	}
	awayFromZero(kind(t, cur, KindCor), 10)
	rep := Gate(base, cur, GateOptions{})
	if got := regressionNames(rep); !slices.Equal(got, []string{"nuts cor " + MetricAbsECE}) {
		t.Errorf("regressions %v, want [nuts cor %s]", got, MetricAbsECE)
	}
	rep = Gate(withoutCor(), withCor(), GateOptions{})
	_, added := rep.Unpaired()
	if !rep.Failed() || !slices.Contains(added, "nuts cor "+MetricAbsECE) {
		t.Errorf("baseline without cor: failed %v, unpaired %v; want a failure naming nuts cor %s", rep.Failed(), added, MetricAbsECE)
	}
	if rep := Gate(withoutCor(), withCor(), GateOptions{AllowMissing: true}); rep.Failed() {
		t.Errorf("AllowMissing: regressions %v", regressionNames(rep))
	}
}

// TestRecordsAcceptCor reads records whose parameters include a
// correlation, and refuses a wrong kind or a malformed name, naming them.
func TestRecordsAcceptCor(t *testing.T) {
	line := func(name, kind string) string {
		return fmt.Sprintf(`{"suite":"simulated","dataset":0,"method":"nuts","seconds":1,"params":[`+
			`{"name":"sigma","kind":"sigma","truth":1,"mean":1,"sd":0.1,"rank":3,"l":9,"pit":0.4},`+
			`{"name":%q,"kind":%q,"truth":0.2,"mean":0.1,"sd":0.3,"rank":5,"l":9,"pit":0.6,"prior_sd":0.577}],`+
			`"max_rhat":1,"min_ess":400,"divergences":0,"draws":100,"n_obs":10,"n_groups":2}`, name, kind)
	}
	recs, err := readRecords(strings.NewReader(line("cor_g__Intercept__x", KindCor)+"\n"), "records.jsonl")
	if err != nil || len(recs) != 1 || recs[0].Params[1].Kind != KindCor {
		t.Fatalf("a record with a correlation: %v, %+v", err, recs)
	}
	for _, c := range []struct{ name, kind, want string }{
		{"cor_g__Intercept__x", KindSigmaB, `kind "sigma_b": the parameter is a cor`},
		{"cor_g__Intercept", KindCor, `parameter name "cor_g__Intercept": want`},
	} {
		_, err := readRecords(strings.NewReader(line(c.name, c.kind)+"\n"), "records.jsonl")
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "records.jsonl line 1") {
			t.Errorf("%s as %s: err = %v, want %q with the file and line", c.name, c.kind, err, c.want)
		}
	}
}

// TestSuiteCorrelatedAsTrainingMix checks that the simulated suite draws
// correlated random effects as the training mix does: the same
// probabilities and LKJ hyperprior (sim.DefaultConfig, which both start
// from), and in the first 400 datasets of the full suite, shares of
// correlated designs within 4 binomial SEs of them at q = 2 and q ≥ 3, with
// every correlated dataset's truth holding its q(q−1)/2 correlations.
func TestSuiteCorrelatedAsTrainingMix(t *testing.T) {
	cfg := DefaultConfig(false, nil)
	mix, err := sim.TrainingMix(os.DirFS("../testdata"))
	if err != nil {
		t.Fatal(err)
	}
	s, m := cfg.Sim, mix
	if s.CorrelatedQ2 != m.CorrelatedQ2 || s.CorrelatedQ3 != m.CorrelatedQ3 || s.CorEta != m.CorEta {
		t.Fatalf("suite: correlated %g/%g, η %v; training mix %g/%g, η %v",
			s.CorrelatedQ2, s.CorrelatedQ3, s.CorEta, m.CorrelatedQ2, m.CorrelatedQ3, m.CorEta)
	}
	if !(s.CorrelatedQ2 > 0 && s.CorrelatedQ3 > 0) {
		t.Fatalf("suite draws no correlated designs: %g/%g", s.CorrelatedQ2, s.CorrelatedQ3)
	}
	const n = 400 // 0.06 s
	smp, err := sim.New(cfg.Sim)
	if err != nil {
		t.Fatal(err)
	}
	var count, cor [2]int // q = 2, q ≥ 3
	for i := range n {
		x, err := smp.Sample(cfg.Seed, i)
		if err != nil {
			t.Fatal(err)
		}
		d := x.Design
		if d.Q() < 2 {
			continue
		}
		k := min(d.Q()-2, 1)
		count[k]++
		names := 0
		for _, nv := range sim.Truth(x) {
			if kindOf(nv.Name) == KindCor {
				names++
			}
		}
		if names != d.NCor() {
			t.Errorf("dataset %d: %d cor truths, want %d", i, names, d.NCor())
		}
		if d.Correlated {
			cor[k]++
		}
	}
	// Seed 20261126: 86 of 99 at q = 2, 33 of 80 at q ≥ 3.
	t.Logf("first %d datasets: correlated %d of %d at q = 2, %d of %d at q ≥ 3", n, cor[0], count[0], cor[1], count[1])
	for k, p := range []float64{s.CorrelatedQ2, s.CorrelatedQ3} {
		got := float64(cor[k]) / float64(count[k])
		if se := math.Sqrt(p * (1 - p) / float64(count[k])); math.Abs(got-p) > 4*se {
			t.Errorf("q %s: %d of %d correlated (%.3f), want %.2f ± %.3f", []string{"= 2", "≥ 3"}[k], cor[k], count[k], got, p, 4*se)
		}
	}
}

// TestRealSuiteSleepstudyCor checks the correlated sleepstudy of the real
// suite: its design has the correlation, its prior LKJ(1) (the prior file
// has no "cor"; η = 1 is the default, brms's lkj(1)), and its rstan
// reference holds the correlation's row of
// testdata/reference/sleepstudy.cor.summary.csv.
func TestRealSuiteSleepstudyCor(t *testing.T) {
	cfg := DefaultConfig(true, os.DirFS("../testdata"))
	i := slices.IndexFunc(cfg.Real, func(rd RealDataset) bool { return rd.Name == "sleepstudy-cor" })
	if i < 0 {
		t.Fatal("no sleepstudy-cor in the real suite")
	}
	if i != len(cfg.Real)-1 {
		t.Errorf("sleepstudy-cor is dataset %d of %d: want it last, so the others keep their indices", i, len(cfg.Real))
	}
	if err := cfg.LoadReal(); err != nil {
		t.Fatal(err)
	}
	rd := cfg.Real[i]
	d, prior, err := cfg.loadReal(rd)
	if err != nil {
		t.Fatal(err)
	}
	if !d.Correlated || d.NCor() != 1 || prior.LKJ != 1 {
		t.Errorf("%s: correlated %v, %d correlations, LKJ %g; want true, 1, 1", rd.Formula, d.Correlated, d.NCor(), prior.LKJ)
	}
	ref := rd.Reference.Params[len(rd.Reference.Params)-1]
	// sleepstudy.cor.summary.csv, row "cor_Subject__Intercept__Days".
	if ref != (RefParam{"cor_Subject__Intercept__Days", 0.0808947597015273, 0.309597996583799}) {
		t.Errorf("reference row %+v", ref)
	}
}

// TestRealSuiteComparesCor checks that the correlation counts in Table 5's
// comparison and in its gated means: a correlation 0.2 reference SD off is
// the worst mean and fails the dataset. By hand: |0.14 − 0.08|/0.3 = 0.2.
func TestRealSuiteComparesCor(t *testing.T) {
	ref := []RefParam{{"b_Intercept", 250, 8}, {"sigma", 26, 1.6}, {"cor_g__Intercept__x", 0.08, 0.3}}
	cfg := Config{Real: []RealDataset{{Name: "s", Reference: &Reference{Source: RstanSource, Params: ref}}}}
	par := func(name string, mean, sd float64) ParamRecord {
		return ParamRecord{Name: name, Kind: kindOf(name), Mean: mean, SD: sd}
	}
	recs := []Record{{Suite: SuiteReal, Dataset: 0, Name: "s", Method: fit.MethodNUTS, Params: []ParamRecord{
		par("b_Intercept", 250.8, 8), par("sigma", 26, 1.6), par("cor_g__Intercept__x", 0.14, 0.33)}}}
	got, w := realSuite(cfg, []string{fit.MethodNUTS}, recs)
	if len(w) > 0 || len(got.Rows) != 1 {
		t.Fatalf("rows %+v, warnings %v", got.Rows, w)
	}
	r := got.Rows[0]
	if r.WorstMean != "cor_g__Intercept__x" || math.Abs(float64(r.MaxAbsDMean)-0.2) > 1e-12 || r.Pass ||
		r.WorstSD != "cor_g__Intercept__x" || math.Abs(float64(r.MaxAbsLogSD)-math.Log(1.1)) > 1e-12 {
		t.Errorf("row %+v: want the correlation worst (0.2 SD, log 1.1) and a FAIL", r)
	}
	if s := got.ByMethod[0]; math.Abs(float64(s.MeanMaxAbsDMean.Value)-0.2) > 1e-12 {
		t.Errorf("summary %+v: want mean max |Δmean|/sd_ref 0.2", s)
	}
}

// TestMisspecCor checks that Table 7 gives correlations their own rows:
// under a variant, npe's correlation means 0.03 = 0.1 NUTS SD off.
func TestMisspecCor(t *testing.T) {
	const n = 12
	cfg := Config{Seed: 1, SBCDraws: 9, ModelID: "test", Misspec: DefaultMisspec()[:1], MisspecDatasets: n}
	recs := corRecords(n)
	for i := range recs {
		recs[i].Suite = misspecSuite(cfg.Misspec[0])
	}
	rows, w := misspecResults(cfg, cfg.Methods(), recs)
	if len(w) > 0 {
		t.Fatalf("warnings %v", w)
	}
	found := false
	for _, r := range rows {
		if r.Method == fit.MethodNPE && r.Kind == KindCor {
			found = true
			if r.N != n || math.Abs(float64(r.MeanAbsDiff.Value)-0.1) > 1e-12 {
				t.Errorf("npe cor under %s: %+v, want n %d and |Δmean|/sd 0.1", r.Variant, r, n)
			}
		}
	}
	if !found {
		t.Errorf("no npe cor row in %+v", rows)
	}
	res := &Results{Misspec: rows, Config: cfg}
	if !tableHasCell(res.misspecTable(), 2, KindCor) {
		t.Error("Table 7 has no cor row")
	}
}

// TestRecordOfCorrelatedFit fits a simulated dataset with correlated random
// effects (the first of smallConfig's test prior with q = 2 forced and
// correlations always on) by NUTS through runTask, and checks its record:
// the correlation comes after sigma with kind cor, its truth is the
// simulator's, its prior SD that of the dataset's LKJ(η) marginal, and its
// rank is among the run's L draws.
func TestRecordOfCorrelatedFit(t *testing.T) {
	if testing.Short() {
		t.Skip("a NUTS fit")
	}
	cfg := smallConfig()
	cfg.Sim.Fixed = sim.IntRange{Min: 2, Max: 2}
	cfg.Sim.Random = sim.IntRange{Min: 2, Max: 2}
	cfg.Sim.Groups = sim.IntRange{Min: 10, Max: 12}
	cfg.Sim.CorrelatedQ2 = 1
	s, err := sim.New(cfg.Sim)
	if err != nil {
		t.Fatal(err)
	}
	smp, err := s.Sample(cfg.Seed, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !smp.Design.Correlated || smp.Design.NCor() != 1 {
		t.Fatalf("dataset 0: correlated %v, %d correlations; want 1", smp.Design.Correlated, smp.Design.NCor())
	}
	var truth sim.NamedValue
	for _, nv := range sim.Truth(smp) {
		if kindOf(nv.Name) == KindCor {
			truth = nv
		}
	}
	rec, err := runTask(t.Context(), cfg, s, task{SuiteSimulated, 0, fit.MethodNUTS})
	if err != nil || rec.Error != "" {
		t.Fatalf("fit: %v %s", err, rec.Error)
	}
	i := slices.IndexFunc(rec.Params, func(p ParamRecord) bool { return p.Kind == KindCor })
	if i != smp.Design.Dim()-1 || rec.Params[i-1].Name != "sigma" {
		t.Fatalf("correlation at %d of %v: want right after sigma, the last global parameter", i, rec.Params)
	}
	p := rec.Params[i]
	if p.Name != truth.Name || p.Truth != truth.Value {
		t.Errorf("record %s truth %v, simulator %s %v", p.Name, p.Truth, truth.Name, truth.Value)
	}
	if want := LKJCorSD(smp.Prior.LKJ, 2); !(smp.Prior.LKJ >= 1 && smp.Prior.LKJ <= 2) || p.PriorSD != want {
		t.Errorf("prior SD %v under LKJ(%g), want %v with η in [1, 2]", p.PriorSD, smp.Prior.LKJ, want)
	}
	if p.L != cfg.SBCDraws || !(p.Mean > -1 && p.Mean < 1) || !(p.SD > 0 && p.SD < p.PriorSD) {
		t.Errorf("record %+v: want L %d, a mean in (−1, 1) and an SD below the prior's", p, cfg.SBCDraws)
	}
	if err := rec.check(); err != nil {
		t.Errorf("the record fails its own check: %v", err)
	}
}
