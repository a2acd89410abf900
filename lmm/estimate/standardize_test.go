package estimate

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/metabeta-go/metabeta/lmm"
)

// standardizeCases are random designs of several shapes, with and without
// an intercept, on a scale far from 1 (y around 300, SD ~ 40).
func standardizeCases(rng *rand.Rand) []*lmm.Design {
	var ds []*lmm.Design
	for _, c := range []struct{ p, q int }{{1, 1}, {2, 2}, {3, 1}, {4, 2}, {3, 0}} {
		truth := lmm.Params{Beta: []float64{300, 12, -7, 3}[:c.p], SigmaB: []float64{20, 4}[:c.q], Sigma: 25}
		d := simulate(rng, c.p, c.q, 10, 8, truth)
		for i := range d.X { // spread the predictors to scales ~5
			if i%c.p != 0 {
				d.X[i] *= 5
			}
		}
		ds = append(ds, d)
		if c.p >= c.q+1 && c.p >= 2 { // the same without an intercept: random terms on x1..
			e := *d
			e.Intercept = false
			e.Fixed = append([]string{"x0"}, d.Fixed[1:]...)
			e.Random = nil
			e.RandomCol = nil
			for k := 0; k < c.q; k++ {
				e.Random = append(e.Random, e.Fixed[k+1])
				e.RandomCol = append(e.RandomCol, k+1)
			}
			ds = append(ds, &e)
		}
	}
	return ds
}

// TestStandardizeDensity checks that the collapsed log posterior on the
// standardized design, with the mapped prior, at the mapped θ equals the
// original one up to a constant: differences between two θ agree to 1e-10,
// and the constant is LogJacobian() − N log s_y (change of variables in θ
// and y).
func TestStandardizeDensity(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 1))
	for i, d := range standardizeCases(rng) {
		sd, sc := Standardize(d)
		pr := lmm.Prior{SigmaScale: 30}
		for k := 0; k < d.P(); k++ {
			pr.BetaMean = append(pr.BetaMean, 10*rng.NormFloat64())
			pr.BetaSD = append(pr.BetaSD, 5+20*rng.Float64())
		}
		for k := 0; k < d.Q(); k++ {
			pr.SDScale = append(pr.SDScale, 5+20*rng.Float64())
		}
		orig := lmm.NewCollapsed(d, pr)
		std := lmm.NewCollapsed(sd, sc.Prior(pr))
		dim := orig.Dim()
		var ref float64
		for j := 0; j < 3; j++ {
			th := make([]float64, dim)
			for k := range th {
				th[k] = rng.NormFloat64()
			}
			th[0] += 300
			for k := d.P(); k < dim; k++ {
				th[k] += 2.5
			}
			lo := orig.LogDensity(th)
			ls := std.LogDensity(sc.Theta(make([]float64, dim), th))
			diff := lo - ls
			want := sc.LogJacobian() - float64(d.N())*math.Log(sc.YScale)
			if math.Abs(diff-want) > 1e-10*math.Abs(lo) {
				t.Errorf("case %d: log p − log p′ = %.12g, want %.12g", i, diff, want)
			}
			if j == 0 {
				ref = diff
			} else if math.Abs(diff-ref) > 1e-10 {
				t.Errorf("case %d: offset varies by %.3g between θ", i, diff-ref)
			}
		}
	}
}

// TestStandardizeRoundTrips checks that θ, draws, Params and priors map
// back exactly (1e-12 relative), that Params and θ maps commute with
// Stats.Params, and that the standardized y has mean 0 (with an
// intercept) and SD 1.
func TestStandardizeRoundTrips(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 1))
	for i, d := range standardizeCases(rng) {
		sd, sc := Standardize(d)
		dim := d.Dim()
		th := make([]float64, dim)
		for k := range th {
			th[k] = 3 * rng.NormFloat64()
		}
		back := sc.UnTheta(make([]float64, dim), sc.Theta(make([]float64, dim), th))
		for k := range th {
			if !closeRel(back[k], th[k], 1e-12) && math.Abs(back[k]-th[k]) > 1e-12 {
				t.Errorf("case %d: θ round trip [%d] %v → %v", i, k, th[k], back[k])
			}
		}
		draws := append(append([]float64(nil), th...), th...)
		sc.Draws(draws)
		sc.UnDraws(draws)
		for k, v := range draws {
			if math.Abs(v-th[k%dim]) > 1e-12*math.Max(1, math.Abs(v)) {
				t.Errorf("case %d: draws round trip [%d] %.17g → %.17g", i, k, th[k%dim], v)
			}
		}
		so, ss := lmm.NewStats(d), lmm.NewStats(sd)
		pr := so.Params(th)
		viaTheta := ss.Params(sc.Theta(make([]float64, dim), th))
		viaParams := sc.Params(pr)
		for k := range pr.Beta {
			if !closeRel(viaTheta.Beta[k], viaParams.Beta[k], 1e-11) && math.Abs(viaTheta.Beta[k]-viaParams.Beta[k]) > 1e-11 {
				t.Errorf("case %d: β′[%d] via θ %v, via Params %v", i, k, viaTheta.Beta[k], viaParams.Beta[k])
			}
		}
		for k := range pr.SigmaB {
			if !closeRel(viaTheta.SigmaB[k], viaParams.SigmaB[k], 1e-12) {
				t.Errorf("case %d: σ_b′[%d] via θ %v, via Params %v", i, k, viaTheta.SigmaB[k], viaParams.SigmaB[k])
			}
		}
		up := sc.UnParams(viaParams)
		for k := range pr.Beta {
			if math.Abs(up.Beta[k]-pr.Beta[k]) > 1e-12*math.Max(1, math.Abs(pr.Beta[k])) {
				t.Errorf("case %d: Params round trip β[%d] %v → %v", i, k, pr.Beta[k], up.Beta[k])
			}
		}
		prior := lmm.Prior{BetaMean: make([]float64, d.P()), BetaSD: make([]float64, d.P()), SDScale: make([]float64, d.Q()), SigmaScale: 7}
		for k := range prior.BetaMean {
			prior.BetaMean[k], prior.BetaSD[k] = rng.NormFloat64()*100, 1+rng.Float64()
		}
		for k := range prior.SDScale {
			prior.SDScale[k] = 1 + rng.Float64()
		}
		pb := sc.UnPrior(sc.Prior(prior))
		for k := range prior.BetaMean {
			if math.Abs(pb.BetaMean[k]-prior.BetaMean[k]) > 1e-12*math.Abs(prior.BetaMean[k]) || !closeRel(pb.BetaSD[k], prior.BetaSD[k], 1e-12) {
				t.Errorf("case %d: prior round trip [%d]", i, k)
			}
		}
		m, s := meanSD(sd.Y, 0, 1)
		if (d.Intercept && math.Abs(m) > 1e-12) || math.Abs(s-1) > 1e-12 {
			t.Errorf("case %d: standardized y has mean %v, SD %v", i, m, s)
		}
	}
}
