package hmc

import (
	"github.com/metabeta-go/metabeta/diagnostics"

	"math"
	"sort"
	"testing"
)

// gaussian is a zero-or-μ-mean multivariate normal target with precision
// matrix Q (row-major): log π(x) = −½(x−μ)ᵀQ(x−μ).
type gaussian struct {
	dim  int
	mean []float64
	prec []float64
}

func (g *gaussian) Dim() int { return g.dim }

func (g *gaussian) LogDensityGrad(x, grad []float64) float64 {
	n := g.dim
	var lp float64
	for i := 0; i < n; i++ {
		var s float64
		for j := 0; j < n; j++ {
			s += g.prec[i*n+j] * (x[j] - g.mean[j])
		}
		grad[i] = -s
		lp -= 0.5 * (x[i] - g.mean[i]) * s
	}
	return lp
}

// diagGaussian is N(μ, diag(σ²)), cheaper than gaussian in high dimension.
type diagGaussian struct {
	mean, sd []float64
}

func (g *diagGaussian) Dim() int { return len(g.mean) }

func (g *diagGaussian) LogDensityGrad(x, grad []float64) float64 {
	var lp float64
	for i, m := range g.mean {
		z := (x[i] - m) / g.sd[i]
		grad[i] = -z / g.sd[i]
		lp -= 0.5 * z * z
	}
	return lp
}

func stdNormal(dim int) *diagGaussian {
	g := &diagGaussian{mean: make([]float64, dim), sd: make([]float64, dim)}
	for i := range g.sd {
		g.sd[i] = 1
	}
	return g
}

// correlated2D returns N(μ, Σ) with Σ = [[s1², ρs1s2], [ρs1s2, s2²]] and
// its covariance.
func correlated2D(mu1, mu2, s1, s2, rho float64) (*gaussian, []float64) {
	cov := []float64{s1 * s1, rho * s1 * s2, rho * s1 * s2, s2 * s2}
	det := cov[0]*cov[3] - cov[1]*cov[2]
	prec := []float64{cov[3] / det, -cov[1] / det, -cov[2] / det, cov[0] / det}
	return &gaussian{dim: 2, mean: []float64{mu1, mu2}, prec: prec}, cov
}

// flat is the improper constant density, for tree-building facts.
type flat struct{ dim int }

func (f flat) Dim() int { return f.dim }
func (f flat) LogDensityGrad(x, grad []float64) float64 {
	clear(grad)
	return 0
}

// funnel is Neal's funnel: v ~ N(0, 3²), x_i | v ~ N(0, e^v).
type funnel struct{ dim int }

func (f funnel) Dim() int { return f.dim }
func (f funnel) LogDensityGrad(x, grad []float64) float64 {
	v := x[0]
	lp := -v * v / 18
	grad[0] = -v / 9
	ev := math.Exp(-v)
	for i := 1; i < f.dim; i++ {
		lp += -0.5*x[i]*x[i]*ev - 0.5*v
		grad[i] = -x[i] * ev
		grad[0] += 0.5*x[i]*x[i]*ev - 0.5
	}
	return lp
}

// mcseMean is the Monte Carlo standard error of the mean, from package
// diagnostics (checked there against R's posterior).
func mcseMean(chains [][]float64) float64 { return diagnostics.MCSEMean(chains) }

func sampleMean(x []float64) float64 {
	var s float64
	for _, v := range x {
		s += v
	}
	return s / float64(len(x))
}

func sampleSD(x []float64) float64 {
	m := sampleMean(x)
	var s float64
	for _, v := range x {
		s += (v - m) * (v - m)
	}
	return math.Sqrt(s / float64(len(x)-1))
}

func pooled(chains [][]float64) []float64 {
	var all []float64
	for _, c := range chains {
		all = append(all, c...)
	}
	return all
}

func mapChains(chains [][]float64, f func(float64) float64) [][]float64 {
	out := make([][]float64, len(chains))
	for c, xs := range chains {
		out[c] = make([]float64, len(xs))
		for i, x := range xs {
			out[c][i] = f(x)
		}
	}
	return out
}

// checkWithinMCSE fails if |est − truth| ≥ 4·mcse.
func checkWithinMCSE(t *testing.T, name string, est, truth, mcse float64) {
	t.Helper()
	if !(math.Abs(est-truth) < 4*mcse) {
		t.Errorf("%s = %.5g, want %.5g ± 4·%.3g", name, est, truth, mcse)
	}
}

func median(x []float64) float64 {
	y := append([]float64(nil), x...)
	sort.Float64s(y)
	return y[len(y)/2]
}
