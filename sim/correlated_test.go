package sim

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/metabeta-go/metabeta/lmm"
)

// TestCorrelatedEffectsMatchOmega checks, on single datasets of 20,000
// groups with q = 3 correlated effects, that the sample second moments of
// the standardized effects b_gi/σ_b,i match the dataset's own Ω (Truth.Cor
// in the order of Design.Names, and 1 on the diagonal) within 4 Monte Carlo
// standard errors, estimated from the products themselves, under the model
// and under the skewed and heavy-tailed effect shapes (df 5, so that the
// products have a variance).
func TestCorrelatedEffectsMatchOmega(t *testing.T) {
	t.Parallel()
	for _, shape := range []EffectShape{EffectNormal, EffectSkewed, EffectHeavyTailed} {
		c := DefaultConfig()
		c.Fixed = IntRange{3, 3}
		c.Random = IntRange{3, 3}
		c.Groups = IntRange{20000, 20000}
		c.GroupSize = IntRange{1, 1}
		c.MaxRows = 0
		c.CorrelatedQ3 = 1
		c.Misspec.Effects = shape
		c.Misspec.EffectDF = 5
		s := newSim(t, c)
		for i := range 3 {
			smp := draw(t, s, 21, i)
			d := smp.Design
			q := d.Q()
			if !d.Correlated || len(smp.Truth.Cor) != d.NCor() || d.NCor() != 3 {
				t.Fatalf("%v dataset %d: Correlated %v, %d correlations, NCor %d", shape, i, d.Correlated, len(smp.Truth.Cor), d.NCor())
			}
			omega := func(a, b int) float64 {
				if a == b {
					return 1
				}
				a, b = max(a, b), min(a, b)
				return smp.Truth.Cor[a*(a-1)/2+b] // the Names order
			}
			for a := range q {
				for b := range a + 1 {
					var m moments
					for g := range d.M() {
						bg := smp.RandomEffects[g*q : g*q+q]
						m.add(bg[a] / smp.Truth.SigmaB[a] * bg[b] / smp.Truth.SigmaB[b])
					}
					checkMean(t, fmt.Sprintf("%v dataset %d: E[u_%d u_%d]", shape, i, a, b), &m, omega(a, b))
				}
			}
		}
	}
}

// TestCorrelatedShare draws 3000 tiny datasets with d = 3 and q ∈ {2, 3}
// and checks: the share of correlated designs at q = 2 and q = 3 against
// CorrelatedQ2 = 0.8 and CorrelatedQ3 = 0.5 within 4 binomial SEs; η =
// Prior.LKJ in CorEta = [1, 2] with mean 1.5 (4 MCSE), and 1 without
// correlations; names, lengths, formula bars and Stats.Theta consistent;
// and that Ω comes from LKJ(η): for a q×q LKJ(η) matrix every correlation
// is 2·Beta(η + (q−2)/2, η + (q−2)/2) − 1, so E[ρ²] = 1/(2η + q − 1) and
// ρ²·(2η + q − 1) has mean 1 (4 MCSE).
func TestCorrelatedShare(t *testing.T) {
	t.Parallel()
	c := tinyConfig()
	c.Fixed = IntRange{3, 3}
	c.Random = IntRange{2, 3}
	s := newSim(t, c)
	var (
		n, cor    [4]int
		eta, rho2 moments
	)
	for smp, err := range s.All(31, 3000) {
		if err != nil {
			t.Fatal(err)
		}
		d, pr, tr := smp.Design, smp.Prior, smp.Truth
		q := d.Q()
		n[q]++
		names := d.Names()
		if len(tr.Cor) != d.NCor() || len(names) != d.Dim() || len(Truth(smp)) != d.Dim()+d.M()*q {
			t.Fatalf("dataset %d: %d correlations, NCor %d, %d names, Dim %d", smp.Index, len(tr.Cor), d.NCor(), len(names), d.Dim())
		}
		theta := lmm.NewStats(d).Theta(make([]float64, d.Dim()), tr)
		for _, v := range theta {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("dataset %d: θ = %v", smp.Index, theta)
			}
		}
		if !d.Correlated {
			if pr.LKJ != 1 || len(tr.Cor) != 0 || bar(d.Formula) != "||" {
				t.Fatalf("dataset %d: uncorrelated with LKJ %g, Cor %v, formula %q", smp.Index, pr.LKJ, tr.Cor, d.Formula)
			}
			continue
		}
		cor[q]++
		if !(pr.LKJ >= 1 && pr.LKJ <= 2) || bar(d.Formula) != "|" {
			t.Fatalf("dataset %d: η = %g, formula %q", smp.Index, pr.LKJ, d.Formula)
		}
		eta.add(pr.LKJ)
		for k, r := range tr.Cor {
			if !(math.Abs(r) < 1) || names[d.P()+q+1+k][:4] != "cor_" {
				t.Fatalf("dataset %d: correlation %d = %g named %q", smp.Index, k, r, names[d.P()+q+1+k])
			}
			rho2.add(r * r * (2*pr.LKJ + float64(q) - 1))
		}
	}
	for q, want := range map[int]float64{2: c.CorrelatedQ2, 3: c.CorrelatedQ3} {
		got := float64(cor[q]) / float64(n[q])
		if se := math.Sqrt(want * (1 - want) / float64(n[q])); !(math.Abs(got-want) < 4*se) {
			t.Errorf("q = %d: %d of %d correlated (%.3f), want %.2f ± 4·%.3f", q, cor[q], n[q], got, want, se)
		}
	}
	checkMean(t, "η", &eta, 1.5)
	checkMean(t, "ρ²(2η+q−1)", &rho2, 1)
}

// bar returns the bar of a simulated formula's random term, "|" or "||".
func bar(formula string) string {
	if strings.Contains(formula, "||") {
		return "||"
	}
	if strings.Contains(formula, "|") {
		return "|"
	}
	return ""
}

// TestCorrelatedOff checks that zero probabilities give no correlated
// design at any q and that a bad probability or η range is refused, naming
// the field.
func TestCorrelatedOff(t *testing.T) {
	t.Parallel()
	c := tinyConfig()
	c.Fixed = IntRange{3, 3}
	c.Random = IntRange{2, 3}
	c.CorrelatedQ2, c.CorrelatedQ3 = 0, 0
	c.CorEta = Range{} // unused without correlations
	for smp, err := range newSim(t, c).All(3, 200) {
		if err != nil {
			t.Fatal(err)
		}
		if smp.Design.Correlated || smp.Truth.Cor != nil || smp.Prior.LKJ != 1 {
			t.Fatalf("dataset %d: Correlated %v, Cor %v, LKJ %g", smp.Index, smp.Design.Correlated, smp.Truth.Cor, smp.Prior.LKJ)
		}
	}
	for _, tc := range []struct {
		edit func(*Config)
		want string
	}{
		{func(c *Config) { c.CorrelatedQ2 = 1.5 }, "CorrelatedQ2"},
		{func(c *Config) { c.CorrelatedQ3 = math.NaN() }, "CorrelatedQ3"},
		{func(c *Config) { c.CorEta = Range{0, 2} }, "CorEta"},
		{func(c *Config) { c.Interaction = -0.1 }, "Interaction"},
		{func(c *Config) { c.InteractionRandom = 2 }, "InteractionRandom"},
	} {
		c := DefaultConfig()
		tc.edit(&c)
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Validate = %v, want an error naming %s", err, tc.want)
		}
	}
}
