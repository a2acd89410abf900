package estimate

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/metabeta-go/metabeta/lmm"
)

// TestMLMatchesLme4 compares the ML fit of sleepstudy with lme4's
// lmer(Reaction ~ Days + (Days || Subject), REML = FALSE) from
// testdata/lme4_sleepstudy.R (lme4 1.1.31, R 4.2.2, bobyqa to 1e-12).
func TestMLMatchesLme4(t *testing.T) {
	d := loadSleepstudy(t)
	ref := readReference(t, "testdata/lme4_sleepstudy.txt")
	s := lmm.NewStats(d)
	est, err := Estimate(s, nil, Settings{})
	if err != nil {
		t.Fatal(err)
	}
	if !est.ML.Converged || len(est.Warnings) > 0 {
		t.Errorf("converged %v, warnings %v", est.ML.Converged, est.Warnings)
	}
	pr := s.Params(est.ML.Theta)
	got := map[string]float64{
		"ml beta_Intercept": pr.Beta[0], "ml beta_Days": pr.Beta[1],
		"ml sd_Intercept": pr.SigmaB[0], "ml sd_Days": pr.SigmaB[1],
		"ml sigma": pr.Sigma, "ml logLik": est.ML.Value,
	}
	for k, v := range got {
		// lme4's optimum is accurate to about 1e-6 relative (bobyqa with
		// rhoend 1e-12 on the relative covariance factor).
		if !closeRel(v, ref[k], 1e-5) {
			t.Errorf("%s = %.10g, lme4 %.10g", k, v, ref[k])
		}
	}
	for k, g := range est.ML.Grad {
		// At the maximum the gradient in θ vanishes: the Newton decrement
		// tolerance 1e-10 bounds the distance to it, |g_k|·SE_k to first
		// order, by about 1e-5 standard errors.
		if math.Abs(g*est.ML.SE[k]) > 1e-5 {
			t.Errorf("ML gradient[%d] = %.3g, want 0", k, g)
		}
	}
	// lme4's vcov at the ML estimates; the slope's SE is the same in the
	// centred parametrization.
	if !closeRel(est.ML.SE[1], ref["ml se_Days"], 1e-5) {
		t.Errorf("ML SE of Days %.8g, lme4 %.8g", est.ML.SE[1], ref["ml se_Days"])
	}
	t.Logf("ML: %+v in %d iterations, SE %v", pr, est.ML.Iterations, est.ML.SE)
	rp := s.Params(est.REML.Theta)
	got = map[string]float64{
		"reml beta_Intercept": rp.Beta[0], "reml beta_Days": rp.Beta[1],
		"reml sd_Intercept": rp.SigmaB[0], "reml sd_Days": rp.SigmaB[1],
		"reml sigma": rp.Sigma, "reml logLik": est.REML.Value, "reml se_Days": est.REML.SE[1],
	}
	for k, v := range got {
		if !closeRel(v, ref[k], 1e-5) {
			t.Errorf("%s = %.10g, lme4 %.10g", k, v, ref[k])
		}
	}
	t.Logf("REML: %+v in %d iterations, SE %v", rp, est.REML.Iterations, est.REML.SE)
}

// TestREMLGradient checks the analytic gradient of the restricted
// log-likelihood against central finite differences of its value
// (ProfileLogLik), on random designs.
func TestREMLGradient(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 1))
	for _, c := range []struct{ p, q int }{{1, 1}, {2, 1}, {3, 2}, {4, 3}, {2, 0}} {
		truth := lmm.Params{Beta: make([]float64, c.p), SigmaB: make([]float64, c.q), Sigma: 1}
		for k := range truth.SigmaB {
			truth.SigmaB[k] = 0.7
		}
		d := simulate(rng, c.p, c.q, 10, 6, truth)
		e := NewEstimator(lmm.NewStats(d))
		phi := make([]float64, c.q+1)
		for k := range phi {
			phi[k] = 0.5 * rng.NormFloat64()
		}
		grad := make([]float64, c.q+1)
		e.remlGrad(phi, grad)
		const h = 1e-5
		for k := range phi {
			x := phi[k]
			phi[k] = x + h
			_, fp := e.ProfileLogLik(phi)
			phi[k] = x - h
			_, fm := e.ProfileLogLik(phi)
			phi[k] = x
			// Central differences: truncation O(h²) ≈ 1e-10, rounding
			// ε·|ℓ|/h ≈ 1e-9 for |ℓ| ≈ 100.
			if fd := (fp - fm) / (2 * h); math.Abs(fd-grad[k]) > 1e-6*math.Max(1, math.Abs(grad[k])) {
				t.Errorf("P=%d Q=%d: ∂ℓ_R/∂φ[%d] = %.10g, finite difference %.10g", c.p, c.q, k, grad[k], fd)
			}
		}
	}
}

