package hmc

import (
	"context"
	"fmt"
	"math"
	"testing"
)

// eightSchools is the non-centred eight-schools posterior of posteriordb
// (models/stan/eight_schools_noncentered.stan) on the unconstrained scale
// x = (μ, log τ, θ̃₁…θ̃_J):
//
//	μ ~ N(0, 5), τ ~ half-Cauchy(0, 5), θ̃_j ~ N(0, 1),
//	y_j ~ N(μ + τ·θ̃_j, σ_j),
//
// with the log-Jacobian log τ of τ = exp(u), constants dropped.
type eightSchools struct {
	y, sigma []float64
}

func (e *eightSchools) Dim() int { return 2 + len(e.y) }

func (e *eightSchools) LogDensityGrad(x, grad []float64) float64 {
	mu, u := x[0], x[1]
	tau := math.Exp(u)
	lp := -mu*mu/50 - math.Log1p(tau*tau/25) + u
	grad[0] = -mu / 25
	grad[1] = -2*tau*tau/25/(1+tau*tau/25) + 1
	for j, yj := range e.y {
		th := x[2+j]
		s2 := e.sigma[j] * e.sigma[j]
		r := (yj - mu - tau*th) / s2
		lp += -0.5*th*th - 0.5*r*r*s2
		grad[0] += r
		grad[1] += r * th * tau
		grad[2+j] = -th + r*tau
	}
	return lp
}

// The eight-schools data (Rubin 1981), posteriordb's eight_schools.json:
// estimated treatment effects y_j and their standard errors σ_j.
var (
	eightSchoolsY     = []float64{28, 8, -3, 7, -1, 1, 18, 12}
	eightSchoolsSigma = []float64{15, 10, 16, 11, 9, 11, 10, 18}
)

// eightSchoolsRef summarizes posteriordb's reference posterior
// eight_schools-eight_schools_noncentered (rstan 2.21.1, 10 chains × 1000
// draws kept of 10,000 iterations after 10,000 warmup, thinned by 10,
// adapt_delta 0.95, seed 4711): per parameter the mean and SD of the 10,000
// pooled draws and the MCSE of the mean (mcseMean, i.e. R posterior's
// mcse_mean, over the 10 chains), computed from the reference draws with
// this package's helpers and rounded to 4 decimals.
var eightSchoolsRef = []struct {
	name           string
	mean, sd, mcse float64
}{
	{"mu", 4.4105, 3.3093, 0.0330},
	{"tau", 3.6021, 3.1985, 0.0319},
	{"theta[1]", 6.1505, 5.6159, 0.0557},
	{"theta[2]", 4.9396, 4.6456, 0.0462},
	{"theta[3]", 3.9059, 5.2807, 0.0542},
	{"theta[4]", 4.7960, 4.7709, 0.0475},
	{"theta[5]", 3.6144, 4.6147, 0.0461},
	{"theta[6]", 4.0511, 4.7962, 0.0485},
	{"theta[7]", 6.3172, 5.0029, 0.0499},
	{"theta[8]", 4.8840, 5.3177, 0.0543},
}

func newEightSchools() *eightSchools {
	return &eightSchools{y: eightSchoolsY, sigma: eightSchoolsSigma}
}

// The hand-written gradient against central finite differences
// (h = 1e-6, tolerance 1e-5 relative as gonum's fd tests).
func TestEightSchoolsGradient(t *testing.T) {
	e := newEightSchools()
	x := []float64{3, 1.2, 0.5, -0.3, 1, 0.1, -1.2, 0.7, 0.2, -0.4}
	grad := make([]float64, 10)
	e.LogDensityGrad(x, grad)
	scratch := make([]float64, 10)
	for i := range x {
		const h = 1e-6
		xp, xm := append([]float64(nil), x...), append([]float64(nil), x...)
		xp[i] += h
		xm[i] -= h
		fd := (e.LogDensityGrad(xp, scratch) - e.LogDensityGrad(xm, scratch)) / (2 * h)
		if math.Abs(fd-grad[i]) > 1e-5*math.Max(1, math.Abs(fd)) {
			t.Errorf("∂/∂x[%d] = %v, finite difference %v", i, grad[i], fd)
		}
	}
}

