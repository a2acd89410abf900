package sim

import (
	"fmt"
	"math"
	"testing"

	"github.com/metabeta-go/metabeta/lmm"
)

// TestParametersFollowPrior checks, over many datasets, that the hyperprior
// and the prior are drawn exactly: every standardized draw is compared with
// its closed-form moments within 4 Monte Carlo standard errors.
func TestParametersFollowPrior(t *testing.T) {
	t.Parallel()
	c := tinyConfig()
	count := 20000
	if testing.Short() {
		count = 4000
	}
	s := newSim(t, c)
	var nu, logTau, zBeta, zBeta2, sdRatio, sigmaRatio, zB, zB2, zE2 moments
	bc := make([]float64, 2)
	for smp, err := range s.All(11, count) {
		if err != nil {
			t.Fatal(err)
		}
		d, pr, tr := smp.Design, smp.Prior, smp.Truth
		lmm.NewCentred(d).ToCentred(bc, tr.Beta)
		for k := range d.P() {
			nu.add(pr.BetaMean[k])
			logTau.add(math.Log(pr.BetaSD[k]))
			z := (bc[k] - pr.BetaMean[k]) / pr.BetaSD[k]
			zBeta.add(z)
			zBeta2.add(z * z)
		}
		logTau.add(math.Log(pr.SDScale[0]))
		logTau.add(math.Log(pr.SigmaScale))
		sdRatio.add(tr.SigmaB[0] / pr.SDScale[0])
		sigmaRatio.add(tr.Sigma / pr.SigmaScale)
		for g := range d.M() {
			z := smp.RandomEffects[g] / tr.SigmaB[0]
			zB.add(z)
			zB2.add(z * z)
		}
		p := d.P()
		for i := range d.N() {
			row := d.X[i*p : (i+1)*p]
			e := d.Y[i] - row[0]*tr.Beta[0] - row[1]*tr.Beta[1] - row[0]*smp.RandomEffects[d.G[i]]
			zE2.add(e * e / (tr.Sigma * tr.Sigma))
		}
	}
	n := func(m *moments) float64 { return math.Sqrt(float64(m.n)) }
	// ν ~ U(−3, 3): mean 0, SD 6/√12.
	checkMeanSE(t, "ν", &nu, 0, 6/math.Sqrt(12)/n(&nu))
	// log τ ~ U(log 0.03, log 3): mean log 0.3, SD log(100)/√12.
	checkMeanSE(t, "log τ", &logTau, math.Log(0.3), math.Log(100)/math.Sqrt(12)/n(&logTau))
	// (βc − ν)/τ_β ~ N(0, 1): mean 0 (SD 1); its square has mean 1 (SD √2).
	checkMeanSE(t, "(βc−ν)/τ_β", &zBeta, 0, 1/n(&zBeta))
	checkMeanSE(t, "((βc−ν)/τ_β)²", &zBeta2, 1, math.Sqrt2/n(&zBeta2))
	// σ/τ ~ HalfNormal(1): mean √(2/π), SD √(1 − 2/π).
	half, halfSD := math.Sqrt(2/math.Pi), math.Sqrt(1-2/math.Pi)
	checkMeanSE(t, "σ_b/τ_b", &sdRatio, half, halfSD/n(&sdRatio))
	checkMeanSE(t, "σ/τ_ε", &sigmaRatio, half, halfSD/n(&sigmaRatio))
	// b/σ_b and ε/σ ~ N(0, 1).
	checkMeanSE(t, "b/σ_b", &zB, 0, 1/n(&zB))
	checkMeanSE(t, "(b/σ_b)²", &zB2, 1, math.Sqrt2/n(&zB2))
	checkMeanSE(t, "(ε/σ)²", &zE2, 1, math.Sqrt2/n(&zE2))
}

