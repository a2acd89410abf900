package estimate

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/metabeta-go/metabeta/lmm"
	"github.com/metabeta-go/metabeta/psis"
	"gonum.org/v1/gonum/optimize"
)

// randomTruth draws parameters for a design with p fixed and q random
// effects on unit scale.
func randomTruth(rng *rand.Rand, p, q int) lmm.Params {
	pr := lmm.Params{Beta: make([]float64, p), SigmaB: make([]float64, q), Sigma: 0.5 + rng.Float64()}
	for k := range pr.Beta {
		pr.Beta[k] = 2 * rng.NormFloat64()
	}
	for k := range pr.SigmaB {
		pr.SigmaB[k] = 0.3 + rng.Float64()
	}
	return pr
}

// unitPrior is a weakly informative prior on unit scale.
func unitPrior(p, q int) lmm.Prior {
	pr := lmm.Prior{BetaMean: make([]float64, p), BetaSD: make([]float64, p), SDScale: make([]float64, q), SigmaScale: 2}
	for k := range pr.BetaSD {
		pr.BetaSD[k] = 5
	}
	for k := range pr.SDScale {
		pr.SDScale[k] = 2
	}
	return pr
}

// TestStationary checks on simulated designs that the ML and MAP fits
// converge to stationary points of their objectives (the exact gradients of
// lmm.Marginal and lmm.Collapsed vanish, to 1e-5 standard errors) with
// negative definite Hessians.
func TestStationary(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 1))
	for _, c := range []struct{ p, q, m int }{{1, 1, 8}, {2, 1, 20}, {2, 2, 15}, {3, 2, 30}, {4, 3, 25}, {3, 0, 10}} {
		truth := randomTruth(rng, c.p, c.q)
		d := simulate(rng, c.p, c.q, c.m, 12, truth)
		prior := unitPrior(c.p, c.q)
		est, err := Estimate(lmm.NewStats(d), &prior, Settings{})
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range []struct {
			name string
			fit  *Fit
		}{{"ML", &est.ML}, {"MAP", est.MAP}} {
			if !f.fit.Converged || f.fit.Cov == nil {
				t.Errorf("P=%d Q=%d %s: converged %v, Hessian negative definite %v, warnings %q", c.p, c.q, f.name, f.fit.Converged, f.fit.Cov != nil, est.Warnings)
			}
			for k, g := range f.fit.Grad {
				if k >= c.p && k < c.p+c.q && est.ML.AtBoundary[k-c.p] && f.name == "ML" {
					continue
				}
				// |g_k|·SE_k is the distance to the optimum in standard
				// errors to first order; the decrement tolerance 1e-10
				// bounds it by about 1e-5.
				if math.Abs(g*f.fit.SE[k]) > 1e-5 {
					t.Errorf("P=%d Q=%d %s: gradient[%d] = %.3g", c.p, c.q, f.name, k, g)
				}
			}
		}
		if est.Laplace == nil {
			t.Errorf("P=%d Q=%d: no Laplace approximation", c.p, c.q)
		}
	}
}

// TestMLBoundary builds data whose group means are all equal (residuals
// centred within each group), so the likelihood of a random intercept is
// maximized at σ_b = 0 (between-group sum of squares zero). The fit must
// stop at the lower bound, flag it, and warn.
func TestMLBoundary(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 1))
	d := simulate(rng, 2, 1, 20, 8, lmm.Params{Beta: []float64{1, 0.5}, SigmaB: []float64{0}, Sigma: 1})
	sum := make([]float64, d.M())
	cnt := make([]float64, d.M())
	for i, g := range d.G {
		d.Y[i] -= 0.5 * d.X[2*i+1]
		sum[g] += d.Y[i]
		cnt[g]++
	}
	for i, g := range d.G {
		d.Y[i] += 3 - sum[g]/cnt[g] + 0.5*d.X[2*i+1]
	}
	est, err := Estimate(lmm.NewStats(d), nil, Settings{})
	if err != nil {
		t.Fatal(err)
	}
	if !est.ML.AtBoundary[0] || !est.ML.Converged || len(est.Warnings) == 0 {
		t.Errorf("at boundary %v, converged %v, warnings %q, θ %v", est.ML.AtBoundary, est.ML.Converged, est.Warnings, est.ML.Theta)
	}
}

