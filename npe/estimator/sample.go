package estimator

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"

	"github.com/metabeta-go/metabeta/lmm"
	"github.com/metabeta-go/metabeta/npe/flow"
	"github.com/metabeta-go/metabeta/npe/nn"
)

// Posterior holds draws of the NPE posterior for one dataset.
type Posterior struct {
	// N is the number of draws, Dim = P+Q+1+NCor the number of global
	// parameters (lmm.Design.Dim) and Effects = M·Q the number of random
	// effects per draw.
	N, Dim, Effects int
	// Names are the global parameters' names (lmm.Design.Names).
	Names []string
	// Draws are the global parameters on the natural scale, N×Dim
	// row-major in the θ layout order: original-scale β (P), σ_b (Q), σ,
	// then the correlations Ω_ij (NCor, lmm.Design.Names's order).
	Draws []float64
	// Theta are the same draws in the collapsed unconstrained coordinates
	// of lmm, θ = [βc, log σ_b, log σ, y] (original units, y the
	// unconstrained correlations of lmm.CorCholesky), N×Dim.
	Theta []float64
	// LogQ is log q(θ) of each draw, the density of the collapsed θ above,
	// for importance sampling against lmm.Collapsed.LogDensity.
	LogQ []float64
	// RandomEffects are exact draws of b ~ p(b | θ, y) for each global
	// draw, N×Effects, group-major as lmm.Design.RandomNames.
	RandomEffects []float64
	// Mode is the Laplace mode of the collapsed θ (original units) that
	// the flow is centred on, and ModeSD its Laplace standard deviations
	// in the flow's standardized coordinates (Config.SigmaSoftplus maps
	// the σ_b entries).
	Mode, ModeSD []float64
	// Warnings list reasons the dataset is outside the trained range
	// (Model.CheckRange).
	Warnings []string
}

// Sample draws n global parameter vectors from the estimator's posterior
// for design d under prior pr, each completed by an exact draw of the
// random effects from their Gaussian conditional. It returns an error
// when the dataset cannot be embedded (P > MaxP, Q > MaxQ, invalid prior)
// or a draw is not finite.
func (m *Model) Sample(d *lmm.Design, pr lmm.Prior, n int, rng *rand.Rand) (*Posterior, error) {
	return m.SampleWith(d, pr, n, rng, m.CheckRange(d, pr))
}

// SampleWith is Sample given rc, the range check of d and pr that the
// caller has computed already (m.CheckRange or m.CheckRangeWith), whose
// reasons become the Posterior's Warnings.
func (m *Model) SampleWith(d *lmm.Design, pr lmm.Prior, n int, rng *rand.Rand, rc RangeCheck) (*Posterior, error) {
	return m.SampleProposal(d, pr, n, rng, rc, 1)
}

// ProposalScale is the base scale τ suggested for SampleProposal's
// importance sampling (npe-is): it meets issue 10's k̂ target (≤ 2% of
// datasets above 0.7) at a median IS efficiency of about 0.8. Measured with
// the shipped model (testdata/models/default.mbw, 5a4ac7c6) and 1000 draws
// on uncorrelated datasets of sim.TrainingMix inside the trained range;
// share of k̂ > 0.7 and median ESS/S:
//
//	                 seed 101, 299 datasets   seed 202, 600 datasets
//	τ = 1            8.7%, 0.95               11.3%, 0.95
//	τ = 1.1          3.7%, 0.88               2.8%, 0.87
//	τ = 1.15         –                        1.3%, 0.80
//	τ = 1.2          0.3%, 0.73               0.5%, 0.72
//	Laplace          15.4%, 0.77              18.5%, 0.77
//
// (The couplings' log-scale bound, flow.Config.Clamp, is not the cause: at
// 1 instead of 3 the share at τ = 1 was 12% against 11% on 100 datasets.)
// With the later models d9506e34, 40720ce1 (with the base tail) and
// 030ddd35 (1 block and 3 coupling steps) and τ = 1.15, validate's full
// suite (500 datasets, correlated ones included) gives 0.0% above 0.7 at
// its default seed and at seed 1202 for the first, 1.0% and 0.2% for the
// second, 1.6% and 0.6% for the third, at median efficiencies of
// 0.78–0.81; 34c49e4a (the one shipped now, σ_b in softplus coordinates)
// gives 0.2% and 0.4% at 0.78 and 0.80, with npe-is redrawing on a high
// k̂ (fit.ISRetryFactor), which brought 030ddd35's to 1.0% and 0.2%.
const ProposalScale = 1.15

