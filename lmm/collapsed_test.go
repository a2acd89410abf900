package lmm

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestCollapsedGradient checks the analytic gradient of the collapsed target
// against central finite differences on every design shape.
func TestCollapsedGradient(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 1))
	for _, c := range designCases() {
		t.Run(c.String(), func(t *testing.T) {
			d := randomDesign(rng, c, 30, 5)
			col := NewCollapsed(d, randomPrior(rng, d))
			theta := randomTheta(rng, col.Dim())
			grad := make([]float64, col.Dim())
			v := col.LogDensityGrad(theta, grad)
			if w := col.LogDensity(theta); v != w {
				t.Errorf("LogDensityGrad value %.17g != LogDensity %.17g", v, w)
			}
			checkGradient(t, col.LogDensity, theta, grad)
		})
	}
}

// stanPrior returns the log prior of lmm.stan with the Jacobian of the
// log-transformed scales, as Stan's log_prob(jacobian = TRUE) computes it
// (Stan Reference Manual, "Lower bounded scalar"), up to a constant:
// centred intercept α and slopes normal, σ_b and σ half-normal.
func stanPrior(pr Prior, alphaSlopes, sigmaB []float64, sigma float64) float64 {
	lp := 0.0
	for k, v := range alphaSlopes {
		e := (v - pr.BetaMean[k]) / pr.BetaSD[k]
		lp -= 0.5 * e * e
	}
	for k, v := range sigmaB {
		e := v / pr.SDScale[k]
		lp += -0.5*e*e + math.Log(v)
	}
	e := sigma / pr.SigmaScale
	return lp - 0.5*e*e + math.Log(sigma)
}

// sleepstudyPoints are two arbitrary parameter points for sleepstudy, in the
// collapsed θ layout (α, slope, log σ_b, log σ).
var sleepstudyPoints = [2][]float64{
	{255, 9, math.Log(20), math.Log(7), math.Log(26)},
	{240, 12, math.Log(35), math.Log(4), math.Log(30)},
}

// TestCollapsedSleepstudyStan checks that the collapsed target on sleepstudy
// reproduces the Stan model (bench/stan/lmm.stan) with b integrated
// out, up to a constant: the difference of log densities between two
// points must equal that of the direct evaluation, Stan's prior plus the
// dense N×N multivariate normal of y, to 1e-9 relative.
func TestCollapsedSleepstudyStan(t *testing.T) {
	d := loadSleepstudy(t)
	pr := sleepstudyPrior()
	col := NewCollapsed(d, pr)
	direct := func(theta []float64) float64 {
		par := col.Params(theta)
		return stanPrior(pr, theta[:2], par.SigmaB, par.Sigma) + denseLogMarginal(t, d, par)
	}
	a, b := sleepstudyPoints[0], sleepstudyPoints[1]
	got := col.LogDensity(a) - col.LogDensity(b)
	want := direct(a) - direct(b)
	if !closeRel(want, got, 1e-9) {
		t.Errorf("Δ log density = %.12g, Stan model %.12g", got, want)
	}
}

// TestCollapsedAllocs checks that LogDensityGrad does not allocate.
func TestCollapsedAllocs(t *testing.T) {
	d := loadSleepstudy(t)
	col := NewCollapsed(d, sleepstudyPrior())
	grad := make([]float64, col.Dim())
	theta := sleepstudyPoints[0]
	if a := testing.AllocsPerRun(100, func() { col.LogDensityGrad(theta, grad) }); a != 0 {
		t.Errorf("Collapsed.LogDensityGrad: %v allocs per run, want 0", a)
	}
}

// TestCollapsedNonFinite checks −Inf and a zeroed gradient for non-finite θ
// and for θ whose density overflows.
func TestCollapsedNonFinite(t *testing.T) {
	d := loadSleepstudy(t)
	col := NewCollapsed(d, sleepstudyPrior())
	for _, theta := range [][]float64{
		{math.NaN(), 10, 3, 1.5, 3.2},
		{250, 10, 3, 1.5, math.Inf(1)},
		{250, 10, 3, 1.5, 800}, // σ = e⁸⁰⁰ overflows
	} {
		grad := []float64{1, 1, 1, 1, 1}
		if v := col.LogDensityGrad(theta, grad); !math.IsInf(v, -1) {
			t.Errorf("θ = %v: LogDensityGrad = %g, want −Inf", theta, v)
		}
		for i, g := range grad {
			if g != 0 {
				t.Errorf("θ = %v: grad[%d] = %g, want 0", theta, i, g)
			}
		}
	}
}

// TestCollapsedCloneIndependent checks that a clone gives the same values
// and that interleaved use does not interfere.
func TestCollapsedCloneIndependent(t *testing.T) {
	d := loadSleepstudy(t)
	col := NewCollapsed(d, sleepstudyPrior())
	cl := col.Clone()
	g1, g2 := make([]float64, 5), make([]float64, 5)
	v1 := col.LogDensityGrad(sleepstudyPoints[0], g1)
	cl.LogDensityGrad(sleepstudyPoints[1], g2)
	if v := cl.LogDensityGrad(sleepstudyPoints[0], g2); v != v1 || g1[4] != g2[4] {
		t.Errorf("clone value %.17g, original %.17g", v, v1)
	}
}

// TestParamsThetaRoundTrip checks that Theta inverts Params and that the
// centred intercept converts as α = β₀ + x̄ᵀβ₁: (sleepstudy: x̄ = 4.5 days,
// the mean of 0..9).
func TestParamsThetaRoundTrip(t *testing.T) {
	s := NewStats(loadSleepstudy(t))
	theta := sleepstudyPoints[0]
	par := s.Params(theta)
	if want := theta[0] - 4.5*theta[1]; math.Abs(par.Beta[0]-want) > 1e-12*want {
		t.Errorf("β₀ = %.15g, want α − 4.5·slope = %.15g", par.Beta[0], want)
	}
	back := s.Theta(make([]float64, s.Dim()), par)
	for i := range back {
		if !closeRel(theta[i], back[i], 1e-14) {
			t.Errorf("θ[%d] = %.17g after round trip, want %.17g", i, back[i], theta[i])
		}
	}
}

// TestClonesConcurrent evaluates clones of both targets in parallel
// goroutines; each must reproduce the serial values (run with -race to check
// that clones share no mutable state).
func TestClonesConcurrent(t *testing.T) {
	d := loadSleepstudy(t)
	col, joint := NewCollapsed(d, sleepstudyPrior()), NewJoint(d, sleepstudyPrior())
	jp := sleepstudyJointPoints(d.M(), d.Q())
	wantC := [2]float64{col.LogDensity(sleepstudyPoints[0]), col.LogDensity(sleepstudyPoints[1])}
	wantJ := [2]float64{joint.LogDensity(jp[0]), joint.LogDensity(jp[1])}
	errs := make(chan string, 4)
	done := make(chan struct{})
	for w := 0; w < 2; w++ {
		go func() {
			defer func() { done <- struct{}{} }()
			c, j := col.Clone(), joint.Clone()
			gc, gj := make([]float64, c.Dim()), make([]float64, j.Dim())
			for it := 0; it < 200; it++ {
				i := (it + w) % 2
				if v := c.LogDensityGrad(sleepstudyPoints[i], gc); v != wantC[i] {
					errs <- "collapsed clone disagrees"
					return
				}
				if v := j.LogDensityGrad(jp[i], gj); v != wantJ[i] {
					errs <- "joint clone disagrees"
					return
				}
			}
		}()
	}
	<-done
	<-done
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}
