package estimate

import (
	"math"
	"testing"

	"github.com/metabeta-go/metabeta/lmm"
)

// TestPosteriorLaplaceFromLeastSquares checks the mode search from the
// least-squares start (nil start, the neural estimator's path): it ends at a
// stationary point of the exact log density (analytic gradient of
// lmm.Collapsed), it agrees with MAP started from the ML fit (the same mode
// from a different start: the Newton decrement tolerance 1e-10 is the
// squared distance to the maximum in standard errors, so each lies within
// 1e-5 SE of it and 2e-5 bounds their difference), and, as a sanity check,
// the σ's lie near lme4's ML fit of Reaction ~ Days + (Days || Subject)
// (lmm/testdata/lme4_sleepstudy.txt: σ_b = 24.17, 5.80, σ = 25.56). The
// mode is a MAP in log-scale coordinates, so the prior and the Jacobian Σ
// log σ shift it from the ML fit by O(1/M) relatively; 1/M = 1/18 bounds the
// difference.
func TestPosteriorLaplaceFromLeastSquares(t *testing.T) {
	d := loadSleepstudy(t)
	pr, err := lmm.DefaultPrior(d)
	if err != nil {
		t.Fatal(err)
	}
	c := lmm.NewCollapsed(d, pr)
	lap, fit, err := PosteriorLaplace(c, nil, Settings{})
	if err != nil {
		t.Fatal(err)
	}
	if lap.Diagonal || !fit.Converged {
		t.Fatalf("diagonal %v, converged %v", lap.Diagonal, fit.Converged)
	}
	sd, est := checkSameMode(t, c, d, pr, lap)
	for i := range sd {
		// Same finite-difference Hessian at points 2e-5 SE apart: the SDs
		// differ by that times the relative third derivative, O(1e-5).
		if !closeRel(math.Sqrt(est.Laplace.Cov[i*len(sd)+i]), sd[i], 1e-4) {
			t.Errorf("SD[%d] = %.10g from least squares, %.10g from ML", i, sd[i], math.Sqrt(est.Laplace.Cov[i*len(sd)+i]))
		}
	}
	want := map[int]float64{2: 24.171265542632337, 3: 5.7994080300925939, 4: 25.55613489107785}
	for i, w := range want {
		if got := math.Exp(lap.Mean[i]); math.Abs(got-w) > w/18 {
			t.Errorf("exp θ̂[%d] = %.3f, want ≈ %.3f", i, got, w)
		}
	}
}

// TestLaplaceWhiten checks Whiten against its definition: z = L⁻¹(θ − μ)
// maps back by θ = μ + Lz (to rounding, 1e-12), and log N(θ | μ, Σ) =
// −D/2 log 2π − log det L − ½|z|², with log det L from LogDetChol.
func TestLaplaceWhiten(t *testing.T) {
	mean := []float64{1, -2, 0.5}
	cov := []float64{4, 1.2, -0.3, 1.2, 1, 0.2, -0.3, 0.2, 0.25}
	l, err := NewLaplace(mean, cov)
	if err != nil {
		t.Fatal(err)
	}
	theta := []float64{0.3, -1.1, 0.9}
	z := l.Whiten(make([]float64, 3), theta)
	ss := 0.0
	for i := range z {
		v := mean[i]
		for k := 0; k <= i; k++ {
			v += l.Chol[i*3+k] * z[k]
		}
		if math.Abs(v-theta[i]) > 1e-12 {
			t.Errorf("μ + Lz [%d] = %.15g, want %.15g", i, v, theta[i])
		}
		ss += z[i] * z[i]
	}
	want := -1.5*math.Log(2*math.Pi) - l.LogDetChol() - 0.5*ss
	if got := l.LogDensity(theta); math.Abs(got-want) > 1e-12 {
		t.Errorf("log density %.15g, want %.15g", got, want)
	}
	// log det Σ by hand (cofactor expansion): 4(0.25−0.04) − 1.2(0.3+0.06)
	// − 0.3(0.24+0.3) = 0.84 − 0.432 − 0.162 = 0.246.
	if got := 2 * l.LogDetChol(); math.Abs(got-math.Log(0.246)) > 1e-12 {
		t.Errorf("2 log det L = %.15g, want log 0.246 = %.15g", got, math.Log(0.246))
	}
	// Aliased dst and θ.
	alias := append([]float64(nil), theta...)
	l.Whiten(alias, alias)
	for i := range z {
		if alias[i] != z[i] {
			t.Errorf("aliased Whiten [%d] = %v, want %v", i, alias[i], z[i])
		}
	}
}

