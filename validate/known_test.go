package validate

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/metabeta-go/metabeta/calibration"
	"github.com/metabeta-go/metabeta/fit"
	"github.com/metabeta-go/metabeta/lmm"
)

// Known-answer tests: each number below is worked out by hand in the
// comments, from the definitions in the doc comments of the functions.

func TestPITKnownAnswers(t *testing.T) {
	draws := []float64{3, 1, 2, 2} // unsorted on purpose
	for _, c := range []struct{ truth, want float64 }{
		{0, 0},                       // no draw below
		{1, 0.125},                   // the tie with 1 counts half: 0.5/4
		{2, 0.5},                     // 1 below, 2 ties: (1 + 0.5·2)/4
		{2.5, 0.75},                  // 3 below: 3/4
		{3, 0.875},                   // 3 below, 1 tie: (3 + 0.5)/4
		{math.Inf(1), 1},             // all below
		{math.Inf(-1), 0},            // none below
		{math.Nextafter(2, 3), 0.75}, // just above the ties
	} {
		if got := pit(draws, c.truth); got != c.want {
			t.Errorf("pit(%v, %v) = %v, want %v", draws, c.truth, got, c.want)
		}
	}
}

func TestPriorSDKnownAnswers(t *testing.T) {
	d := &lmm.Design{Fixed: []string{"Intercept", "x"}, Random: []string{"Intercept"}, RandomCol: []int{0}}
	pr := lmm.Prior{BetaMean: []float64{0, 0}, BetaSD: []float64{2, 0.5}, SDScale: []float64{3}, SigmaScale: 4}
	// A half-normal with scale s has variance s²(1 − 2/π) (closed form):
	// √(1 − 2/π) = √(1 − 0.6366197723675814) = √0.3633802276324186
	// = 0.6028102749890869.
	const hn = 0.6028102749890869
	for j, want := range []float64{
		2,      // b_Intercept: its normal SD
		0.5,    // b_x
		3 * hn, // sd_g__Intercept = 1.8084308249672607
		4 * hn, // sigma = 2.4112410999563477
	} {
		if got := priorSD(pr, d, j); math.Abs(got-want) > 1e-15 {
			t.Errorf("priorSD(%d) = %.17g, want %.17g", j, got, want)
		}
	}
}

// ppcDesign is y = [1, 2, 4, 6] in two groups of two, an intercept and a
// random intercept; ppcDraws gives two draws, one chain, with σ = sigma:
//
//	draw A: β = 1, b = (0, 4):  μ = [1, 1, 5, 5]
//	draw B: β = 2, b = (0, 2):  μ = [2, 2, 4, 4]
//
// With two draws posteriorPredictive uses both (flat indices (2j+1)·2/4 = 0, 1).
func ppcDesign() *lmm.Design {
	return &lmm.Design{
		Fixed: []string{"Intercept"}, Random: []string{"Intercept"}, RandomCol: []int{0}, Intercept: true,
		Levels: []string{"a", "b"},
		Y:      []float64{1, 2, 4, 6},
		X:      []float64{1, 1, 1, 1},
		G:      []int{0, 0, 1, 1},
	}
}

func ppcDraws(sigma float64) *fit.Draws {
	return &fit.Draws{
		Names: []string{"b_Intercept", "sd_g__Intercept", "sigma", "r_g[a,Intercept]", "r_g[b,Intercept]"},
		Chains: [][]float64{{
			1, 1, sigma, 0, 4, // A
			2, 1, sigma, 0, 2, // B
		}},
	}
}

// TestLPDKnownAnswer: with σ = 1 the log predictive density does not
// depend on the random draws. lpdᵢ = log(½(φ(yᵢ − μᵢᴬ) + φ(yᵢ − μᵢᴮ))):
//
//	y₁ = 1: z = 0, −1   y₂ = 2: z = 1, 0   y₃ = 4: z = −1, 0   → log(½(φ(0) + φ(1)))
//	y₄ = 6: z = 1, 2                                          → log(½(φ(1) + φ(2)))
//
// φ(0) = 0.3989422804014327, φ(1) = 0.24197072451914337,
// φ(2) = 0.05399096651318806, so LPD = (3·log 0.32045650246028803 +
// log 0.14798084551616572)/4 = (3·(−1.1380087) + (−1.9106724))/4 = −1.3311747.
func TestLPDKnownAnswer(t *testing.T) {
	rec := posteriorPredictive(ppcDesign(), ppcDraws(1), rand.New(rand.NewPCG(1, 2)))
	want := (3*math.Log(0.5*(0.3989422804014327+0.24197072451914337)) +
		math.Log(0.5*(0.24197072451914337+0.05399096651318806))) / 4
	if math.Abs(rec.LPD-want) > 1e-14 {
		t.Errorf("LPD = %.16g, want %.16g", rec.LPD, want)
	}
	if math.Abs(want-(-1.3311747)) > 1e-7 {
		t.Errorf("the hand value in the comment is %.8g", want)
	}
}