// TestLaplaceMatchesPosterior checks the Laplace approximation on a case
// with many groups (M = 200), where the posterior is close to normal
// (Bernstein–von Mises): importance sampling the exact collapsed posterior
// with 4000 Laplace draws gives a Pareto k̂ below 0.5 (finite weight
// variance; Vehtari et al. 2024, §3.2) and a relative ESS above 0.5, and
// the importance-sampling posterior means and SDs agree with the Laplace
// ones: means within 0.1 posterior SD plus 4 Monte Carlo SEs (the
// mode-to-mean offset of a near-normal posterior is O(1/√M) SDs), SDs
// within 4 Monte Carlo SEs. Both random-effect SDs are well identified
// here; with a small σ_b (0.3 against σ = 1, groups of ~10 rows) the
// posterior of log σ_b is skewed and k̂ reaches 0.7.
func TestLaplaceMatchesPosterior(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 1))
	truth := lmm.Params{Beta: []float64{1, -0.5}, SigmaB: []float64{1, 0.7}, Sigma: 1}
	d := simulate(rng, 2, 2, 200, 16, truth)
	prior := unitPrior(2, 2)
	s := lmm.NewStats(d)
	est, err := Estimate(s, &prior, Settings{})
	if err != nil || est.Laplace == nil {
		t.Fatal(err, est.Warnings)
	}
	const n = 4000
	lp := est.Laplace
	target := lmm.NewCollapsedStats(s, prior)
	dim := lp.Dim()
	draws := make([]float64, n*dim)
	lr := make([]float64, n)
	for i := range n {
		th := lp.Sample(rng, draws[i*dim:(i+1)*dim])
		lr[i] = target.LogDensity(th) - lp.LogDensity(th)
	}
	lw, res := psis.Smooth(lr)
	if res.K > 0.5 || res.ESS < 0.5*n {
		t.Errorf("k̂ = %.3f, ESS = %.0f of %d", res.K, res.ESS, n)
	}
	w := psis.Normalize(lw, lw)
	for k := range dim {
		mean := 0.0
		for i, wi := range w {
			mean += wi * draws[i*dim+k]
		}
		se2 := 0.0
		for i, wi := range w {
			e := draws[i*dim+k] - mean
			se2 += wi * wi * e * e
		}
		sd := math.Sqrt(lp.Cov[k*dim+k])
		v := 0.0
		for i, wi := range w {
			e := draws[i*dim+k] - mean
			v += wi * e * e
		}
		t.Logf("θ[%d]: IS mean %.4f sd %.4f; Laplace %.4f sd %.4f", k, mean, math.Sqrt(v), lp.Mean[k], sd)
		// The SD of ESS near-normal draws has Monte Carlo SE sd/√(2·ESS).
		if math.Abs(math.Sqrt(v)-sd) > 4*sd/math.Sqrt(2*res.ESS) {
			t.Errorf("θ[%d]: IS posterior sd %.4f, Laplace sd %.4f", k, math.Sqrt(v), sd)
		}
		if diff := math.Abs(mean - lp.Mean[k]); diff > 0.1*sd+4*math.Sqrt(se2) {
			t.Errorf("θ[%d]: IS mean %.4f, Laplace %.4f (sd %.4f, MCSE %.4f)", k, mean, lp.Mean[k], sd, math.Sqrt(se2))
		}
	}
	t.Logf("k̂ %.3f, ESS %.0f/%d", res.K, res.ESS, n)
}