// SampleProposal is SampleWith from the flow with its standard normal base
// widened to N(0, τ²I) (flow.Flow.SampleSharedScaled): with τ > 1 an
// over-dispersed proposal for importance sampling, whose heavier tails
// cover posteriors with heavier tails than the network's (lower k̂), at
// some cost in efficiency. LogQ is the exact density of the widened
// proposal, so ImportanceSample stays exact; the draws themselves are not
// the network's posterior unless τ = 1, which is SampleWith.
func (m *Model) SampleProposal(d *lmm.Design, pr lmm.Prior, n int, rng *rand.Rand, rc RangeCheck, tau float64) (*Posterior, error) {
	if n <= 0 {
		panic("estimator: Sample needs n > 0")
	}
	if !(tau > 0) || math.IsInf(tau, 0) {
		panic(fmt.Sprintf("estimator: SampleProposal: base scale %g, want finite > 0", tau))
	}
	prep, err := prepare(d, pr, m.Config.layout())
	if err == nil {
		err = prep.untrained()
	}
	if err != nil {
		return nil, err
	}
	preps := []*prepared{prep}
	u, logq := m.flowDraws(preps, m.contextOf(preps), n, rng, tau)
	return finish(prep, u, logq, d, pr, splitRand(rng, 1)[0], rc.Reasons())
}

// SampleBatch is Sample over many datasets: their inputs are prepared in
// parallel and embedded in batched passes over datasets of similar numbers
// of groups, whose flow draws are also taken in batched passes; draws come
// from rng in the order of those passes, which depends only on the
// datasets and n, so results are reproducible for a seed (but differ from
// calling Sample on each dataset in turn). A dataset that fails yields a nil posterior
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
	nn.ParallelFor(len(ds), func(i int) {
		preps[i], perrs[i] = prepare(ds[i], priors[i], m.Config.layout())
		if perrs[i] == nil {
			perrs[i] = preps[i].untrained()
		}
	})
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
	c, fd := m.Config.Context, m.Config.flowDim()
	for _, run := range m.bySetSize(ok) { // nothing below calls bySetSize again
		sub := make([]*prepared, len(run))
		for j, k := range run {
			sub[j] = ok[k]
		}
		ctxs := m.contextsOf(sub)
		for lo := 0; lo < len(run); {
			hi := lo + 1
			for hi < len(run) && (hi-lo+1)*n <= maxFlowRows {
				hi++
			}
			u, logq := m.flowDraws(sub[lo:hi], ctxs[lo*c:hi*c], n, rng, 1)
			rngs := splitRand(rng, hi-lo)
			ferrs := make([]error, hi-lo)
			nn.ParallelFor(hi-lo, func(o int) {
				k, i := run[lo+o], idx[run[lo+o]]
				post[i], ferrs[o] = finish(ok[k], u[o*n*fd:(o+1)*n*fd], logq[o*n:(o+1)*n:(o+1)*n], ds[i], priors[i], rngs[o], m.CheckRange(ds[i], priors[i]).Reasons())
			})
			for o, err := range ferrs {
				if err != nil {
					fail(idx[run[lo+o]], err)
				}
			}
			lo = hi
		}
	}
	return post, errs
}

// contextsOf is contextOf over a run of bySetSize (sorted by number of
// groups), computed in pieces of similar numbers of groups: attention costs
// b·s² for b sets padded to s groups, and a run of bySetSize spans, say, 5
// to 37 groups (35% of the tokens of the 64 sets of BenchmarkSampleBatch
// were padding). A dataset's context does not depend on the sets it is
// batched with or on the padding (attention masks padded keys, pooling
// padded rows, every other layer is row-wise), so the contexts are those
// of contextOf(sub). Pieces span up to 12.5% more groups than their
// smallest set (+1): single-core CPU per batch of BenchmarkSampleBatch was
// within 5% for spans of 0 to 25%, and 50% cost more. The pieces are cut
// into GOMAXPROCS shares of about equal cost, run in parallel on replicas
// of the networks: small pieces have too little work inside to spread over
// the cores. The result is a fresh slice.
func (m *Model) contextsOf(sub []*prepared) []float64 {
	c := m.Config.Context
	ctxs := make([]float64, len(sub)*c)
	var cuts []int // piece k is sub[cuts[k]:cuts[k+1]]
	var cost []float64
	total := 0.0
	for lo := 0; lo < len(sub); {
		small, large := sub[lo].m, sub[lo].m
		hi := lo + 1
		for ; hi < len(sub); hi++ {
			g := sub[hi].m
			if max(large, g) > min(small, g)+min(small, g)/8+1 {
				break
			}
			small, large = min(small, g), max(large, g)
		}
		// Attention is b·s² and the row-wise layers b·s times the width.
		w := float64(hi-lo) * float64(large) * float64(large+m.Config.Width)
		cuts, cost = append(cuts, lo), append(cost, w)
		total += w
		lo = hi
	}
	cuts = append(cuts, len(sub))
	// Shares of consecutive pieces, each of about total/workers.
	workers := min(runtime.GOMAXPROCS(0), len(cost))
	shares := []int{0} // share s is pieces shares[s]:shares[s+1]
	acc := 0.0
	for k, w := range cost {
		acc += w
		if len(shares) < workers && acc >= total*float64(len(shares))/float64(workers) && k+1 < len(cost) {
			shares = append(shares, k+1)
		}
	}
	shares = append(shares, len(cost))
	for len(m.ctxReps) < len(shares)-2 {
		r := &Model{Config: m.Config, summary: m.summary.Replica(), context: m.context.Replica().(*nn.Sequential)}
		if m.local != nil {
			r.local = m.local.Replica()
		}
		m.ctxReps = append(m.ctxReps, r)
	}
	nn.ParallelFor(len(shares)-1, func(s int) {
		net := m
		if s > 0 {
			net = m.ctxReps[s-1]
		}
		for k := shares[s]; k < shares[s+1]; k++ {
			lo, hi := cuts[k], cuts[k+1]
			copy(ctxs[lo*c:hi*c], net.contextOf(sub[lo:hi]))
		}
	})
	return ctxs
}