// TestFamilies checks that the default mixture draws every family, that
// binary columns stay 0/1 (two values after standardizing) through the
// correlation step, and the support of single-family designs.
func TestFamilies(t *testing.T) {
	t.Parallel()
	s := newSim(t, DefaultConfig())
	var seen [NumFamilies]int
	for smp, err := range s.All(5, 150) {
		if err != nil {
			t.Fatal(err)
		}
		d := smp.Design
		for j, f := range smp.Families {
			seen[f]++
			if f.Binary() {
				if v := distinct(d, j+1); v != 2 {
					t.Errorf("dataset %d: binary column x%d has %d distinct values", smp.Index, j+1, v)
				}
			}
		}
	}
	for f, n := range seen {
		if n == 0 {
			t.Errorf("family %v never drawn", Family(f))
		}
	}

	// One predictor, so no correlation step: each family's raw support shows.
	single := func(f Family) *Sample {
		c := DefaultConfig()
		c.Fixed = IntRange{2, 2}
		c.FamilyWeights = [NumFamilies]float64{}
		c.FamilyWeights[f] = 1
		return draw(t, newSim(t, c), 9, 0)
	}
	nb := single(FamilyNegBinomial)
	if !onLattice(nb.Design, 1) {
		t.Error("negative binomial column is not on an integer lattice after standardizing")
	}
	if nb.Families[0] != FamilyNegBinomial {
		t.Errorf("Families = %v, want [negbinomial]", nb.Families)
	}
	for _, f := range []Family{FamilyNormal, FamilyStudentT, FamilyUniform, FamilyScaledBeta} {
		smp := single(f)
		if v, n := distinct(smp.Design, 1), smp.Design.N(); v < n/2 && f != FamilyScaledBeta {
			t.Errorf("%v column has only %d distinct values in %d rows", f, v, n)
		}
	}
}

// distinct returns the number of distinct values in column j.
func distinct(d *lmm.Design, j int) int {
	p := d.P()
	seen := map[float64]bool{}
	for i := range d.N() {
		seen[d.X[i*p+j]] = true
	}
	return len(seen)
}

// onLattice reports whether the values of column j are a + k·h for integer
// k, with h the smallest gap between distinct values.
func onLattice(d *lmm.Design, j int) bool {
	p := d.P()
	lo, h := math.Inf(1), math.Inf(1)
	for i := range d.N() {
		lo = min(lo, d.X[i*p+j])
	}
	for i := range d.N() {
		if g := d.X[i*p+j] - lo; g > 1e-12 {
			h = min(h, g)
		}
	}
	for i := range d.N() {
		k := (d.X[i*p+j] - lo) / h
		if math.Abs(k-math.Round(k)) > 1e-6 {
			return false
		}
	}
	return true
}

// TestCorrelationInduced checks that synthetic predictors carry the LKJ
// correlation: with two normal predictors, the population correlation r
// is marginally 2·Beta(η, η) − 1 (LKJ in dimension 2), so E[r²] =
// 1/(2η+1). The sample correlation r̂ of N = 2000 rows adds at most about
// (1 − r²)²/N ≤ 5e-4 to E[r̂²], far below the Monte Carlo error.
func TestCorrelationInduced(t *testing.T) {
	t.Parallel()
	count := 400
	if testing.Short() {
		count = 150
	}
	for _, eta := range []float64{1, 10} {
		c := DefaultConfig()
		c.Fixed = IntRange{3, 3}
		c.Random = IntRange{0, 0}
		c.Groups = IntRange{20, 20}
		c.GroupSize = IntRange{100, 100}
		c.FamilyWeights = [NumFamilies]float64{FamilyNormal: 1}
		c.LKJEta = eta
		var r2 moments
		for smp, err := range newSim(t, c).All(31, count) {
			if err != nil {
				t.Fatal(err)
			}
			d := smp.Design
			r := 0.0 // both columns are standardized: r̂ = Σ x₁x₂/(N−1)
			for i := range d.N() {
				r += d.X[i*3+1] * d.X[i*3+2]
			}
			r /= float64(d.N() - 1)
			r2.add(r * r)
		}
		checkMean(t, fmt.Sprintf("η=%g: r̂²", eta), &r2, 1/(2*eta+1))
	}
}
