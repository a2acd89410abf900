package estimator

import (
	"math"
	"math/rand/v2"

	"github.com/metabeta-go/metabeta/npe/nn"
)

// klClip bounds |f_s − f̄| in the reverse-KL weights: a draw where the flow
// puts e^30 more mass than the posterior is already as wrong as it needs
// to be, and the bound keeps one such draw from dominating a step.
const klClip = 30

// reverseKLWeights writes the score-function weights of λ·KL(q ‖ p) for
// the S draws of one dataset: with f_s = log q(u_s) − log p̃(u_s), p̃ the
// unnormalized posterior, and the leave-one-out baseline
// b_s = (Σ_t f_t − f_s)/(S − 1),
//
//	∇ KL(q ‖ p) = E_q[(log q − log p) ∇ log q] ≈ (1/S) Σ_s (f_s − b_s) ∇ log q(u_s),
//
// unbiased because b_s does not depend on u_s and E_q[∇ log q] = 0
// (Williams 1992; Ranganath, Gerrish & Blei 2014, Black box variational
// inference, AISTATS); p's normalizing constant cancels in f_s − b_s. The
// weights are scaled by scale (λ over the batch size) and f_s − b_s is
// clipped to ±klClip; a draw whose f is not finite gets weight 0 and is
// left out of the baselines.
//
// When the draws come from a proposal r other than q (logr non-nil: the
// flow with a widened base, Config.KLProposalScale), draw s counts with
// the importance weight ω_s = q(u_s)/r(u_s) in place of 1, and its
// baseline is the ω-weighted mean of the other draws' f:
//
//	∇ KL(q ‖ p) = E_r[ω (log q − log p) ∇ log q] ≈ (1/S) Σ_s ω_s (f_s − b_s) ∇ log q(u_s),
//
// still unbiased, because q and r are both normalized (E_r[ω] = 1, no
// self-normalization) and b_s does not depend on u_s. With logr nil this
// is the estimate above.
func reverseKLWeights(w, logq, logp, logr []float64, scale float64) {
	sumW, sumWF := 0.0, 0.0
	n := 0
	for s := range w {
		if f := logq[s] - logp[s]; isFinite(f) {
			o := proposalWeight(logq, logr, s)
			sumW += o
			sumWF += o * f
			n++
		}
	}
	for s := range w {
		f := logq[s] - logp[s]
		o := proposalWeight(logq, logr, s)
		if !isFinite(f) || n < 2 || !(sumW-o > 0) {
			w[s] = 0
			continue
		}
		base := (sumWF - o*f) / (sumW - o)
		w[s] = scale * o * math.Max(-klClip, math.Min(klClip, f-base)) / float64(len(w))
	}
}

// forwardISWeights adds to w the weights of μ·KL(p ‖ q) = μ·E_p[−log q]
// + const for the S draws of one dataset from the proposal r (the flow,
// widened or not): with self-normalized importance weights
// w̃_s = (p̃_s/r_s) / Σ_t p̃_t/r_t,
//
//	∇ E_p[−log q] ≈ −Σ_s w̃_s ∇ log q(u_s),
//
// so draw s gets −scale·w̃_s (scale is μ over the batch size). The
// estimate is consistent, with an O(1/S) bias, as in reweighted wake-sleep
// (Bornschein & Bengio 2015, ICLR); p's normalizing constant cancels. A
// draw whose log p̃ is not finite gets no weight; with none finite, w is
// left as it is.
func forwardISWeights(w, logp, logr []float64, scale float64) {
	top := math.Inf(-1)
	for s := range w {
		if v := logp[s] - logr[s]; isFinite(v) {
			top = math.Max(top, v)
		}
	}
	if math.IsInf(top, -1) {
		return
	}
	sum := 0.0
	for s := range w {
		if v := logp[s] - logr[s]; isFinite(v) {
			sum += math.Exp(v - top)
		}
	}
	for s := range w {
		if v := logp[s] - logr[s]; isFinite(v) {
			w[s] -= scale * math.Exp(v-top) / sum
		}
	}
}

// proposalWeight returns q(u_s)/r(u_s) of draw s, 1 without a proposal.
func proposalWeight(logq, logr []float64, s int) float64 {
	if logr == nil {
		return 1
	}
	return math.Exp(logq[s] - logr[s])
}

// logPosteriorU writes log p̃(θ'(u)) for rows of u (fd slots each): the
// exact standardized collapsed log posterior of pr at θ' = θ̂' + L̂u
// (whitened) or θ̂' + ŝ ⊙ u (marginal), plus the log-Jacobian of the
// softplus coordinates (prepared.standardized): the log density of u up
// to the constant part of log|det ∂θ'/∂u|, Σ log jac.
func (pr *prepared) logPosteriorU(dst, u []float64) {
	theta := make([]float64, len(pr.slot))
	for r := range dst {
		ld := pr.standardized(u[r*pr.fd:(r+1)*pr.fd], theta)
		dst[r] = pr.post.LogDensity(theta) + ld
	}
}

// drawScored draws S rows per dataset of batch (contexts ctx, dimension
// mask mask) from the flow with its base scaled by tau, one coordinate per
// draw by tail (flow.Flow.SampleSharedProposal), into x, their log
// densities under that proposal into logr, and their exact log posteriors
// (logPosteriorU) into logp: the draws of the reverse-KL term and of its
// validation estimate.
func (m *Model) drawScored(rng *rand.Rand, batch []*prepared, ctx []float64, S int, tau, tail float64, mask []bool, x, logr, logp []float64) {
	fd := m.Config.flowDim()
	m.flow.SampleSharedProposal(rng, x, ctx, S, mask, logr, len(batch)*S, tau, tail)
	nn.ParallelFor(len(batch), func(i int) {
		batch[i].logPosteriorU(logp[i*S:(i+1)*S], x[i*S*fd:(i+1)*S*fd])
	})
}

