package hmc

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"
)

// checkMoments checks the mean and variance of coordinate j against the
// truth within 4 Monte Carlo standard errors: ESS-based MCSE of x for the
// mean and of (x − μ)² for the variance (both chains' split-ESS, Vehtari et
// al. 2021).
func checkMoments(t *testing.T, res *Result, j int, mean, variance float64) {
	t.Helper()
	x := res.Param(j)
	checkWithinMCSE(t, "mean", sampleMean(pooled(x)), mean, mcseMean(x))
	sq := mapChains(x, func(v float64) float64 { return (v - mean) * (v - mean) })
	checkWithinMCSE(t, "variance", sampleMean(pooled(sq)), variance, mcseMean(sq))
}

// 100 iid N(μ_i, σ_i²) coordinates with scales spanning 0.1…10: the adapted
// diagonal metric must absorb the scales; every mean and variance within
// 4 MCSE of the closed form.
func TestRunIIDNormal100(t *testing.T) {
	const dim = 100
	g := &diagGaussian{mean: make([]float64, dim), sd: make([]float64, dim)}
	for i := range dim {
		g.mean[i] = float64(i%7) - 3
		g.sd[i] = math.Pow(10, -1+2*float64(i)/(dim-1))
	}
	res, err := Run(context.Background(), func() Target { return g }, Config{}, 11)
	if err != nil {
		t.Fatal(err)
	}
	for j := range dim {
		checkMoments(t, res, j, g.mean[j], g.sd[j]*g.sd[j])
	}
	if res.Divergences() != 0 || len(res.Warnings) != 0 {
		t.Errorf("warnings on an iid normal: %v", res.Warnings)
	}
	// Adapted inverse metric ≈ σ²·n/(n+5) from the last (500-draw) window.
	// Each ratio to σ² has relative sd ≈ √(2/ESS) ≲ 0.1, so the mean ratio
	// over 100 independent coordinates has sd ≲ 0.01: a ±0.05 band is > 4
	// sd. Single ratios only get a gross-error band [0.5, 2].
	for c := range res.Chains {
		var sum float64
		for j := range dim {
			r := res.InvMetric[c][j] / (g.sd[j] * g.sd[j])
			sum += r
			if r < 0.5 || r > 2 {
				t.Errorf("chain %d: inverse metric[%d]/σ² = %.3f", c, j, r)
			}
		}
		if m := sum / dim; math.Abs(m-1) > 0.05 {
			t.Errorf("chain %d: mean inverse metric/σ² = %.3f, want 1 ± 0.05", c, m)
		}
	}
}

// Correlated 2-D Gaussian, ρ = 0.9, σ = (1, 10): means, variances and the
// covariance (MCSE of the product) within 4 MCSE, for both metrics.
func TestRunCorrelated2D(t *testing.T) {
	g, cov := correlated2D(1, -2, 1, 10, 0.9)
	for _, kind := range []MetricKind{DiagMetricKind, DenseMetricKind} {
		t.Run(kind.String(), func(t *testing.T) {
			res, err := Run(context.Background(), func() Target { return g }, Config{Metric: kind}, 5)
			if err != nil {
				t.Fatal(err)
			}
			checkMoments(t, res, 0, 1, cov[0])
			checkMoments(t, res, 1, -2, cov[3])
			prod := make([][]float64, res.Chains)
			for c := range prod {
				prod[c] = make([]float64, res.NumDraws)
				for i := range prod[c] {
					x := res.Draw(c, i)
					prod[c][i] = (x[0] - 1) * (x[1] + 2)
				}
			}
			checkWithinMCSE(t, "covariance", sampleMean(pooled(prod)), cov[1], mcseMean(prod))
			if kind == DenseMetricKind && len(res.InvMetric[0]) != 4 {
				t.Errorf("dense inverse metric has %d entries", len(res.InvMetric[0]))
			}
		})
	}
}

