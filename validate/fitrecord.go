package validate

import (
	"math"
	"math/rand/v2"
	"slices"

	"github.com/metabeta-go/metabeta/calibration"
	"github.com/metabeta-go/metabeta/diagnostics"
	"github.com/metabeta-go/metabeta/fit"
	"github.com/metabeta-go/metabeta/lmm"
)

// newRecord turns a fit into a record: per parameter the posterior mean and
// SD and, where the truth is known, the SBC rank among l thinned draws and
// the PIT among all draws. Random effects of groups ≥ maxGroups are left
// out. truth may be nil (real data).
func newRecord(res *fit.Result, d *lmm.Design, prior lmm.Prior, truth []float64, l, maxGroups int, rng *rand.Rand) Record {
	rec := Record{
		Method: res.Method, Seconds: res.Timing.Wall, NObs: res.NObs, NGroups: res.NGroups,
		Divergences: res.Diagnostics.Divergences, Warnings: res.Warnings,
		ParetoK: res.Diagnostics.ParetoK, ISEfficiency: res.Diagnostics.ISEfficiency, ProposalDraws: res.Diagnostics.ProposalDraws,
	}
	maxRhat, minESS := worstConvergence(res.Parameters)
	rec.MaxRhat, rec.MinESS = fit.Num(maxRhat), fit.Num(minESS)
	draws := res.Draws
	nGlobal := d.Dim()
	q := d.Q()
	pooled := make([]float64, 0, len(draws.Chains)*draws.Iterations())
	thinned := make([]float64, l)
	for j, name := range draws.Names {
		if j >= nGlobal && (j-nGlobal)/max(q, 1) >= maxGroups {
			break
		}
		pooled = pooled[:0]
		for _, c := range draws.Column(j) {
			pooled = append(pooled, c...)
		}
		rec.Draws = len(pooled)
		mean, sd := calibration.MeanSD(pooled)
		p := ParamRecord{Name: name, Kind: kindOf(name), Mean: mean, SD: sd, Quantiles: quantiles(pooled)}
		if j < nGlobal {
			p.PriorSD = priorSD(prior, d, j)
		}
		if truth != nil {
			p.Truth = truth[j]
			p.PIT = pit(pooled, p.Truth)
			// Evenly spaced draws: the chains' autocorrelation is far below
			// len(pooled)/l draws at the ESS NUTS reaches here.
			for i := range thinned {
				thinned[i] = pooled[(2*i+1)*len(pooled)/(2*l)]
			}
			p.Rank, p.L = calibration.Rank(rng, thinned, p.Truth), l
		}
		rec.Params = append(rec.Params, p)
	}
	ppc := posteriorPredictive(d, draws, rng)
	rec.PPC = &ppc
	return rec
}

// pit returns the fraction of draws below t, ties counted half.
func pit(draws []float64, t float64) float64 {
	below, ties := 0, 0
	for _, v := range draws {
		switch {
		case v < t:
			below++
		case v == t:
			ties++
		}
	}
	return (float64(below) + 0.5*float64(ties)) / float64(len(draws))
}

// priorSD returns the prior standard deviation of global parameter j of d
// (the coefficient's normal SD; σ·√(1 − 2/π) for a half-normal with scale
// σ; LKJCorSD for a correlation). The intercept's prior is on the centred
// intercept; with standardized predictors, as the simulator draws, the two
// coincide closely.
func priorSD(pr lmm.Prior, d *lmm.Design, j int) float64 {
	p, q := d.P(), d.Q()
	hn := math.Sqrt(1 - 2/math.Pi)
	switch {
	case j < p:
		return pr.BetaSD[j]
	case j < p+q:
		return pr.SDScale[j-p] * hn
	case j == p+q:
		return pr.SigmaScale * hn
	default:
		return LKJCorSD(pr.LKJ, q)
	}
}

// LKJCorSD returns the prior standard deviation of one correlation of a
// q×q correlation matrix Ω ~ LKJ(η). Its marginal is (ρ + 1)/2 ~ Beta(a, a)
// with a = η − 1 + q/2 (Lewandowski, Kurowicka & Joe 2009, §3.2), whose
// variance is 1/(4(2a + 1)), so Var ρ = 1/(2a + 1) = 1/(2η + q − 1): 1/3 for
// the uniform correlation of LKJ(1) with q = 2.
func LKJCorSD(eta float64, q int) float64 {
	return 1 / math.Sqrt(2*eta+float64(q)-1)
}

// worstConvergence returns the largest R̂ and the smallest of bulk and tail
// ESS over the global parameters (NaN for methods without them).
func worstConvergence(ps []fit.Summary) (maxRhat, minESS float64) {
	maxRhat, minESS = math.NaN(), math.NaN()
	for i, s := range ps {
		r, e := float64(s.Rhat), math.Min(float64(s.ESSBulk), float64(s.ESSTail))
		if i == 0 || r > maxRhat || math.IsNaN(r) {
			maxRhat = r
		}
		if i == 0 || e < minESS || math.IsNaN(e) {
			minESS = e
		}
	}
	return maxRhat, minESS
}

// QuantileLevels are the levels of ParamRecord.Quantiles: 0.05, 0.10, …, 0.95.
var QuantileLevels = func() []float64 {
	q := make([]float64, 19)
	for i := range q {
		q[i] = 0.05 * float64(i+1)
	}
	return q
}()

// quantiles returns the draws' quantiles at QuantileLevels (R type 7).
func quantiles(draws []float64) []float64 {
	sorted := slices.Clone(draws)
	slices.Sort(sorted)
	out := make([]float64, len(QuantileLevels))
	for i, p := range QuantileLevels {
		out[i] = diagnostics.SortedQuantile(sorted, p)
	}
	return out
}
