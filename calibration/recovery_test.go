package calibration

import (
	"math"
	"testing"
)

func TestPearsonByHand(t *testing.T) {
	// x = 1..5, y = (2, 4, 5, 4, 5): Sxy = 6, Sxx = 10, Syy = 6, so
	// r = 6/√60; the Fisher-z interval is R cor.test's
	// (testdata/reference.R).
	c := Pearson([]float64{1, 2, 3, 4, 5}, []float64{2, 4, 5, 4, 5})
	checkClose(t, "r", c.R, 6/math.Sqrt(60), 1e-15)
	checkClose(t, "r (R cor.test)", c.R, 0.774596669241483, 1e-14)
	checkClose(t, "lo (R cor.test)", c.Lo, -0.34008203518751, 1e-12)
	checkClose(t, "hi (R cor.test)", c.Hi, 0.984235755150727, 1e-12)
	checkClose(t, "SE of atanh r", c.ZSE, 1/math.Sqrt2, 1e-15)
}

func TestNRMSEByHand(t *testing.T) {
	// Errors (0, −1, −2): MSE = 5/3; truths (1, 3, 5) have population
	// variance 8/3; NRMSE = √(5/8).
	checkClose(t, "NRMSE", NRMSE([]float64{1, 2, 3}, []float64{1, 3, 5}), math.Sqrt(5.0/8), 1e-15)
}

func TestRecoveryOfExactPosterior(t *testing.T) {
	// Conjugate model with 5 observations: Var_post = 1/6 and Var_prior =
	// 1, so contraction = 5/6; z-scores of an exact posterior are N(0, 1),
	// whose median |z| is Φ⁻¹(0.75) = 0.6745 (MCSE of a sample median:
	// √(0.25/N)/f, f = 2φ(0.6745) = 0.6356 the density of |z| there).
	const n = 400
	truths, draws := conjugateReplicates(newRand(10, 1), n, 5, 2000, 1)
	r := NewRecovery(draws, truths, 1)
	// Contraction per dataset is 1 − 6s² with s² the variance of S = 2000
	// normal draws, so its SD is √(2/(S−1)); a sample median of normal
	// values has MCSE √(π/2)·SD/√N.
	checkMC(t, "median contraction", r.MedianContraction, 5.0/6, math.Sqrt(math.Pi/2)*math.Sqrt(2.0/1999)/math.Sqrt(n))
	checkMC(t, "median |z|", r.MedianAbsZ, 0.6745, math.Sqrt(0.25/n)/0.6356)
	// Corr(θ, E[θ|y]) = √(Var E[θ|y]/Var θ) = √(5/6) for this model.
	rho := math.Sqrt(5.0 / 6)
	checkMC(t, "r", r.Correlation.R, rho, (1-rho*rho)/math.Sqrt(n))
	// NRMSE → √(posterior variance / prior variance) = √(1/6). Its
	// relative MCSE (delta method on ½log mean e² − ½log var θ, each
	// log-mean-square with variance 2/N and covariance 2ρ²/N) is
	// √((1 − ρ²)/N), with ρ² = 1/6 the squared correlation of the error
	// e = E[θ|y] − θ with θ (Cov(e, θ) = −1/6): √(5/(6N)).
	checkMC(t, "NRMSE", r.NRMSE, math.Sqrt(1.0/6), math.Sqrt(1.0/6)*math.Sqrt(5.0/(6*n)))
}
