package estimator

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/metabeta-go/metabeta/npe/nn"
)

// TestReverseKLWeights checks reverseKLWeights on known answers: f = log q −
// log p̃ = (1, 2, 3) has leave-one-out baselines (2.5, 2, 1.5), so with
// scale 0.6 and S = 3 the weights are 0.6·(−1.5, 0, 1.5)/3; a draw whose
// log p̃ is −∞ gets weight 0 and leaves the baselines (f = (1, 3):
// baselines 3 and 1); differences beyond klClip are clipped; a constant
// shift of log p̃ (its unknown normalizer) changes nothing. With draws from
// a proposal r, importance weights ω = q/r = (1, 2, 1) make the baselines
// the ω-weighted means of the other draws, (7/3, 2, 5/3), and the weights
// 0.6·ω·(f − b)/S = (−0.8, 0, 0.8)/3; a proposal equal to q is the plain
// estimate.
func TestReverseKLWeights(t *testing.T) {
	w := make([]float64, 3)
	var logr []float64
	check := func(name string, logq, logp, want []float64) {
		t.Helper()
		reverseKLWeights(w, logq, logp, logr, 0.6)
		for s := range want {
			if math.Abs(w[s]-want[s]) > 1e-15 {
				t.Errorf("%s: w = %v, want %v", name, w, want)
				return
			}
		}
	}
	check("plain", []float64{1, 2, 3}, []float64{0, 0, 0}, []float64{-0.3, 0, 0.3})
	check("shifted p", []float64{1, 2, 3}, []float64{-7, -7, -7}, []float64{-0.3, 0, 0.3})
	check("infinite", []float64{1, 2, 3}, []float64{0, math.Inf(-1), 0}, []float64{-0.4, 0, 0.4})
	// f − b = (−50, −50, 100), clipped to ±30.
	check("clipped", []float64{0, 0, 100}, []float64{0, 0, 0}, []float64{-0.2 * klClip, -0.2 * klClip, 0.2 * klClip})
	logr = []float64{0, -math.Ln2, 0}
	check("proposal", []float64{0, 0, 0}, []float64{-1, -2, -3}, []float64{-0.8 / 3, 0, 0.8 / 3})
	logr = []float64{1, 2, 3}
	check("proposal = q", []float64{1, 2, 3}, []float64{-7, -7, -7}, []float64{-0.3, 0, 0.3})
}

// TestForwardISWeights checks forwardISWeights on known answers: log p̃ −
// log r = (0, ln 2, 0) + c gives self-normalized weights (1/4, 1/2, 1/4)
// whatever c, so with scale 0.8 the draws' weights fall by (0.2, 0.4, 0.2)
// from what they held; a draw with log p̃ = −∞ gets nothing and leaves the
// others' normalization (1/2, 1/2); with no finite draw w is unchanged.
func TestForwardISWeights(t *testing.T) {
	check := func(name string, logp, logr, want []float64) {
		t.Helper()
		w := []float64{1, 1, 1}
		forwardISWeights(w, logp, logr, 0.8)
		for s := range want {
			if math.Abs(w[s]-want[s]) > 1e-12 {
				t.Errorf("%s: w = %v, want %v", name, w, want)
				return
			}
		}
	}
	check("plain", []float64{0, math.Ln2, 0}, []float64{0, 0, 0}, []float64{0.8, 0.6, 0.8})
	check("shifted", []float64{-700, math.Ln2 - 700, -700}, []float64{3, 3, 3}, []float64{0.8, 0.6, 0.8})
	check("infinite", []float64{0, math.Inf(-1), 0}, []float64{0, 0, 0}, []float64{0.6, 1, 0.6})
	inf := math.Inf(-1)
	check("none finite", []float64{inf, inf, inf}, []float64{0, 0, 0}, []float64{1, 1, 1})
}

// TestReverseKLWeightsUnbiased checks the estimate of ∇_μ KL(q ‖ p) for
// q = N(μ, 1) and p = N(0, 1), whose value is μ (KL = μ²/2), with the
// score ∂_μ log q(x) = x − μ: averaged over 20,000 replicates of S = 16
// draws, Σ_s w_s (x_s − μ) must lie within 4 Monte Carlo standard errors
// of μ, for draws from q itself and from the widened proposal
// r = N(μ, 1.3²) (Config.KLProposalScale) with importance weights q/r.
func TestReverseKLWeightsUnbiased(t *testing.T) {
	const mu, S, reps = 0.8, 16, 20000
	for _, tau := range []float64{1, 1.3} {
		rng := newRand(3)
		x, logq, logp, logr, w := make([]float64, S), make([]float64, S), make([]float64, S), make([]float64, S), make([]float64, S)
		var sum, sumSq float64
		for range reps {
			for s := range x {
				x[s] = mu + tau*rng.NormFloat64()
				logq[s] = -0.5 * (x[s] - mu) * (x[s] - mu)
				logr[s] = -0.5*(x[s]-mu)*(x[s]-mu)/(tau*tau) - math.Log(tau)
				logp[s] = -0.5 * x[s] * x[s]
			}
			lr := logr
			if tau == 1 {
				lr = nil
			}
			reverseKLWeights(w, logq, logp, lr, 1)
			g := 0.0
			for s := range x {
				g += w[s] * (x[s] - mu)
			}
			sum += g
			sumSq += g * g
		}
		mean := sum / reps
		mcse := math.Sqrt((sumSq/reps - mean*mean) / reps)
		if math.Abs(mean-mu) > 4*mcse {
			t.Errorf("τ = %g: gradient estimate %.4f ± %.4f, want %g", tau, mean, mcse, mu)
		}
	}
}

