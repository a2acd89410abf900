package lmm

import (
	"bufio"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
)

// TestMarginalMatchesDenseMVN checks the Woodbury/determinant-lemma marginal
// likelihood against the closed form log N(y | Xβ, σ²I + Z D Zᵀ) evaluated
// with a dense N×N Cholesky (gonum mat), to 1e-8 relative.
func TestMarginalMatchesDenseMVN(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	for _, c := range designCases() {
		t.Run(c.String(), func(t *testing.T) {
			d := randomDesign(rng, c, 40, 6)
			m := NewMarginal(NewStats(d))
			for rep := 0; rep < 3; rep++ {
				theta := randomTheta(rng, m.Dim())
				got := m.LogLik(theta)
				want := denseLogMarginal(t, d, m.Stats().Params(theta))
				if !closeRel(want, got, 1e-8) {
					t.Errorf("LogLik = %.15g, dense MVN %.15g", got, want)
				}
			}
		})
	}
}

// TestMarginalNoRandomEffects checks that with Q = 0 the marginal is the
// plain normal likelihood Σ log N(y_i | x_iᵀβ, σ²), and that σ_b → 0 gives
// the same limit as dropping the random effects.
func TestMarginalNoRandomEffects(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	d := randomDesign(rng, designCase{p: 3, q: 2, intercept: true}, 50, 5)
	fixedOnly := *d
	fixedOnly.Random, fixedOnly.RandomCol = nil, nil
	m0 := NewMarginal(NewStats(&fixedOnly))
	m2 := NewMarginal(NewStats(d))
	theta0 := randomTheta(rng, m0.Dim())
	got := m0.LogLik(theta0)
	pr := m0.Stats().Params(theta0)
	want := rowsLogLik(&fixedOnly, pr.Beta, nil, pr.Sigma)
	if !closeRel(want, got, 1e-10) {
		t.Errorf("Q=0: LogLik = %.15g, Σ log N(y_i) = %.15g", got, want)
	}
	// σ_b = e⁻⁴⁰: Z D Zᵀ ~ 1e-35 relative to σ², below float64 resolution.
	theta2 := append(append(append([]float64(nil), theta0[:3]...), -40, -40), theta0[3])
	if got2 := m2.LogLik(theta2); !closeRel(got, got2, 1e-12) {
		t.Errorf("σ_b → 0: LogLik = %.15g, want the Q=0 value %.15g", got2, got)
	}
	grad := make([]float64, m2.Dim())
	m2.LogLikGrad(theta2, grad)
	if !allFinite(grad) {
		t.Errorf("σ_b → 0: gradient not finite: %v", grad)
	}
}

// TestMarginalGradient checks the analytic gradient against central finite
// differences on every design shape.
func TestMarginalGradient(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 3))
	for _, c := range designCases() {
		t.Run(c.String(), func(t *testing.T) {
			d := randomDesign(rng, c, 30, 5)
			m := NewMarginal(NewStats(d))
			theta := randomTheta(rng, m.Dim())
			grad := make([]float64, m.Dim())
			v := m.LogLikGrad(theta, grad)
			if w := m.LogLik(theta); v != w {
				t.Errorf("LogLikGrad value %.17g != LogLik %.17g", v, w)
			}
			checkGradient(t, m.LogLik, theta, grad)
		})
	}
}

// TestMarginalMatchesLme4 checks the marginal likelihood on sleepstudy at
// the lme4 maximum-likelihood estimates against lme4's maximized logLik
// (testdata/lme4_sleepstudy.R → lme4_sleepstudy.txt). The log-likelihood
// is stationary there, so 17-digit printed estimates reproduce it to far
// better than the 1e-9 relative tolerance.
func TestMarginalMatchesLme4(t *testing.T) {
	ref := readReference(t, "testdata/lme4_sleepstudy.txt")
	d := loadSleepstudy(t)
	s := NewStats(d)
	theta := s.Theta(make([]float64, s.Dim()), Params{
		Beta:   []float64{ref["beta_Intercept"], ref["beta_Days"]},
		SigmaB: []float64{ref["sd_Intercept"], ref["sd_Days"]},
		Sigma:  ref["sigma"],
	})
	got := NewMarginal(s).LogLik(theta)
	if want := ref["logLik"]; !closeRel(want, got, 1e-9) {
		t.Errorf("sleepstudy LogLik at lme4 ML = %.15g, lme4 logLik %.15g", got, want)
	}
}

