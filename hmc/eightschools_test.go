package hmc

import (
	"archive/zip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
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

// posteriordbDir returns /work/shared/posteriordb, found as
// ../shared/posteriordb next to the module root (the directory holding
// go.mod). The files are read in place, never copied into the project.
func posteriordbDir(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("module root not found")
		}
		dir = parent
	}
	p := filepath.Join(dir, "..", "shared", "posteriordb")
	if _, err := os.Stat(p); err != nil {
		t.Skipf("posteriordb not available: %v", err)
	}
	return p
}

// readZippedJSON decodes the single JSON file inside a zip archive.
func readZippedJSON(path string, v any) error {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return err
	}
	defer zr.Close()
	if len(zr.File) != 1 {
		return fmt.Errorf("%s: %d files, want 1", path, len(zr.File))
	}
	f, err := zr.File[0].Open()
	if err != nil {
		return err
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

func loadEightSchools(t *testing.T) (*eightSchools, []map[string][]float64) {
	dir := posteriordbDir(t)
	var data struct {
		J        int
		Y, Sigma []float64
	}
	if err := readZippedJSON(filepath.Join(dir, "eight_schools.json.zip"), &data); err != nil {
		t.Skipf("eight_schools data: %v", err)
	}
	var ref []map[string][]float64
	if err := readZippedJSON(filepath.Join(dir, "eight_schools-eight_schools_noncentered.json.zip"), &ref); err != nil {
		t.Skipf("eight_schools reference draws: %v", err)
	}
	return &eightSchools{y: data.Y, sigma: data.Sigma}, ref
}

// The hand-written gradient against central finite differences
// (h = 1e-6, tolerance 1e-5 relative as gonum's fd tests).
func TestEightSchoolsGradient(t *testing.T) {
	e := &eightSchools{y: []float64{28, 8, -3, 7, -1, 1, 18, 12}, sigma: []float64{15, 10, 16, 11, 9, 11, 10, 18}}
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

// Eight schools, non-centred, against posteriordb's reference draws
// (rstan 2.21.1, 10 chains × 1000 thinned draws, adapt_delta 0.95; see
// eight_schools-eight_schools_noncentered.info.json): means of μ, τ and
// θ_j = μ + τθ̃_j within 4·√(MCSE² + MCSE_ref²), standard deviations within
// 10%.
func TestEightSchoolsReference(t *testing.T) {
	if testing.Short() {
		t.Skip("reference comparison skipped in -short mode")
	}
	target, ref := loadEightSchools(t)
	res, err := Run(context.Background(), func() Target { return target }, Config{Draws: 2500}, 8)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("step sizes %v, %d divergences, warnings %q", res.StepSize, res.Divergences(), res.Warnings)

	mu := res.Param(0)
	tau := mapChains(res.Param(1), math.Exp)
	check := func(name string, ours [][]float64) {
		t.Helper()
		theirs := make([][]float64, len(ref))
		for c, chain := range ref {
			theirs[c] = chain[name]
			if len(theirs[c]) != 1000 {
				t.Fatalf("reference %s chain %d has %d draws", name, c, len(theirs[c]))
			}
		}
		mcse := math.Hypot(mcseMean(ours), mcseMean(theirs))
		checkWithinMCSE(t, name+" mean", sampleMean(pooled(ours)), sampleMean(pooled(theirs)), mcse)
		sdOurs, sdRef := sampleSD(pooled(ours)), sampleSD(pooled(theirs))
		t.Logf("%-9s mean %7.3f (ref %7.3f, 4·MCSE %.3f)  sd %6.3f (ref %6.3f)",
			name, sampleMean(pooled(ours)), sampleMean(pooled(theirs)), 4*mcse, sdOurs, sdRef)
		if math.Abs(sdOurs/sdRef-1) > 0.1 {
			t.Errorf("%s sd = %.4g, reference %.4g", name, sdOurs, sdRef)
		}
	}
	check("mu", mu)
	check("tau", tau)
	for j := range 8 {
		theta := make([][]float64, res.Chains)
		for c := range theta {
			theta[c] = make([]float64, res.NumDraws)
			for i := range theta[c] {
				x := res.Draw(c, i)
				theta[c][i] = x[0] + math.Exp(x[1])*x[2+j]
			}
		}
		check(fmt.Sprintf("theta[%d]", j+1), theta)
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
	target, _ := loadEightSchools(t)
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
