package hmc

import (
	"math"
	"math/rand/v2"
	"testing"
)

// Regularized variance against the two-pass sample variance (closed form:
// var_adaptation.hpp, (n/(n+5))·s² + 1e-3·5/(n+5)).
func TestWelfordVarRegularized(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	const n, d = 37, 3
	xs := make([][]float64, n)
	w := newWelfordVar(d)
	for i := range xs {
		xs[i] = []float64{rng.NormFloat64(), 5 + 3*rng.NormFloat64(), 1e3 * rng.Float64()}
		w.add(xs[i])
	}
	got := make([]float64, d)
	w.regularized(got)
	for j := range d {
		col := make([]float64, n)
		for i := range xs {
			col[i] = xs[i][j]
		}
		s := sampleSD(col)
		want := (n/(n+5.0))*s*s + 1e-3*5/(n+5.0)
		if math.Abs(got[j]-want) > 1e-10*want {
			t.Errorf("coordinate %d: %v, want %v", j, got[j], want)
		}
	}
}

// Regularized covariance against the two-pass sample covariance (closed
// form: covar_adaptation.hpp).
func TestWelfordCovRegularized(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const n, d = 41, 3
	xs := make([][]float64, n)
	w := newWelfordCov(d)
	mean := make([]float64, d)
	for i := range xs {
		z := rng.NormFloat64()
		xs[i] = []float64{z + rng.NormFloat64(), 2 * z, -z + 0.1*rng.NormFloat64()}
		w.add(xs[i])
		for j := range d {
			mean[j] += xs[i][j] / n
		}
	}
	got := make([]float64, d*d)
	w.regularized(got)
	for a := range d {
		for b := range d {
			var s float64
			for i := range xs {
				s += (xs[i][a] - mean[a]) * (xs[i][b] - mean[b])
			}
			want := (n / (n + 5.0)) * s / (n - 1)
			if a == b {
				want += 1e-3 * 5 / (n + 5.0)
			}
			if math.Abs(got[a*d+b]-want) > 1e-10*math.Max(1, math.Abs(want)) {
				t.Errorf("(%d,%d): %v, want %v", a, b, got[a*d+b], want)
			}
		}
	}
}

// Dual averaging closed forms (Hoffman & Gelman 2014, eq. 6): one update
// with accept statistic a gives s̄ = (δ−a)/(1+t0), x = μ − s̄/γ, x̄ = x;
// an accept statistic equal to δ forever keeps ε = exp(μ).
func TestDualAveraging(t *testing.T) {
	da := NewDualAveraging(0.8, 1)
	mu := math.Log(10)
	got := da.Update(0.3)
	x := mu - (0.8-0.3)/11/0.05
	if math.Abs(got-math.Exp(x)) > 1e-12*math.Exp(x) || math.Abs(da.Final()-math.Exp(x)) > 1e-12*math.Exp(x) {
		t.Errorf("first update: ε = %v, final %v, want %v", got, da.Final(), math.Exp(x))
	}
	// Accept statistics above 1 are clipped to 1.
	da.Restart()
	if a, b := da.Update(1.7), NewDualAveraging(0.8, 1).Update(1); a != b {
		t.Errorf("clipping: %v vs %v", a, b)
	}
	da.Restart()
	for range 100 {
		if e := da.Update(0.8); math.Abs(e-10) > 1e-12 {
			t.Fatalf("ε = %v with a = δ, want exp(μ) = 10", e)
		}
	}
}

// Stan's base_hmc::init_stepsize doubles or halves ε until the one-step
// acceptance crosses 0.8. Leapfrog on N(0, σ²) with a unit metric is a
// rotation at frequency 1/σ, stable only for ε < 2σ, and the acceptance
// depends on ε/σ alone (closed form), so the result must scale with σ.
func TestInitStepSizeScales(t *testing.T) {
	for _, sd := range []float64{0.01, 1, 100} {
		target := &diagGaussian{mean: []float64{0}, sd: []float64{sd}}
		s := NewState(1)
		s.X[0] = 0.5 * sd
		s.Evaluate(target)
		eps, err := InitStepSize(rand.New(rand.NewPCG(3, 0)), target, NewDiagMetric(1), s, 1)
		if err != nil {
			t.Fatal(err)
		}
		// Leapfrog is stable for ε < 2σ; the heuristic lands within a factor
		// of a few of σ (an order-of-magnitude property, not a tolerance).
		if r := eps / sd; r < 1.0/16 || r > 4 {
			t.Errorf("σ=%g: ε = %g, want within [σ/16, 4σ]", sd, eps)
		}
		if s.X[0] != 0.5*sd {
			t.Errorf("σ=%g: heuristic moved the state", sd)
		}
	}
}

func TestInitStepSizeImproper(t *testing.T) {
	s := NewState(2)
	s.Evaluate(flat{2})
	_, err := InitStepSize(rand.New(rand.NewPCG(3, 0)), flat{2}, NewDiagMetric(2), s, 1)
	if err != ErrImproper {
		t.Errorf("flat target: err = %v, want ErrImproper", err)
	}
}