// TestProfileMatchesLme4 checks the profile and restricted log-likelihoods
// at lme4's ML and REML estimates against lme4's logLik and −REMLcrit/2
// (testdata/lme4_sleepstudy.R), and the GLS β against lme4's fixef.
func TestProfileMatchesLme4(t *testing.T) {
	d := loadSleepstudy(t)
	ref := readReference(t, "testdata/lme4_sleepstudy.txt")
	e := NewEstimator(lmm.NewStats(d))
	for _, tag := range []string{"ml", "reml"} {
		phi := []float64{math.Log(ref[tag+" sd_Intercept"]), math.Log(ref[tag+" sd_Days"]), math.Log(ref[tag+" sigma"])}
		ml, reml := e.ProfileLogLik(phi)
		got := ml
		if tag == "reml" {
			got = reml
		}
		if !closeRel(got, ref[tag+" logLik"], 1e-12) {
			t.Errorf("%s log-likelihood %.15g, lme4 %.15g", tag, got, ref[tag+" logLik"])
		}
		beta := make([]float64, 2)
		e.GLS(beta, phi[:2], phi[2])
		orig := e.Stats().Centred.ToOriginal(make([]float64, 2), beta)
		if !closeRel(orig[0], ref[tag+" beta_Intercept"], 1e-10) || !closeRel(orig[1], ref[tag+" beta_Days"], 1e-10) {
			t.Errorf("%s GLS β %v, lme4 %v %v", tag, orig, ref[tag+" beta_Intercept"], ref[tag+" beta_Days"])
		}
	}
}

// TestGLSIsMarginalMaximum checks on random designs and variances that the
// GLS coefficients zero the β-gradient of lmm.Marginal (XᵀV⁻¹(y − Xβ̂) = 0)
// and that ProfileLogLik equals Marginal.LogLik there.
func TestGLSIsMarginalMaximum(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	for _, c := range []struct{ p, q int }{{1, 1}, {2, 1}, {3, 2}, {4, 3}, {3, 0}} {
		truth := lmm.Params{Beta: make([]float64, c.p), SigmaB: make([]float64, c.q), Sigma: 1.3}
		for k := range truth.Beta {
			truth.Beta[k] = 2 * rng.NormFloat64()
		}
		for k := range truth.SigmaB {
			truth.SigmaB[k] = 0.5 + rng.Float64()
		}
		d := simulate(rng, c.p, c.q, 12, 6, truth)
		s := lmm.NewStats(d)
		e := NewEstimator(s)
		m := lmm.NewMarginal(s)
		theta := make([]float64, s.Dim())
		grad := make([]float64, s.Dim())
		for k := c.p; k < len(theta); k++ {
			theta[k] = 0.5 * rng.NormFloat64()
		}
		e.GLS(theta[:c.p], theta[c.p:c.p+c.q], theta[c.p+c.q])
		ll := m.LogLikGrad(theta, grad)
		for k := 0; k < c.p; k++ {
			// The β-gradient is XᵀV⁻¹r, of order N/σ² ≈ 50 times the
			// residual scale; rounding leaves ~1e-12.
			if math.Abs(grad[k]) > 1e-9 {
				t.Errorf("P=%d Q=%d: ∂/∂β[%d] = %.3g at GLS, want 0", c.p, c.q, k, grad[k])
			}
		}
		if a := testing.AllocsPerRun(10, func() { e.GLS(theta[:c.p], theta[c.p:c.p+c.q], theta[c.p+c.q]) }); a != 0 {
			t.Errorf("GLS allocates %v times", a)
		}
		pl, _ := e.ProfileLogLik(theta[c.p:])
		if !closeRel(pl, ll, 1e-12) {
			t.Errorf("P=%d Q=%d: profile %.15g, marginal %.15g", c.p, c.q, pl, ll)
		}
	}
}