// klPass is the training pass of a sub-batch with the reverse-KL term: the
// flow scores the b true targets and S draws per dataset from the current
// flow (its base widened by Config.KLProposalScale and KLTailScale) in one
// LogProb over b + bS rows, and the gradient of
//
//	−(1/total) Σ_i log q(u_i) + (λ/total) Σ_i KL(q_i ‖ p_i) + (μ/total) Σ_i KL(p_i ‖ q_i)
//
// is accumulated (μ = Config.ForwardIS, the last term from the same draws). It returns −Σ_i log q(θ'_i) of the true targets, as
// subNLL does. rng draws the samples.
func (m *Model) klPass(batch []*prepared, u []float64, total int, rng *rand.Rand) (float64, error) {
	b, fd, C, S := len(batch), m.Config.flowDim(), m.Config.Context, m.Config.KLSamples
	n := b + b*S
	ctx := m.contextOf(batch)
	// Draws from the flow, S per dataset, and their exact log posteriors.
	m.fillDimMask(batch, S)
	m.klMask = append(m.klMask[:0], m.dimMask...)
	drawMask := m.klMask
	m.klX = grow(m.klX, n*fd)
	copy(m.klX, u)
	draws := m.klX[b*fd:]
	m.klLogQ, m.klLogP = grow(m.klLogQ, b*S), grow(m.klLogP, b*S)
	tau, tail := m.Config.klProposalScale(), m.Config.klTailScale()
	m.drawScored(rng, batch, ctx, S, tau, tail, drawMask, draws, m.klLogQ, m.klLogP)
	// One LogProb over the true targets and the draws.
	m.klCtx = grow(m.klCtx, n*C)
	copy(m.klCtx, ctx)
	for r := 0; r < b*S; r++ {
		copy(m.klCtx[(b+r)*C:(b+r+1)*C], ctx[(r/S)*C:(r/S+1)*C])
	}
	m.fillDimMask(batch, 1)
	m.dimMask = append(m.dimMask, drawMask...)
	m.logq = grow(m.logq, n)
	m.flow.LogProb(m.logq, m.klX, m.klCtx, m.dimMask, n)
	sum, err := targetNLL(batch, m.logq)
	if err != nil {
		return 0, err
	}
	m.w = grow(m.w, n)
	truthWeights(m.w[:b], batch, total)
	for i := 0; i < b; i++ {
		rows := m.w[b+i*S : b+(i+1)*S]
		var logr []float64
		if tau != 1 || tail != 1 {
			logr = m.klLogQ[i*S : (i+1)*S]
		}
		reverseKLWeights(rows, m.logq[b+i*S:b+(i+1)*S], m.klLogP[i*S:(i+1)*S], logr, m.Config.ReverseKL/float64(total))
		if mu := m.Config.ForwardIS; mu > 0 {
			forwardISWeights(rows, m.klLogP[i*S:(i+1)*S], m.klLogQ[i*S:(i+1)*S], mu/float64(total))
		}
	}
	m.lastKLWeights = m.w[b:n]
	// The flow's context gradient per row, summed per dataset.
	m.klDctx = grow(m.klDctx, n*C)
	clear(m.klDctx)
	m.flow.Backward(nil, m.klDctx, m.w[:n])
	m.dctx = grow(m.dctx, b*C)
	copy(m.dctx, m.klDctx[:b*C])
	for r := 0; r < b*S; r++ {
		d := m.dctx[(r/S)*C : (r/S+1)*C]
		for k, v := range m.klDctx[(b+r)*C : (b+r+1)*C] {
			d[k] += v
		}
	}
	m.contextBackward(b)
	return sum, nil
}

// evalKL returns the mean over examples of the reverse-KL estimate
// (1/S) Σ_s [log q(u_s) − log p̃(u_s)] from S = Config.KLSamples draws of
// the flow per dataset: KL(q ‖ p) up to each dataset's log normalizing
// constant and log|det ∂θ'/∂u|, which do not depend on the weights, so
// that the estimates of two validations differ as their KLs do. Draws whose
// log p̃ is not finite are left out. rng draws the samples.
func (m *Model) evalKL(ex []example, rng *rand.Rand) float64 {
	const chunk = 64
	S, fd := m.Config.KLSamples, m.Config.flowDim()
	total, n := 0.0, 0
	for lo := 0; lo < len(ex); lo += chunk {
		preps, _ := batchOf(ex[lo:min(len(ex), lo+chunk)], fd)
		b := len(preps)
		ctx := m.contextOf(preps)
		m.fillDimMask(preps, S)
		m.klX = grow(m.klX, b*S*fd)
		m.klLogQ, m.klLogP = grow(m.klLogQ, b*S), grow(m.klLogP, b*S)
		m.drawScored(rng, preps, ctx, S, 1, 1, m.dimMask, m.klX, m.klLogQ, m.klLogP)
		for i := range b {
			sum, k := 0.0, 0
			for s := i * S; s < (i+1)*S; s++ {
				if f := m.klLogQ[s] - m.klLogP[s]; isFinite(f) {
					sum += f
					k++
				}
			}
			if k > 0 {
				total += sum / float64(k)
				n++
			}
		}
	}
	return total / float64(n)
}