// maxFlowRows bounds the rows of one batched flow pass in SampleBatch
// (datasets × draws), keeping its buffers to a few tens of MB.
const maxFlowRows = 8192

// flowDraws draws n flow variables u for each prepared dataset, with flow
// contexts ctx (one row per dataset), from the flow's base widened by tau
// (1: the trained flow), and returns them (len(preps)·n rows of the model's
// flow dimension) with their log densities log q_u.
func (m *Model) flowDraws(preps []*prepared, ctx []float64, n int, rng *rand.Rand, tau float64) (u, logq []float64) {
	rows, c, fd := len(preps)*n, m.Config.Context, m.Config.flowDim()
	m.fillDimMask(preps, n)
	u = make([]float64, rows*fd)
	logq = make([]float64, rows)
	cs := drawChunks(len(preps), n)
	rngs := splitRand(rng, len(cs))
	nn.ParallelFor(len(cs), func(i int) {
		ch := cs[i]
		k := ch.hi - ch.lo
		// A chunk's draws depend on its stream only, not on the replica
		// (buffers) that takes them: replicas are as many as chunks run
		// at once, not one per chunk.
		f := m.takeFlow()
		f.SampleSharedScaled(rngs[i], u[ch.lo*fd:ch.hi*fd], ctx[ch.ctx*c:(ch.ctx+k/ch.per)*c],
			ch.per, m.dimMask[ch.lo*fd:ch.hi*fd], logq[ch.lo:ch.hi], k, tau)
		m.putFlow(f)
	})
	return u, logq
}

// takeFlow returns an idle replica of the flow, made if none is idle.
func (m *Model) takeFlow() *flow.Flow {
	m.flowMu.Lock()
	defer m.flowMu.Unlock()
	if k := len(m.flowReps); k > 0 {
		f := m.flowReps[k-1]
		m.flowReps = m.flowReps[:k-1]
		return f
	}
	return m.flow.Replica()
}

// putFlow returns a replica of takeFlow.
func (m *Model) putFlow(f *flow.Flow) {
	m.flowMu.Lock()
	m.flowReps = append(m.flowReps, f)
	m.flowMu.Unlock()
}

// finish maps one dataset's flow draws u (with log q_u in logq, which the
// Posterior takes over) to the original θ and natural scale, turns logq
// into log q(θ) and completes each draw with an exact draw of the random
// effects from rng. The Posterior's Warnings are warn.
func finish(prep *prepared, u, logq []float64, d *lmm.Design, pr lmm.Prior, rng *rand.Rand, warn []string) (*Posterior, error) {
	n := len(logq)
	dim, q, fd := len(prep.slot), prep.q, prep.fd
	post := &Posterior{N: n, Dim: dim, Effects: prep.m * q, Names: d.Names(),
		Draws: make([]float64, n*dim), Theta: make([]float64, n*dim), LogQ: logq,
		RandomEffects: make([]float64, n*prep.m*q), ModeSD: prep.scale}
	post.Warnings = warn
	post.Mode = prep.scaling.UnTheta(make([]float64, dim), prep.mode)
	coll := lmm.NewCollapsed(d, pr)
	stats := coll.Stats()
	cs := drawChunks(1, n)
	rngs := splitRand(rng, len(cs))
	bad := make([]int, len(cs))
	nn.ParallelFor(len(cs), func(i int) {
		coll := coll.Clone()
		bad[i] = -1
		var chol []float64 // Cholesky factor of the correlations
		if prep.ncor > 0 {
			chol = make([]float64, q*q)
		}
		for r := cs[i].lo; r < cs[i].hi; r++ {
			th := post.Theta[r*dim : (r+1)*dim]
			logq[r] += prep.logDetToTheta - prep.toTheta(u[r*fd:(r+1)*fd], th)
			stats.Natural(post.Draws[r*dim:(r+1)*dim], th, chol)
			if !isFinite(logq[r]) || !coll.SampleRandomEffects(rngs[i], th, post.RandomEffects[r*prep.m*q:(r+1)*prep.m*q]) {
				bad[i] = r
				return
			}
		}
	})
	for _, r := range bad {
		if r >= 0 {
			return nil, fmt.Errorf("estimator: draw %d is not finite", r)
		}
	}
	return post, nil
}