// Results depend on the seed only: GOMAXPROCS 1 and 2 give identical
// draws and infos.
func TestRunDeterministicAcrossGOMAXPROCS(t *testing.T) {
	g, _ := correlated2D(0, 0, 1, 3, 0.5)
	cfg := Config{Chains: 3, Warmup: 150, Draws: 100}
	old := runtime.GOMAXPROCS(1)
	defer runtime.GOMAXPROCS(old)
	a, err := Run(context.Background(), func() Target { return g }, cfg, 42)
	if err != nil {
		t.Fatal(err)
	}
	runtime.GOMAXPROCS(2)
	b, err := Run(context.Background(), func() Target { return g }, cfg, 42)
	if err != nil {
		t.Fatal(err)
	}
	for c := range cfg.Chains {
		for i, x := range a.Draws[c] {
			if b.Draws[c][i] != x {
				t.Fatalf("chain %d value %d differs: %v vs %v", c, i, x, b.Draws[c][i])
			}
		}
		for i := range a.Info[c] {
			if a.Info[c][i] != b.Info[c][i] {
				t.Fatalf("chain %d info %d differs", c, i)
			}
		}
		if a.StepSize[c] != b.StepSize[c] {
			t.Errorf("chain %d step size differs", c)
		}
	}
	c, err := Run(context.Background(), func() Target { return g }, cfg, 43)
	if err != nil {
		t.Fatal(err)
	}
	if c.Draws[0][0] == a.Draws[0][0] {
		t.Error("different seeds gave the same first draw")
	}
}

// Neal's funnel defeats a Euclidean metric: divergences must be detected
// and reported, with a warning on the result.
func TestRunFunnelDivergences(t *testing.T) {
	res, err := Run(context.Background(), func() Target { return funnel{10} }, Config{Chains: 2, Warmup: 300, Draws: 300}, 3)
	if err != nil {
		t.Fatal(err)
	}
	if res.Divergences() == 0 {
		t.Fatal("no divergences on Neal's funnel")
	}
	if !hasWarning(res, "divergence") {
		t.Errorf("warnings %q lack the divergence count", res.Warnings)
	}
}

// MaxDepth 2 on a highly correlated target saturates the tree depth.
func TestRunTreeDepthWarning(t *testing.T) {
	g, _ := correlated2D(0, 0, 1, 1, 0.999)
	res, err := Run(context.Background(), func() Target { return g }, Config{Chains: 1, Warmup: 200, Draws: 200, MaxDepth: 2}, 3)
	if err != nil {
		t.Fatal(err)
	}
	if res.TreeDepthHits() == 0 || !hasWarning(res, "maximum tree depth") {
		t.Errorf("%d depth hits, warnings %q", res.TreeDepthHits(), res.Warnings)
	}
}

func hasWarning(res *Result, sub string) bool {
	for _, w := range res.Warnings {
		if strings.Contains(w, sub) {
			return true
		}
	}
	return false
}

// E-BFMI closed forms: alternating energies ±1 give Σ(ΔE)² = 4(n−1) over
// Σ(E − Ē)² = n; a linear ramp 1…n gives (n−1)/(n(n²−1)/12), 9/82.5 for
// n = 10, below the 0.3 threshold.

func TestRunConfigErrors(t *testing.T) {
	g := stdNormal(2)
	for _, tc := range []struct {
		cfg   Config
		field string
	}{
		{Config{Chains: -1}, "Chains"},
		{Config{Warmup: -5}, "Warmup"},
		{Config{Draws: -1}, "Draws"},
		{Config{MaxDepth: -1}, "MaxDepth"},
		{Config{MaxDepth: 31}, "MaxDepth"},
		{Config{TargetAccept: 1}, "TargetAccept"},
		{Config{TargetAccept: math.NaN()}, "TargetAccept"},
		{Config{Metric: 7}, "Metric"},
		{Config{InitRadius: -2}, "InitRadius"},
		{Config{StepSize: math.Inf(1)}, "StepSize"},
		{Config{ExtraDim: 2}, "OnDraw"},
		{Config{Chains: 2, Init: [][]float64{{0, 0}}}, "Init"},
		{Config{Chains: 1, Init: [][]float64{{0}}}, "Init[0]"},
	} {
		_, err := Run(context.Background(), func() Target { return g }, tc.cfg, 1)
		if err == nil || !strings.Contains(err.Error(), "Config."+tc.field) {
			t.Errorf("%+v: err = %v, want one naming Config.%s", tc.cfg, err, tc.field)
		}
	}
}

