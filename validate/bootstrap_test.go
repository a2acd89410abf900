package validate

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestBootstrapSDOfMean checks bootstrapSD on the mean, whose ideal
// bootstrap SE is known in closed form: √(Σ(xᵢ − x̄)²)/n, the plug-in SE
// (Efron & Tibshirani 1993, eq. 6.6 with B → ∞). With B = 20 000 the
// estimate's relative error is about 1/√(2B) = 0.5%.
func TestBootstrapSDOfMean(t *testing.T) {
	x := []float64{3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9, 3, 2, 3, 8, 4}
	n := float64(len(x))
	mean := 0.0
	for _, v := range x {
		mean += v / n
	}
	ss := 0.0
	for _, v := range x {
		ss += (v - mean) * (v - mean)
	}
	want := math.Sqrt(ss) / n
	sd := bootstrapSD(rand.New(rand.NewPCG(1, 1)), len(x), 20000, 2, func(idx []int, dst []float64) {
		s := 0.0
		for _, i := range idx {
			s += x[i]
		}
		dst[0] = s / n
		dst[1] = math.NaN() // never finite: NaN SE
	})
	if math.Abs(sd[0]-want) > 0.03*want {
		t.Errorf("bootstrap SE of the mean %v, want the plug-in SE %v within 3%%", sd[0], want)
	}
	if !math.IsNaN(sd[1]) {
		t.Errorf("SE of a statistic that is always NaN: %v, want NaN", sd[1])
	}
	if got := bootstrapSD(rand.New(rand.NewPCG(1, 1)), 1, 10, 1, func([]int, []float64) {}); !math.IsNaN(got[0]) {
		t.Errorf("SE over one unit %v, want NaN", got[0])
	}
}

// TestGroupSEsCountDatasets builds 20 datasets of 5 parameters that share
// their dataset's z-score exactly, and checks that the SE of the mean
// z-score is that of 20 independent values, not of 100: the plug-in SE
// √(Σ(zᵢ − z̄)²)/20 over the datasets, √5 times the per-parameter
// formula.
func TestGroupSEsCountDatasets(t *testing.T) {
	const datasets, perDataset = 20, 5
	var u units
	z := make([]float64, datasets)
	for i := range z {
		z[i] = float64(i-datasets/2) / 5
		ps := make([]ParamRecord, perDataset)
		for j := range ps {
			// ZScore = (truth − mean)/sd = z[i]; the truths differ within
			// a dataset so that r and NRMSE are defined.
			mean := float64(j)
			ps[j] = ParamRecord{Name: "b", Kind: KindB, Truth: mean + z[i], Mean: mean, SD: 1, PIT: 0.5 + z[i]/5}
		}
		u.add(ps)
	}
	if u.n() != datasets {
		t.Fatalf("%d units, want %d", u.n(), datasets)
	}
	zbar, ss := 0.0, 0.0
	for _, v := range z {
		zbar += v / datasets
	}
	for _, v := range z {
		ss += (v - zbar) * (v - zbar)
	}
	want := math.Sqrt(ss) / datasets
	perParam := math.Sqrt(ss*perDataset/(datasets*perDataset-1)) / math.Sqrt(datasets*perDataset) // sd/√N over the 100 values
	se := groupSEs(rand.New(rand.NewPCG(2, 2)), &u)[statMeanZ]
	// B = 200 replicates: relative error about 1/√400 = 5%; allow 20%.
	if math.Abs(se-want) > 0.2*want {
		t.Errorf("SE of the mean z %v, want the per-dataset plug-in SE %v within 20%%", se, want)
	}
	if !(se > 1.8*perParam) {
		t.Errorf("SE of the mean z %v, not well above the per-parameter SE %v (ratio √5)", se, perParam)
	}
	if lg := groupSEs(rand.New(rand.NewPCG(2, 2)), &u)[statLogGamma]; !math.IsNaN(lg) {
		t.Errorf("SE of log γ without ranks %v, want NaN", lg)
	}
}

// TestBootstrapDeterministic checks that the SEs depend only on the seed
// and the group's name, not on what was drawn before.
func TestBootstrapDeterministic(t *testing.T) {
	var u units
	for i := range 10 {
		u.add([]ParamRecord{{Truth: float64(i), Mean: float64(i) + math.Sin(float64(i)), SD: 1, PIT: 0.1 * float64(i)}})
	}
	a := groupSEs(bootstrapRNG(7, "kind", "nuts", "beta"), &u)
	b := groupSEs(bootstrapRNG(7, "kind", "nuts", "beta"), &u)
	c := groupSEs(bootstrapRNG(8, "kind", "nuts", "beta"), &u)
	for j := range a {
		if a[j] != b[j] && !(math.IsNaN(a[j]) && math.IsNaN(b[j])) {
			t.Errorf("statistic %d: SE %v then %v with the same seed", j, a[j], b[j])
		}
	}
	if a[statR] == c[statR] {
		t.Errorf("seeds 7 and 8 give the same SE of r %v", a[statR])
	}
}

// TestBinomialRate checks the Agresti–Coull SE √(p̃(1 − p̃)/(n + 4)),
// p̃ = (k + 2)/(n + 4), by hand: k = 0, n = 24: p̃ = 1/14,
// √((1/14)(13/14)/28) = 0.0486704; k = 5: p̃ = 1/4, √(3/16/28) = 0.0818317.
func TestBinomialRate(t *testing.T) {
	for _, c := range []struct {
		k, n      int
		rate, se  float64
		tolerance float64
	}{
		{0, 24, 0, 0.04867036741923192, 1e-12},
		{5, 24, 5.0 / 24, 0.08183170883849714, 1e-12},
		{24, 24, 1, 0.04867036741923192, 1e-12},
	} {
		e := binomialRate(c.k, c.n)
		if float64(e.Value) != c.rate || math.Abs(float64(e.SE)-c.se) > c.tolerance {
			t.Errorf("binomialRate(%d, %d) = %v ± %v, want %v ± %v", c.k, c.n, e.Value, e.SE, c.rate, c.se)
		}
	}
	if e := binomialRate(0, 0); !math.IsNaN(float64(e.Value)) || !math.IsNaN(float64(e.SE)) {
		t.Errorf("binomialRate(0, 0) = %v, want NaN ± NaN", e)
	}
}

// TestLogGammaNullSD checks the null spread of log γ: positive and finite,
// cached, and shrinking neither to 0 nor exploding for a quick-suite group
// (N = 24, L = 99).
func TestLogGammaNullSD(t *testing.T) {
	sd := logGammaNullSD(24, 99)
	if !(sd > 0.1 && sd < 10) {
		t.Errorf("null SD of log γ at N = 24, L = 99: %v, want a spread of order 1", sd)
	}
	if again := logGammaNullSD(24, 99); again != sd {
		t.Errorf("cached value %v differs from %v", again, sd)
	}
}
