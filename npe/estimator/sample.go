package estimator

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/metabeta-go/metabeta/lmm"
	"github.com/metabeta-go/metabeta/npe/nn"
)

// Posterior holds draws of the NPE posterior for one dataset.
type Posterior struct {
	// N is the number of draws, Dim = P+Q+1 the number of global
	// parameters and Effects = M·Q the number of random effects per draw.
	N, Dim, Effects int
	// Names are the global parameters' names (lmm.Design.Names).
	Names []string
	// Draws are the global parameters on the natural scale, N×Dim
	// row-major in the θ layout order: original-scale β (P), σ_b (Q), σ.
	Draws []float64
	// Theta are the same draws in the collapsed unconstrained coordinates
	// of lmm, θ = [βc, log σ_b, log σ] (original units), N×Dim.
	Theta []float64
	// LogQ is log q(θ) of each draw, the density of the collapsed θ above,
	// for importance sampling against lmm.Collapsed.LogDensity.
	LogQ []float64
	// RandomEffects are exact draws of b ~ p(b | θ, y) for each global
	// draw, N×Effects, group-major as lmm.Design.RandomNames.
	RandomEffects []float64
	// Mode is the Laplace mode of the collapsed θ (original units) that
	// the flow is centred on, and ModeSD its Laplace standard deviations
	// in standardized units.
	Mode, ModeSD []float64
	// Warnings list reasons the dataset is outside the trained range
	// (CheckRange).
	Warnings []string
}

// Sample draws n global parameter vectors from the estimator's posterior
// for design d under prior pr, each completed by an exact draw of the
// random effects from their Gaussian conditional. It returns an error
// when the dataset cannot be embedded (P > MaxP, Q > MaxQ, invalid prior)
// or a draw is not finite.
func (m *Model) Sample(d *lmm.Design, pr lmm.Prior, n int, rng *rand.Rand) (*Posterior, error) {
	if n <= 0 {
		panic("estimator: Sample needs n > 0")
	}
	prep, err := prepare(d, pr)
	if err != nil {
		return nil, err
	}
	ctx := m.contextOf([]*prepared{prep})
	return m.drawFrom(prep, ctx, d, pr, n, rng)
}

// SampleBatch is Sample over many datasets: their inputs are prepared in
// parallel and embedded in batched passes over datasets of similar numbers
// of groups, then each dataset's n draws are taken from rng in the order of
// those passes (which depends only on the datasets, so results are
// reproducible for a seed). A dataset that fails yields a nil posterior
// and an entry in errs at its index; errs is nil when all succeed.
func (m *Model) SampleBatch(ds []*lmm.Design, priors []lmm.Prior, n int, rng *rand.Rand) (post []*Posterior, errs []error) {
	if len(ds) != len(priors) {
		panic("estimator: SampleBatch: designs and priors differ in length")
	}
	if n <= 0 {
		panic("estimator: SampleBatch needs n > 0")
	}
	preps := make([]*prepared, len(ds))
	perrs := make([]error, len(ds))
	nn.ParallelFor(len(ds), func(i int) { preps[i], perrs[i] = prepare(ds[i], priors[i]) })
	post = make([]*Posterior, len(ds))
	var ok []*prepared
	var idx []int
	for i, p := range preps {
		if perrs[i] == nil {
			ok = append(ok, p)
			idx = append(idx, i)
		}
	}
	fail := func(i int, err error) {
		if errs == nil {
			errs = make([]error, len(ds))
		}
		errs[i] = err
	}
	for i, err := range perrs {
		if err != nil {
			fail(i, err)
		}
	}
	c := m.Config.Context
	for _, run := range m.bySetSize(ok) { // nothing below calls bySetSize again
		sub := make([]*prepared, len(run))
		for j, k := range run {
			sub[j] = ok[k]
		}
		ctxs := append([]float64(nil), m.contextOf(sub)...)
		for j, k := range run {
			i := idx[k]
			p, err := m.drawFrom(ok[k], ctxs[j*c:(j+1)*c], ds[i], priors[i], n, rng)
			if err != nil {
				fail(i, err)
				continue
			}
			post[i] = p
		}
	}
	return post, errs
}

// drawFrom samples n draws for one prepared dataset with flow context ctx
// (one row).
func (m *Model) drawFrom(prep *prepared, ctx []float64, d *lmm.Design, pr lmm.Prior, n int, rng *rand.Rand) (*Posterior, error) {
	c := m.Config.Context
	ctxRep := make([]float64, n*c)
	for r := 0; r < n; r++ {
		copy(ctxRep[r*c:], ctx[:c])
	}
	m.fillDimMask([]*prepared{prep}, n)
	u := make([]float64, n*FlowDim)
	logq := make([]float64, n)
	m.flow.Sample(rng, u, ctxRep, m.dimMask, logq, n)

	dim, q, p := prep.p+prep.q+1, prep.q, prep.p
	post := &Posterior{N: n, Dim: dim, Effects: prep.m * q, Names: d.Names(),
		Draws: make([]float64, n*dim), Theta: make([]float64, n*dim), LogQ: logq,
		RandomEffects: make([]float64, n*prep.m*q), ModeSD: prep.scale,
		Warnings: CheckRange(d, pr)}
	post.Mode = prep.std.ToOriginal(make([]float64, dim), prep.centre)
	coll := lmm.NewCollapsed(d, pr)
	centred := coll.Stats().Centred
	for r := 0; r < n; r++ {
		th := post.Theta[r*dim : (r+1)*dim]
		prep.toTheta(u[r*FlowDim:(r+1)*FlowDim], th)
		logq[r] += prep.logDetToTheta
		nat := post.Draws[r*dim : (r+1)*dim]
		centred.ToOriginal(nat[:p], th[:p])
		for k := p; k < dim; k++ {
			nat[k] = math.Exp(th[k])
		}
		if !isFinite(logq[r]) || !coll.SampleRandomEffects(rng, th, post.RandomEffects[r*prep.m*q:(r+1)*prep.m*q]) {
			return nil, fmt.Errorf("estimator: draw %d is not finite", r)
		}
	}
	return post, nil
}