// TestReverseKLGradient checks the gradient that klPass accumulates against
// central differences of the objective it stands for with the draws and
// their weights held fixed,
//
//	J(φ) = −(1/b) Σ_i log q(u_i) + Σ_r w_r log q(x_r),
//
// computed through logProb on a batch that repeats each dataset S times (a
// path that shares nothing with klPass's row assembly), on one entry of
// every tensor of a tiny whitened model with correlation slots, shape probes
// and the marginal spline, its draws taken from the widened base with its
// one-coordinate tail mixture (Config.KLTailScale) and weighted for both
// the reverse KL and the importance-sampled forward KL (h = 1e-5, relative
// error < 1e-6). It also checks that the draws get nonzero weights.
func TestReverseKLGradient(t *testing.T) {
	for _, widened := range []bool{false, true} {
		t.Run(fmt.Sprintf("widened=%v", widened), func(t *testing.T) { testReverseKLGradient(t, widened) })
	}
}

// testReverseKLGradient is TestReverseKLGradient, with the first dataset
// widened (TrainOptions.WidenPriors: no NLL term for its truth) or not.
func testReverseKLGradient(t *testing.T, widened bool) {
	cfg := corConfig(FlowWhitened)
	cfg.ShapeProbes, cfg.MarginalSpline = true, true
	cfg.ReverseKL, cfg.KLSamples, cfg.KLProposalScale, cfg.KLTailScale, cfg.ForwardIS = 0.7, 3, 1.3, 2.5, 0.4
	m := New(cfg, newRand(1))
	perturbWeights(m, 0.3)
	a, c := simSampleWith(t, 3, 2), corSample(t, 2, 2)
	var preps []*prepared
	var u []float64
	fd := cfg.flowDim()
	for _, s := range []int{0, 1} {
		smp := a
		if s == 1 {
			smp = c
		}
		pr, err := prepare(smp.Design, smp.Prior, cfg.layout())
		if err != nil {
			t.Fatal(err)
		}
		// A target near the mode: θ(u = 0) moved a little.
		theta := make([]float64, smp.Design.Dim())
		row := make([]float64, fd)
		pr.toTheta(row, theta)
		for i := range theta {
			theta[i] += 0.05 * float64(i%3)
		}
		pr.target(theta, row)
		preps, u = append(preps, pr), append(u, row...)
	}
	preps[0].widened = widened
	b, S := len(preps), cfg.KLSamples
	params := m.Params()
	m.klRNG = newRand(5)
	nn.ZeroGrads(params)
	if _, err := m.subNLL(preps, u, b, true); err != nil {
		t.Fatal(err)
	}
	w := slices.Clone(m.lastKLWeights)
	x := slices.Clone(m.klX[b*fd : (b+b*S)*fd])
	nonzero := 0
	for _, v := range w {
		if v != 0 {
			nonzero++
		}
	}
	if nonzero < len(w)-1 {
		t.Fatalf("weights %v: too many zeros", w)
	}
	rep := make([]*prepared, 0, b*S)
	for _, pr := range preps {
		for s := 0; s < S; s++ {
			rep = append(rep, pr)
		}
	}
	lqT, lqX := make([]float64, b), make([]float64, b*S)
	objective := func() float64 {
		m.logProb(lqT, preps, u)
		j := 0.0
		for i, v := range lqT {
			if !preps[i].widened {
				j -= v / float64(b)
			}
		}
		m.logProb(lqX, rep, x)
		for r, v := range lqX {
			j += w[r] * v
		}
		return j
	}
	rng := newRand(9)
	checked := 0
	for _, p := range params {
		if strings.HasPrefix(p.Name, "flow.base") {
			continue
		}
		i := rng.IntN(len(p.Value))
		v := p.Value[i]
		p.Value[i] = v + fdStep
		fp := objective()
		p.Value[i] = v - fdStep
		fm := objective()
		p.Value[i] = v
		fdv := (fp - fm) / (2 * fdStep)
		if err := math.Abs(fdv - p.Grad[i]); err > fdTol*math.Max(1, math.Abs(fdv)) {
			t.Errorf("%s[%d]: analytic %.10g, finite difference %.10g", p.Name, i, p.Grad[i], fdv)
		}
		checked++
	}
	if checked < 10 {
		t.Fatalf("checked %d tensors", checked)
	}
}
