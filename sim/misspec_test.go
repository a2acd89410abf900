package sim

import (
	"math"
	"testing"
)

// residuals returns y − Xβ − Zb of smp, the realized noise.
func residuals(smp *Sample) []float64 {
	d := smp.Design
	p, q := d.P(), d.Q()
	e := make([]float64, d.N())
	for i := range e {
		row := d.X[i*p : (i+1)*p]
		eta := 0.0
		for k, v := range row {
			eta += v * smp.Truth.Beta[k]
		}
		for k, col := range d.RandomCol {
			eta += row[col] * smp.RandomEffects[d.G[i]*q+k]
		}
		e[i] = d.Y[i] - eta
	}
	return e
}

// misspecConfig has d = 2 (one normal predictor), q = 1 and 20 groups of
// 10 rows, so each dataset gives 200 residuals and 20 effects.
func misspecConfig(m Misspec) Config {
	c := DefaultConfig()
	c.Fixed = IntRange{2, 2}
	c.Random = IntRange{1, 1}
	c.Groups = IntRange{20, 20}
	c.GroupSize = IntRange{10, 10}
	c.FamilyWeights = [NumFamilies]float64{FamilyNormal: 1}
	c.Misspec = m
	return c
}

// standardizedMoments returns the moments of z, z², z³ and z⁴ over the
// residuals divided by σ (effects = false) or the random effects divided by
// σ_b (effects = true) of count datasets.
func standardizedMoments(t *testing.T, m Misspec, effects bool, count int) [4]moments {
	t.Helper()
	var mom [4]moments
	for smp, err := range newSim(t, misspecConfig(m)).All(21, count) {
		if err != nil {
			t.Fatal(err)
		}
		if len(smp.Warnings) > 0 {
			t.Fatalf("dataset %d: warnings %v", smp.Index, smp.Warnings)
		}
		vals, scale := residuals(smp), smp.Truth.Sigma
		if effects {
			vals, scale = smp.RandomEffects, smp.Truth.SigmaB[0]
		}
		for _, v := range vals {
			z := v / scale
			for k := range mom {
				mom[k].add(math.Pow(z, float64(k+1)))
			}
		}
	}
	return mom
}

// TestMisspecNoise checks the residual moments: normal noise has E[z⁴] = 3;
// Student-t noise with ν = 20 scaled to unit variance has
// E[z⁴] = 3(ν−2)/(ν−4) = 3.375; both have E[z²] = 1.
func TestMisspecNoise(t *testing.T) {
	t.Parallel()
	count := 1000
	if testing.Short() {
		count = 300
	}
	for _, tc := range []struct {
		name string
		m    Misspec
		kurt float64
	}{
		{"normal", Misspec{}, 3},
		{"student-t", Misspec{NoiseDF: 20}, 3.375},
	} {
		mom := standardizedMoments(t, tc.m, false, count)
		checkMean(t, tc.name+" noise z", &mom[0], 0)
		checkMean(t, tc.name+" noise z²", &mom[1], 1)
		checkMean(t, tc.name+" noise z⁴", &mom[3], tc.kurt)
	}
}

// TestMisspecEffects checks the random-effect moments: the centred
// log-normal with s = 0.25 scaled to unit variance has skewness
// (e^{s²} + 2)√(e^{s²} − 1); the scaled Student-t with ν = 20 has
// E[z⁴] = 3(ν−2)/(ν−4) = 3.375; normal effects have E[z³] = 0, E[z⁴] = 3.
func TestMisspecEffects(t *testing.T) {
	t.Parallel()
	count := 4000
	if testing.Short() {
		count = 1000
	}
	const s = 0.25
	skew := (math.Exp(s*s) + 2) * math.Sqrt(math.Expm1(s*s))
	for _, tc := range []struct {
		name       string
		m          Misspec
		skew, kurt float64
	}{
		{"normal", Misspec{}, 0, 3},
		{"skewed", Misspec{Effects: EffectSkewed, EffectSkew: s}, skew, math.NaN()},
		{"heavy-tailed", Misspec{Effects: EffectHeavyTailed, EffectDF: 20}, 0, 3.375},
	} {
		mom := standardizedMoments(t, tc.m, true, count)
		checkMean(t, tc.name+" effect z", &mom[0], 0)
		checkMean(t, tc.name+" effect z²", &mom[1], 1)
		checkMean(t, tc.name+" effect z³", &mom[2], tc.skew)
		if !math.IsNaN(tc.kurt) {
			checkMean(t, tc.name+" effect z⁴", &mom[3], tc.kurt)
		}
	}
}

// TestMisspecHeteroscedastic checks that with row SD σ·e^{γx₁}/c the
// within-dataset regression slope of log|ε| on x₁ is γ: log|ε_i| =
// log(σ/c) + γx_i1 + log|z_i| with Var(log|z|) = π²/8 for z ~ N(0, 1), so
// the slope's standard error is √(π²/8 / Σx²) (x₁ has mean 0 in every
// dataset). The mean of (ε/σ)² stays 1 by the choice of c.
func TestMisspecHeteroscedastic(t *testing.T) {
	t.Parallel()
	const gamma = 0.5
	count := 400
	if testing.Short() {
		count = 150
	}
	var sxy, sxx float64
	var z2 moments
	for smp, err := range newSim(t, misspecConfig(Misspec{Heteroscedastic: gamma})).All(22, count) {
		if err != nil {
			t.Fatal(err)
		}
		d := smp.Design
		e := residuals(smp)
		var lbar float64
		for _, v := range e {
			lbar += math.Log(math.Abs(v))
			z2.add(v * v / (smp.Truth.Sigma * smp.Truth.Sigma))
		}
		lbar /= float64(len(e))
		for i, v := range e {
			x := d.X[i*d.P()+1]
			sxy += x * (math.Log(math.Abs(v)) - lbar)
			sxx += x * x
		}
	}
	slope := sxy / sxx
	if se := math.Sqrt(math.Pi * math.Pi / 8 / sxx); !(math.Abs(slope-gamma) < 4*se) {
		t.Errorf("slope of log|ε| on x₁ = %.4f, want %g ± 4·%.4f", slope, gamma, se)
	}
	checkMean(t, "(ε/σ)²", &z2, 1)

	c := misspecConfig(Misspec{Heteroscedastic: gamma})
	c.Fixed = IntRange{1, 1}
	c.Random = IntRange{0, 1}
	if smp := draw(t, newSim(t, c), 1, 0); len(smp.Warnings) != 1 {
		t.Errorf("intercept-only design with heteroscedastic noise: warnings %q, want one", smp.Warnings)
	}
}