// nowhere is a target with no support.
type nowhere struct{}

func (nowhere) Dim() int                                 { return 1 }
func (nowhere) LogDensityGrad(x, grad []float64) float64 { return math.Inf(-1) }

func TestRunInitErrors(t *testing.T) {
	_, err := Run(context.Background(), func() Target { return nowhere{} }, Config{Chains: 1}, 1)
	if !errors.Is(err, ErrNoValidInit) || !strings.Contains(err.Error(), "100") {
		t.Errorf("no support: err = %v, want ErrNoValidInit after 100 attempts", err)
	}
	_, err = Run(context.Background(), func() Target { return funnel{2} }, Config{Chains: 1, Init: [][]float64{{math.NaN(), 0}}}, 1)
	if !errors.Is(err, ErrNoValidInit) || !strings.Contains(err.Error(), "Config.Init[0]") {
		t.Errorf("NaN init: err = %v", err)
	}
}

// User inits are used as given: with Warmup 1 and a far-away init the
// first draws stay near it.
func TestRunUserInit(t *testing.T) {
	g := stdNormal(1)
	res, err := Run(context.Background(), func() Target { return g }, Config{Chains: 2, Warmup: 1, Draws: 1, Init: [][]float64{{50}, {-50}}}, 1)
	if err != nil {
		t.Fatal(err)
	}
	if res.Draws[0][0] < 20 || res.Draws[1][0] > -20 {
		t.Errorf("first draws %v, %v not near the inits ±50", res.Draws[0][0], res.Draws[1][0])
	}
}

// OnDraw fills per-draw extras from its own stream, deterministically, and
// leaves the sampler's draws unchanged.
func TestRunOnDraw(t *testing.T) {
	g := stdNormal(2)
	cfg := Config{Chains: 2, Warmup: 100, Draws: 50}
	plain, err := Run(context.Background(), func() Target { return g }, cfg, 7)
	if err != nil {
		t.Fatal(err)
	}
	cfg.ExtraDim = 3
	cfg.OnDraw = func(chain int, rng *rand.Rand, x, extra []float64) error {
		extra[0] = x[0] + x[1]
		extra[1] = float64(chain)
		extra[2] = rng.NormFloat64()
		return nil
	}
	var progress [2]int
	cfg.Progress = func(chain, iter int) { progress[chain]++ }
	withExtra, err := Run(context.Background(), func() Target { return g }, cfg, 7)
	if err != nil {
		t.Fatal(err)
	}
	for c := range 2 {
		if progress[c] != 150 {
			t.Errorf("chain %d: %d progress calls, want 150", c, progress[c])
		}
		for i := range 50 {
			x, e := withExtra.Draw(c, i), withExtra.Extra[c][3*i:3*i+3]
			if x[0] != plain.Draw(c, i)[0] || e[0] != x[0]+x[1] || e[1] != float64(c) {
				t.Fatalf("chain %d draw %d: x %v extra %v", c, i, x, e)
			}
		}
	}
	cfg.OnDraw = func(int, *rand.Rand, []float64, []float64) error { return errors.New("boom") }
	if _, err := Run(context.Background(), func() Target { return g }, cfg, 7); err == nil || !strings.Contains(err.Error(), "boom") {
		t.Errorf("OnDraw error not returned: %v", err)
	}
}

func TestRunCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Run(ctx, func() Target { return stdNormal(2) }, Config{}, 1)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}