// readReference reads "name value" lines, skipping # comments.
func readReference(t *testing.T, path string) map[string]float64 {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ref := map[string]float64{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 2 || strings.HasPrefix(fields[0], "#") {
			continue
		}
		v, err := strconv.ParseFloat(fields[1], 64)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		ref[fields[0]] = v
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return ref
}

// TestMarginalNonFinite checks that non-finite θ gives −Inf and a zero
// gradient.
func TestMarginalNonFinite(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 4))
	d := randomDesign(rng, designCase{p: 2, q: 1, intercept: true}, 20, 4)
	m := NewMarginal(NewStats(d))
	for _, bad := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		theta := randomTheta(rng, m.Dim())
		theta[1] = bad
		grad := []float64{1, 1, 1, 1}
		if v := m.LogLikGrad(theta, grad); !math.IsInf(v, -1) {
			t.Errorf("θ with %g: LogLikGrad = %g, want −Inf", bad, v)
		}
		for i, g := range grad {
			if g != 0 {
				t.Errorf("θ with %g: grad[%d] = %g, want 0", bad, i, g)
			}
		}
	}
}

// TestMarginalGradientExtremeScales checks the gradient against central
// differences where the naive σ_b-parametrized formulas lose accuracy:
// σ_b/σ ≈ e⁻¹² (nearly no random effect) and e⁶ (random effects dominate),
// for the general Q = 3 path and the unrolled Q = 2 path; and against the
// dense MVN value there.
func TestMarginalGradientExtremeScales(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 5))
	for _, c := range []designCase{{3, 2, true}, {3, 3, true}, {2, 1, false}} {
		d := randomDesign(rng, c, 30, 5)
		m := NewMarginal(NewStats(d))
		for _, logRatio := range []float64{-12, 6} {
			theta := randomTheta(rng, m.Dim())
			for k := 0; k < c.q; k++ {
				theta[c.p+k] = logRatio + theta[c.p+c.q] + 0.3*float64(k)
			}
			grad := make([]float64, m.Dim())
			got := m.LogLikGrad(theta, grad)
			if want := denseLogMarginal(t, d, m.Stats().Params(theta)); !closeRel(want, got, 1e-8) {
				t.Errorf("%v, log σ_b/σ = %g: LogLik = %.15g, dense %.15g", c, logRatio, got, want)
			}
			checkGradient(t, m.LogLik, theta, grad)
		}
	}
}

// targetInterface is the method set of hmc.Target, restated here because
// the model package does not import the sampler.
type targetInterface interface {
	Dim() int
	LogDensityGrad(x, grad []float64) float64
}

var (
	_ targetInterface = (*Collapsed)(nil)
	_ targetInterface = (*Joint)(nil)
)

// TestCorrelatedMarginalMatchesLme4 evaluates the correlated marginal
// likelihood at lme4's ML fit of Reaction ~ Days + (Days | Subject)
// (lmm/testdata/lme4_sleepstudy_cor.txt, written by R with the command in
// its header) and compares with lme4's logLik, to 1e-9 relative, as
// TestMarginalMatchesLme4 does for the uncorrelated model.
func TestCorrelatedMarginalMatchesLme4(t *testing.T) {
	ref := readReference(t, "testdata/lme4_sleepstudy_cor.txt")
	d := loadSleepstudy(t)
	d.Correlated = true
	s := NewStats(d)
	theta := s.Theta(make([]float64, s.Dim()), Params{
		Beta:   []float64{ref["beta_Intercept"], ref["beta_Days"]},
		SigmaB: []float64{ref["sd_Intercept"], ref["sd_Days"]},
		Sigma:  ref["sigma"],
		Cor:    []float64{ref["cor_Intercept__Days"]},
	})
	got := NewMarginal(s).LogLik(theta)
	if want := ref["logLik"]; !closeRel(want, got, 1e-9) {
		t.Errorf("sleepstudy LogLik at lme4 ML = %.15g, lme4 logLik %.15g", got, want)
	}
}