// TestCRPSAndPPPKnownAnswers: with σ = 1e-12 the replicated data are the
// conditional means up to 1e-11, so the CRPS and the PPPs follow by hand.
//
// Fair CRPS of two draws x₁, x₂ at y: (|x₁ − y| + |x₂ − y|)/2 − |x₁ − x₂|/2:
//
//	y₁ = 1, x = (1, 2): ½ − ½ = 0     y₂ = 2, x = (1, 2): 0
//	y₃ = 4, x = (5, 4): 0             y₄ = 6, x = (5, 4): (1 + 2)/2 − ½ = 1
//
// so the mean CRPS is 1/4.
//
// Within-group SD (pooled, n − G = 2 degrees of freedom): observed
// √((0.5 + 2)/2) = 1.118; replicated A [1,1,5,5] and B [2,2,4,4] give 0,
// both below, so PPP = 2·min(2/2, 0/2) = 0. Between-group SD of the group
// means: observed (1.5, 5) → 3.5/√2 = 2.47; A (1, 5) → 4/√2 = 2.83 above,
// B (2, 4) → 2/√2 = 1.41 below, so PPP = 2·min(1/2, 1/2) = 1.
func TestCRPSAndPPPKnownAnswers(t *testing.T) {
	rec := posteriorPredictive(ppcDesign(), ppcDraws(1e-12), rand.New(rand.NewPCG(1, 2)))
	if math.Abs(rec.CRPS-0.25) > 1e-9 {
		t.Errorf("CRPS = %v, want 0.25", rec.CRPS)
	}
	if rec.PPPWithin != 0 || rec.PPPBetween != 1 {
		t.Errorf("PPP within %v, between %v; want 0 and 1", rec.PPPWithin, rec.PPPBetween)
	}
}

// TestAggregateKnownAnswers aggregates four hand-made records of one
// parameter (sigma) and checks the recovery and coverage metrics:
//
//	dataset  truth  mean  sd    PIT   prior sd   z = (truth − mean)/sd   |PIT − ½|
//	0        1      1.5   0.5   0.12  1          −1                      0.38
//	1        2      2     1     0.5   2           0                      0
//	2        3      2.5   0.5   0.78  1           1                      0.28
//	3        4      4.5   0.25  0.97  1          −2                      0.47
//
// Coverage at level q counts |PIT − ½| ≤ q/2 (q/2 = 0.25, 0.275, …, 0.475):
//
//	q         0.50 0.55 0.60 0.65 0.70 0.75 0.80 0.85 0.90 0.95
//	covered   1    1    2    2    2    2    3    3    3    4
//	coverage  .25  .25  .50  .50  .50  .50  .75  .75  .75  1
//	− q      −.25 −.30 −.10 −.15 −.20 −.25 −.05 −.10 −.15 +.05
//
// ECE = mean of the last row = −1.5/10 = −0.15; EACE = 1.6/10 = 0.16.
// Pearson r: mean deviations (−1.125, −0.625, −0.125, 1.875), truth
// deviations (−1.5, −0.5, 0.5, 1.5): Σ = 4.75, Σ² = 5.1875 and 5, so
// r = 4.75/√(5.1875·5) = 0.93268. NRMSE: errors (0.5, 0, −0.5, 0.5),
// √(0.75/4)/√(5/4) = √0.15 = 0.38730. Mean z = −2/4 = −0.5. Contraction
// 1 − sd²/prior_sd² = (0.75, 0.75, 0.75, 0.9375), mean 0.796875.
func TestAggregateKnownAnswers(t *testing.T) {
	type row struct{ truth, mean, sd, pit, priorSD float64 }
	rows := []row{{1, 1.5, 0.5, 0.12, 1}, {2, 2, 1, 0.5, 2}, {3, 2.5, 0.5, 0.78, 1}, {4, 4.5, 0.25, 0.97, 1}}
	var recs []Record
	for i, r := range rows {
		recs = append(recs, Record{Suite: SuiteSimulated, Dataset: i, Method: fit.MethodNUTS, Seconds: 1, Draws: 100,
			MaxRhat: 1, MinESS: 400,
			Params: []ParamRecord{{Name: "sigma", Kind: KindSigma, Truth: r.truth, Mean: r.mean, SD: r.sd,
				Rank: i + 1, L: 9, PIT: r.pit, PriorSD: r.priorSD}}})
	}
	cfg := smallConfig()
	cfg.Simulated, cfg.Real = len(rows), nil
	res := Aggregate(cfg, recs)
	// Read back through results.json, the contract of the aggregate.
	raw, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	var out struct {
		Kinds []map[string]any `json:"by_kind"`
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatal(err)
	}
	if len(out.Kinds) != 1 {
		t.Fatalf("%d kinds, want 1 (sigma)", len(out.Kinds))
	}
	g := out.Kinds[0]
	if g["group"] != KindSigma || value(g["n"]) != 4 {
		t.Fatalf("group %v n %v", g["group"], g["n"])
	}
	for _, c := range []struct {
		key  string
		want float64
	}{
		{"ece", -0.15},
		{"eace", 0.16},
		{"r", 4.75 / math.Sqrt(5.1875*5)},
		{"nrmse", math.Sqrt(0.15)},
		{"mean_z", -0.5},
		{"contraction", 0.796875},
	} {
		if got := value(g[c.key]); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("%s = %.15g, want %.15g", c.key, got, c.want)
		}
	}
	wantCov := []float64{0.25, 0.25, 0.5, 0.5, 0.5, 0.5, 0.75, 0.75, 0.75, 1}
	cov, _ := g["coverage"].([]any)
	levels, _ := g["levels"].([]any)
	if len(cov) != len(wantCov) || len(levels) != len(calibration.DefaultCoverageLevels) {
		t.Fatalf("coverage %v at levels %v", cov, levels)
	}
	for j, w := range wantCov {
		if got := value(cov[j]); got != w {
			t.Errorf("coverage at %v = %v, want %v", levels[j], got, w)
		}
	}
}

// value reads a metric from decoded results.json: a number, or the value
// of an estimate {"value": …, "se": …}.
func value(v any) float64 {
	switch x := v.(type) {
	case float64:
		return x
	case map[string]any:
		return value(x["value"])
	}
	return math.NaN()
}
