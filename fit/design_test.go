package fit

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/metabeta-go/metabeta/lmm"
	"github.com/metabeta-go/metabeta/npe/estimator"
	"github.com/metabeta-go/metabeta/reports"
)

// withColumn returns d with an extra fixed-effect column f(Days).
func withColumn(d *lmm.Design, name string, f func(i int, days float64) float64) *lmm.Design {
	out := *d
	out.Fixed = append(slices.Clone(d.Fixed), name)
	out.X = nil
	for i := range d.N() {
		out.X = append(out.X, d.X[2*i], d.X[2*i+1], f(i, d.X[2*i+1]))
	}
	return &out
}

// TestFitRefusesSingularDesign: D2 = 2·Days + 1 (issue 10) is an error for
// every method, naming the relation, before anything is fitted (the model
// is an untrained one: it is never run).
func TestFitRefusesSingularDesign(t *testing.T) {
	d, pr := loadSleepstudy(t)
	d = withColumn(d, "D2", func(_ int, days float64) float64 { return 2*days + 1 })
	pr.BetaMean, pr.BetaSD = append(pr.BetaMean, 0), append(pr.BetaSD, 10)
	m := estimator.New(estimator.DefaultConfig(), rand.New(rand.NewPCG(1, 1)))
	for _, method := range []string{MethodNUTS, MethodNPE, MethodNPEIS} {
		for _, fallback := range []bool{true, false} {
			res, err := Fit(context.Background(), d, pr, Options{Method: method, Model: m, Fallback: fallback,
				NUTS: NUTSOptions{Chains: 1, Warmup: 20, Draws: 20}})
			if err == nil || !strings.Contains(err.Error(), "D2 = 1 + 2·Days") {
				t.Errorf("%s (fallback %v): result %v, error %v; want an error naming D2 = 1 + 2·Days", method, fallback, res != nil, err)
			}
		}
	}
}

// TestFitNearlySingularFallsBack: x = Days + 1e-8·u (κ ≈ 7e8 by the closed
// form of lmm's TestCheckDesignNearlySingular) is warned about, and npe
// falls back to NUTS, saying why; the facts are on the result.
func TestFitNearlySingularFallsBack(t *testing.T) {
	d, pr := loadSleepstudy(t)
	d = withColumn(d, "D3", func(i int, days float64) float64 { return days + 1e-8*float64(i%3-1) })
	pr.BetaMean, pr.BetaSD = append(pr.BetaMean, 0), append(pr.BetaSD, 10)
	m := estimator.New(estimator.DefaultConfig(), rand.New(rand.NewPCG(1, 1)))
	res, err := Fit(context.Background(), d, pr, Options{Method: MethodNPE, Model: m, Fallback: true,
		NUTS: NUTSOptions{Chains: 1, Warmup: 50, Draws: 50}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Method != MethodNUTS || res.Design == nil || res.Design.Rank != 3 || !(res.Design.Cond > lmm.IllConditioned) {
		t.Fatalf("method %s, design %+v: want a NUTS fallback with rank 3 and κ above %g", res.Method, res.Design, lmm.IllConditioned)
	}
	w := strings.Join(res.Warnings, "\n")
	for _, want := range []string{"design is nearly singular", "npe fell back to NUTS: outside the trained range of the neural estimator: the fixed-effect design is nearly singular"} {
		if !strings.Contains(w, want) {
			t.Errorf("warnings %q lack %q", res.Warnings, want)
		}
	}
}

// TestNUTSRefusesTooFewDraws: fewer than MinDrawsPerChain draws leave
// split-R̂ and the ESS undefined.
func TestNUTSRefusesTooFewDraws(t *testing.T) {
	d, pr := loadSleepstudy(t)
	if _, err := NUTS(context.Background(), d, pr, NUTSOptions{Chains: 1, Warmup: 10, Draws: MinDrawsPerChain - 1}); err == nil || !strings.Contains(err.Error(), "at least 6") {
		t.Errorf("error %v, want one asking for at least 6 draws", err)
	}
}

// TestSummaryTableIndependentDraws: with no R̂ or ESS (npe), the table has
// no such columns; a single undefined value in a NUTS table reads "–".
func TestSummaryTableIndependentDraws(t *testing.T) {
	nan := Num(math.NaN())
	r := &Result{Method: MethodNPE, Formula: "y ~ x", Parameters: []Summary{
		{Name: "b_x", Mean: 1, SD: 2, Q5: 0, Q50: 1, Q95: 2, Rhat: nan, ESSBulk: nan, ESSTail: nan}}}
	var b strings.Builder
	if err := (reports.TextRenderer{}).Render(&b, r.SummaryTable()); err != nil {
		t.Fatal(err)
	}
	if s := b.String(); strings.Contains(s, "NaN") || strings.Contains(s, "Rhat") || strings.Contains(s, "ess_bulk") {
		t.Errorf("npe table shows R̂/ESS:\n%s", s)
	}
	r.Method = MethodNUTS
	r.Parameters = append(r.Parameters, Summary{Name: "sigma", Mean: 1, SD: 1, Rhat: 1.001, ESSBulk: 900, ESSTail: 800})
	b.Reset()
	if err := (reports.TextRenderer{}).Render(&b, r.SummaryTable()); err != nil {
		t.Fatal(err)
	}
	if s := b.String(); strings.Contains(s, "NaN") || !strings.Contains(s, "Rhat") || !strings.Contains(s, "–") {
		t.Errorf("nuts table with one undefined R̂: want the columns and a dash, no NaN:\n%s", s)
	}
}

// TestConvergenceWarningsUndefined: an undefined R̂ is said so, not
// reported as +Inf or an ESS of 0.
func TestConvergenceWarningsUndefined(t *testing.T) {
	nan := Num(math.NaN())
	w := convergenceWarnings([]Summary{{Name: "b_x", Rhat: nan, ESSBulk: nan, ESSTail: nan}, {Name: "sigma", Rhat: 1, ESSBulk: 1000, ESSTail: 1000}}, nil, 4)
	if len(w) != 1 || !strings.Contains(w[0], "cannot be computed for 1 of the global parameters (first b_x)") || strings.Contains(w[0], "Inf") {
		t.Errorf("warnings %q, want one saying R-hat and ESS cannot be computed for b_x", w)
	}
}

// TestImportanceWarnsKHatOnce: with log q perturbed by N(0, 5²) noise the
// log-weights are that noise plus a smooth part, lognormal weights whose k̂
// is far above any threshold; the importance sampler says so once (psis's
// warning), not twice as npe-is printed before.
func TestImportanceWarnsKHatOnce(t *testing.T) {
	d, pr := loadSleepstudy(t)
	m := estimator.New(estimator.DefaultConfig(), rand.New(rand.NewPCG(1, 1)))
	rng := rand.New(rand.NewPCG(2, 2))
	post, err := m.Sample(d, pr, 400, rng)
	if err != nil {
		t.Fatal(err)
	}
	for r := range post.LogQ {
		post.LogQ[r] += 5 * rng.NormFloat64()
	}
	imp, err := estimator.ImportanceSample(d, pr, post, post.N, rng)
	if err != nil {
		t.Fatal(err)
	}
	if !(imp.KHat > imp.Threshold) {
		t.Fatalf("k̂ %.3f not above %.3f: the perturbation should make the weights unreliable", imp.KHat, imp.Threshold)
	}
	n := 0
	for _, w := range imp.Warnings {
		n += strings.Count(w, "k̂")
	}
	if n != 1 {
		t.Errorf("k̂ %.3f is warned about %d times: %q", imp.KHat, n, imp.Warnings)
	}
}