// BenchmarkPosteriorLaplace times the mode search from the least-squares
// start, with the Hessian, covariance and Cholesky factor, on sleepstudy
// standardized as the neural estimator sees it.
func BenchmarkPosteriorLaplace(b *testing.B) {
	d := loadSleepstudy(b)
	pr, err := lmm.DefaultPrior(d)
	if err != nil {
		b.Fatal(err)
	}
	ds, sc := Standardize(d)
	c := lmm.NewCollapsed(ds, sc.Prior(pr))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, _, err := PosteriorLaplace(c, nil, Settings{}); err != nil {
			b.Fatal(err)
		}
	}
}

// TestPosteriorLaplaceCorrelated checks the Laplace approximation of a
// correlated model, sleepstudy with (Days | Subject): from least squares and
// from Estimate's uncorrelated ML start (correlation at zero) the mode is
// the same stationary point (within 2e-5 SE, as above), the gradient there
// vanishes, the curvature is positive definite, and the mode of the
// correlation lies near lme4's ML estimate for this model (lmer(Reaction ~
// Days + (Days | Subject), REML = FALSE), lme4 1.1 in R: cor 0.0813,
// σ_b = 23.7798, 5.7168;
// 1/M = 1/18 bounds the relative shift of a MAP in log-scale coordinates,
// and ±0.15 the shift of the correlation, about half its posterior SD).
func TestPosteriorLaplaceCorrelated(t *testing.T) {
	d := loadSleepstudy(t)
	d.Correlated = true
	pr, err := lmm.DefaultPrior(d)
	if err != nil {
		t.Fatal(err)
	}
	c := lmm.NewCollapsed(d, pr)
	if c.Dim() != 6 {
		t.Fatalf("Dim = %d, want 6", c.Dim())
	}
	lap, fit, err := PosteriorLaplace(c, nil, Settings{})
	if err != nil || lap.Diagonal || !fit.Converged {
		t.Fatalf("err %v, converged %v", err, fit.Converged)
	}
	checkSameMode(t, c, d, pr, lap)
	par := c.Params(lap.Mean)
	for k, w := range []float64{23.78, 5.72} {
		if math.Abs(par.SigmaB[k]-w) > w/18 {
			t.Errorf("σ̂_b[%d] = %.3f, want ≈ %.3f", k, par.SigmaB[k], w)
		}
	}
	if math.Abs(par.Cor[0]-0.081) > 0.15 {
		t.Errorf("correlation at the mode %.3f, want ≈ 0.081", par.Cor[0])
	}
}

// checkSameMode checks that the gradient of c vanishes at lap's mode (the
// Newton decrement 1e-10 bounds |g_i|·SD_i by about 1e-5) and that
// Estimate's Laplace approximation, started from the ML fit, has the same
// mode within 2e-5 SE; it returns lap's SDs and the Estimates.
func checkSameMode(t *testing.T, c *lmm.Collapsed, d *lmm.Design, pr lmm.Prior, lap *Laplace) ([]float64, *Estimates) {
	t.Helper()
	grad := make([]float64, c.Dim())
	c.LogDensityGrad(lap.Mean, grad)
	sd := lap.SD(make([]float64, c.Dim()))
	for i, g := range grad {
		if math.Abs(g)*sd[i] > 1e-5 {
			t.Errorf("gradient at the mode [%d] = %g (SD %g)", i, g, sd[i])
		}
	}
	est, err := Estimate(lmm.NewStats(d), &pr, Settings{})
	if err != nil || est.Laplace == nil {
		t.Fatalf("Estimate: %v, Laplace %v", err, est.Laplace)
	}
	for i := range sd {
		if dz := math.Abs(est.Laplace.Mean[i]-lap.Mean[i]) / sd[i]; dz > 2e-5 {
			t.Errorf("θ̂[%d] = %.10g from least squares, %.10g from ML (%.2g SD apart)", i, lap.Mean[i], est.Laplace.Mean[i], dz)
		}
	}
	return sd, est
}
