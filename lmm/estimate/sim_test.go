package estimate

import (
	"math"
	"slices"
	"testing"

	"github.com/metabeta-go/metabeta/lmm"
	"github.com/metabeta-go/metabeta/sim"
)

// TestSimulatedDatasets runs Estimate on datasets of the default simulator
// (varied P, Q, group sizes and predictor families) and checks that it
// never fails, that the ML, REML and MAP fits converge with a vanishing
// gradient (except at the σ_b bound), and that estimating on the standardized
// design and mapping back gives the same ML fit (ML is equivariant under
// the affine change of units).
func TestSimulatedDatasets(t *testing.T) {
	n := 200
	if testing.Short() {
		n = 10
	}
	smr, err := sim.New(sim.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	var interpolating, boundary, noLaplace int
	defer func() {
		t.Logf("%d datasets: %d interpolating (N ≤ LSDV rank), %d with an ML σ_b at the bound, %d without a Laplace approximation", n, interpolating, boundary, noLaplace)
	}()
	for i := range n {
		smp, err := smr.Sample(12, i)
		if err != nil {
			t.Fatal(err)
		}
		d := smp.Design
		s := lmm.NewStats(d)
		est, err := Estimate(s, &smp.Prior, Settings{})
		if err != nil {
			t.Errorf("dataset %d (N=%d M=%d P=%d Q=%d): %v", i, d.N(), d.M(), d.P(), d.Q(), err)
			continue
		}
		p := d.P()
		if est.Within.DF <= 0 {
			interpolating++
		}
		if slices.Contains(est.ML.AtBoundary, true) {
			boundary++
		}
		if est.Laplace == nil {
			noLaplace++
		}
		for _, f := range []struct {
			name string
			fit  *Fit
		}{{"ML", &est.ML}, {"REML", &est.REML}, {"MAP", est.MAP}} {
			if est.Within.DF <= 0 {
				// The within-group fit interpolates the data (N ≤ rank), so
				// the likelihood, and the posterior density in θ, may grow
				// without bound as σ → 0: no optimum need exist, and the
				// warnings must say so.
				if len(est.Warnings) == 0 {
					t.Errorf("dataset %d: interpolating design without warnings", i)
				}
				continue
			}
			if !f.fit.Converged {
				t.Errorf("dataset %d: %s did not converge: %q", i, f.name, est.Warnings)
			}
			for k, g := range f.fit.Grad {
				if f.name != "MAP" && k >= p && k < p+d.Q() && f.fit.AtBoundary[k-p] {
					continue
				}
				// Scale-free: the gradient times the standard error is the
				// distance to the optimum in standard errors, to first order.
				if math.Abs(g*f.fit.SE[k]) > 1e-4 {
					t.Errorf("dataset %d (N=%d M=%d P=%d Q=%d): %s gradient[%d] = %.3g, θ %.4g, SE %.3g", i, d.N(), d.M(), d.P(), d.Q(), f.name, k, g, f.fit.Theta, f.fit.SE)
				}
			}
		}
		if est.Within.DF <= 0 {
			continue
		}
		// The ML fit is of the uncorrelated model (NewEstimator), also for
		// a correlated design: map it with that model's scaling.
		plain := *d
		plain.Correlated = false
		sd, sc := Standardize(&plain)
		es, err := Estimate(lmm.NewStats(sd), nil, Settings{})
		if err != nil {
			t.Fatal(err)
		}
		back := sc.UnTheta(make([]float64, len(es.ML.Theta)), es.ML.Theta)
		for k, v := range back {
			if k >= p && k < p+d.Q() && est.ML.AtBoundary[k-p] {
				continue
			}
			// Both optimizations stop at a Newton decrement below 1e-10,
			// i.e. within ~1e-5 standard errors of the optimum.
			if tol := 1e-4 * est.ML.SE[k]; math.Abs(v-est.ML.Theta[k]) > tol {
				t.Errorf("dataset %d: ML θ[%d] %.10g, via standardized design %.10g (SE %.3g)", i, k, est.ML.Theta[k], v, est.ML.SE[k])
			}
		}
	}
}