// TestLaplaceSampler checks that Laplace draws have the stated mean and
// variances within 4 Monte Carlo SEs (sd/√n for the mean, sd²√(2/n) for a
// variance of normal draws) and that LogDensity at the mean is
// −D/2 log 2π − ½ log det Σ.
func TestLaplaceSampler(t *testing.T) {
	mean := []float64{1, -2, 0.5}
	cov := []float64{
		2, 0.3, -0.4,
		0.3, 1, 0.2,
		-0.4, 0.2, 0.5,
	}
	lp, err := NewLaplace(mean, cov)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(9, 1))
	const n = 20000
	sum := make([]float64, 3)
	sum2 := make([]float64, 3)
	x := make([]float64, 3)
	for range n {
		lp.Sample(rng, x)
		for k, v := range x {
			sum[k] += v
			sum2[k] += (v - mean[k]) * (v - mean[k])
		}
	}
	for k := range 3 {
		v := cov[k*3+k]
		if m := sum[k] / n; math.Abs(m-mean[k]) > 4*math.Sqrt(v/n) {
			t.Errorf("mean[%d] = %.4f, want %.4f", k, m, mean[k])
		}
		if s2 := sum2[k] / n; math.Abs(s2-v) > 4*v*math.Sqrt(2.0/n) {
			t.Errorf("var[%d] = %.4f, want %.4f", k, s2, v)
		}
	}
	// det Σ by cofactor expansion.
	det := cov[0]*(cov[4]*cov[8]-cov[5]*cov[7]) - cov[1]*(cov[3]*cov[8]-cov[5]*cov[6]) + cov[2]*(cov[3]*cov[7]-cov[4]*cov[6])
	want := -1.5*math.Log(2*math.Pi) - 0.5*math.Log(det)
	if got := lp.LogDensity(mean); math.Abs(got-want) > 1e-13 {
		t.Errorf("log density at mean %.15g, want %.15g", got, want)
	}
	if a := testing.AllocsPerRun(10, func() { lp.Sample(rng, x); lp.LogDensity(x) }); a != 0 {
		t.Errorf("Sample/LogDensity allocate %v times", a)
	}
}

// TestMAPMatchesBFGS checks the Newton MAP against an independent
// optimizer, gonum's BFGS on −log p(θ, y) from the prior mean, on
// sleepstudy with sleepstudyPrior: the modes agree within 1e-4 standard
// errors (the BFGS gradient threshold 1e-9 and the Newton decrement 1e-10
// each place their optimum within ~1e-5 SE).
func TestMAPMatchesBFGS(t *testing.T) {
	d := loadSleepstudy(t)
	s := lmm.NewStats(d)
	prior := sleepstudyPrior()
	est, err := Estimate(s, &prior, Settings{})
	if err != nil {
		t.Fatal(err)
	}
	c := lmm.NewCollapsedStats(s, prior)
	grad := make([]float64, c.Dim())
	prob := optimize.Problem{
		Func: func(x []float64) float64 { return -c.LogDensity(x) },
		Grad: func(g, x []float64) {
			c.LogDensityGrad(x, grad)
			for i, v := range grad {
				g[i] = -v
			}
		},
	}
	x0 := []float64{300, 0, math.Log(20), math.Log(5), math.Log(30)}
	res, err := optimize.Minimize(prob, x0, &optimize.Settings{GradientThreshold: 1e-9}, &optimize.BFGS{})
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range res.X {
		if d := math.Abs(v - est.MAP.Theta[k]); d > 1e-4*est.MAP.SE[k] {
			t.Errorf("θ[%d]: Newton %.10g, BFGS %.10g (SE %.3g)", k, est.MAP.Theta[k], v, est.MAP.SE[k])
		}
	}
	t.Logf("MAP %v in %d Newton iterations; BFGS %d evaluations", est.MAP.Theta, est.MAP.Iterations, res.Stats.FuncEvaluations)
}