// Eight schools, non-centred, against posteriordb's reference posterior
// (eightSchoolsRef): means of μ, τ and θ_j = μ + τθ̃_j within
// 4·√(MCSE² + MCSE_ref²), standard deviations within 10%.
func TestEightSchoolsReference(t *testing.T) {
	if testing.Short() {
		t.Skip("reference comparison skipped in -short mode")
	}
	target := newEightSchools()
	res, err := Run(context.Background(), func() Target { return target }, Config{Draws: 2500}, 8)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("step sizes %v, %d divergences, warnings %q", res.StepSize, res.Divergences(), res.Warnings)

	ours := map[string][][]float64{"mu": res.Param(0), "tau": mapChains(res.Param(1), math.Exp)}
	for j := range 8 {
		theta := make([][]float64, res.Chains)
		for c := range theta {
			theta[c] = make([]float64, res.NumDraws)
			for i := range theta[c] {
				x := res.Draw(c, i)
				theta[c][i] = x[0] + math.Exp(x[1])*x[2+j]
			}
		}
		ours[fmt.Sprintf("theta[%d]", j+1)] = theta
	}
	for _, ref := range eightSchoolsRef {
		draws := ours[ref.name]
		mcse := math.Hypot(mcseMean(draws), ref.mcse)
		mean, sd := sampleMean(pooled(draws)), sampleSD(pooled(draws))
		checkWithinMCSE(t, ref.name+" mean", mean, ref.mean, mcse)
		t.Logf("%-9s mean %7.3f (ref %7.3f, 4·MCSE %.3f)  sd %6.3f (ref %6.3f)", ref.name, mean, ref.mean, 4*mcse, sd, ref.sd)
		if math.Abs(sd/ref.sd-1) > 0.1 {
			t.Errorf("%s sd = %.4g, reference %.4g", ref.name, sd, ref.sd)
		}
	}
}

// Stan's sampler and adaptation on eight schools (non-centred), rstan
// 2.21.7, 16 chains × (1000 warmup + 1000 draws), default settings; per
// chain: adapted step size, mean n_leapfrog__ and mean accept_stat__ of the
// draws. Source: Rscript testdata/eight_schools_stan.R (output copied).
var stanEightSchools = struct{ stepSize, nLeapfrog, accept []float64 }{
	stepSize:  []float64{0.4251, 0.5138, 0.3835, 0.4280, 0.3673, 0.4468, 0.4719, 0.3633, 0.4949, 0.3770, 0.4983, 0.4594, 0.3507, 0.4670, 0.3874, 0.4637},
	nLeapfrog: []float64{7.782, 6.810, 11.208, 8.746, 11.378, 7.444, 7.042, 11.479, 6.928, 10.314, 7.000, 7.130, 12.596, 7.172, 10.708, 7.164},
	accept:    []float64{0.8475, 0.8258, 0.9049, 0.8293, 0.9084, 0.8875, 0.8862, 0.8830, 0.8769, 0.8735, 0.8761, 0.8441, 0.9483, 0.8462, 0.9161, 0.8812},
}

// Warmup and sampler behaviour match Stan's statistically: over 16
// independent chains each, the mean (across chains) of the adapted step
// size, of the per-chain mean n_leapfrog and of the per-chain mean accept
// statistic agree with rstan's within 4 standard errors of the difference,
// √(s²_ours/16 + s²_Stan/16) (chains are independent replicates).
func TestEightSchoolsAdaptationMatchesStan(t *testing.T) {
	if testing.Short() {
		t.Skip("16-chain comparison skipped in -short mode")
	}
	target := newEightSchools()
	res, err := Run(context.Background(), func() Target { return target }, Config{Chains: 16}, 20261126)
	if err != nil {
		t.Fatal(err)
	}
	ours := struct{ stepSize, nLeapfrog, accept []float64 }{stepSize: res.StepSize}
	for c := range res.Chains {
		var n, a float64
		for _, in := range res.Info[c] {
			n += float64(in.NLeapfrog)
			a += in.AcceptStat
		}
		ours.nLeapfrog = append(ours.nLeapfrog, n/float64(res.NumDraws))
		ours.accept = append(ours.accept, a/float64(res.NumDraws))
	}
	for _, q := range []struct {
		name        string
		ours, stans []float64
	}{
		{"step size", ours.stepSize, stanEightSchools.stepSize},
		{"mean n_leapfrog", ours.nLeapfrog, stanEightSchools.nLeapfrog},
		{"mean accept_stat", ours.accept, stanEightSchools.accept},
	} {
		se := math.Sqrt((math.Pow(sampleSD(q.ours), 2) + math.Pow(sampleSD(q.stans), 2)) / 16)
		t.Logf("%-16s ours %.4f (sd %.4f), Stan %.4f (sd %.4f)", q.name,
			sampleMean(q.ours), sampleSD(q.ours), sampleMean(q.stans), sampleSD(q.stans))
		checkWithinMCSE(t, q.name, sampleMean(q.ours), sampleMean(q.stans), se)
	}
}
