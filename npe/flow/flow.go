package flow

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/metabeta-go/metabeta/npe/nn"
)

// Config describes a conditional flow. Its JSON form is the architecture
// header of a weights file.
type Config struct {
	Dim     int `json:"dim"`     // target dimension D
	Context int `json:"context"` // context width C
	Steps   int `json:"steps"`   // number of ActNorm → permutation → coupling steps
	Hidden  int `json:"hidden"`  // conditioner hidden width
	Depth   int `json:"depth"`   // conditioner hidden layers
	// Coupling is "affine" or "spline".
	Coupling string `json:"coupling"`
	// Clamp is the tanh clamp C of affine log-scales (default 3).
	Clamp float64 `json:"clamp"`
	// Bins and Bound configure spline couplings (defaults 8 and 3).
	Bins  int     `json:"bins"`
	Bound float64 `json:"bound"`
	// Marginal prepends a MarginalSpline on the data side: every dimension's
	// own context-conditioned spline, with Bins bins on [−MarginalBound,
	// MarginalBound] (default 5) and a conditioner like the couplings'.
	// Both are omitted from the JSON when unset.
	Marginal      bool    `json:"marginal,omitempty"`
	MarginalBound float64 `json:"marginal_bound,omitempty"`
	// Wide prepends, before the marginal spline, a second MarginalSpline
	// with WideBins bins (default 16) on [−WideBound, WideBound] (default
	// 16), which starts exactly at the identity: it can stretch a
	// coordinate's tail far beyond MarginalBound, as the left tail of log
	// σ_b does when σ_b's posterior has density at zero, and it can be
	// added to a trained flow without changing it. All three are omitted
	// from the JSON when unset.
	Wide      bool    `json:"wide,omitempty"`
	WideBins  int     `json:"wide_bins,omitempty"`
	WideBound float64 `json:"wide_bound,omitempty"`
	// Tail appends a BaseTail before the base: every dimension's own
	// context-conditioned linear tails beyond ±TailBound (default 2.5).
	// Both are omitted from the JSON when unset.
	Tail      bool    `json:"tail,omitempty"`
	TailBound float64 `json:"tail_bound,omitempty"`
	// Base is "normal" or "studentt" (trainable ν, initialized at 5).
	Base string `json:"base"`
	// Activation of the conditioners: "gelu" (default) or "relu".
	Activation string `json:"activation"`
	// PermSeed seeds the fixed permutations (stream s for step s), so that
	// they are part of the architecture: the same Config always gives the
	// same permutations, whatever rng initializes the weights.
	PermSeed uint64 `json:"perm_seed"`
}

func (c *Config) defaults() {
	if c.Coupling == "" {
		c.Coupling = "affine"
	}
	if c.Clamp == 0 {
		c.Clamp = 3
	}
	if c.Bins == 0 {
		c.Bins = 8
	}
	if c.Bound == 0 {
		c.Bound = 3
	}
	if c.Marginal && c.MarginalBound == 0 {
		c.MarginalBound = 5
	}
	if c.Wide && c.WideBins == 0 {
		c.WideBins = 16
	}
	if c.Wide && c.WideBound == 0 {
		c.WideBound = 16
	}
	if c.Tail && c.TailBound == 0 {
		c.TailBound = 2.5
	}
	if c.Base == "" {
		c.Base = "normal"
	}
	if c.Activation == "" {
		c.Activation = "gelu"
	}
}

// Flow is a conditional normalizing flow q(x | c) = p(f(x; c))·|det ∂f/∂x|
// with f the composition of its transforms (data → base). A Flow holds
// per-call buffers and is not safe for concurrent use: give each goroutine
// a Replica.
type Flow struct {
	// Config is the architecture (with defaults filled in).
	Config Config
	// Transforms map data to base in order; Base is the base density.
	Transforms []Transform
	Base       Base

	n      int
	xs     [][]float64 // xs[i] is the input of transform i; xs[len] is z
	masks  [][]bool
	logDet []float64
	baseLP []float64
	g, g2  []float64
	// scratch holds the conditioners' buffers in SampleShared, shared by
	// the couplings (see sharedInverter), and pingPong its two buffers of
	// draws.
	scratch  condInput
	pingPong [2][]float64
}

// New builds a flow from cfg with random weight initialization drawn from
// rng; permutations come from cfg.PermSeed.
func New(cfg Config, rng *rand.Rand) *Flow {
	cfg.defaults()
	if cfg.Dim <= 0 || cfg.Steps <= 0 || cfg.Context < 0 {
		panic(fmt.Sprintf("flow: invalid config %+v", cfg))
	}
	f := &Flow{Config: cfg}
	if cfg.Wide {
		w := NewMarginalSpline("flow.wide", cfg.Dim, cfg.Context, cfg.Hidden, cfg.Depth, cfg.Activation, cfg.WideBins, cfg.WideBound, rng)
		w.startAtIdentity()
		f.Transforms = append(f.Transforms, w)
	}
	if cfg.Marginal {
		f.Transforms = append(f.Transforms, NewMarginalSpline("flow.marginal", cfg.Dim, cfg.Context, cfg.Hidden, cfg.Depth, cfg.Activation, cfg.Bins, cfg.MarginalBound, rng))
	}
	for s := 0; s < cfg.Steps; s++ {
		name := fmt.Sprintf("flow.%d", s)
		f.Transforms = append(f.Transforms, NewActNorm(name+".actnorm", cfg.Dim), NewPermutation(cfg.Dim, rand.New(rand.NewPCG(cfg.PermSeed, uint64(s)))))
		switch cfg.Coupling {
		case "affine":
			f.Transforms = append(f.Transforms, NewAffineCoupling(name+".affine", cfg.Dim, cfg.Context, cfg.Hidden, cfg.Depth, cfg.Activation, cfg.Clamp, rng))
		case "spline":
			f.Transforms = append(f.Transforms, NewSplineCoupling(name+".spline", cfg.Dim, cfg.Context, cfg.Hidden, cfg.Depth, cfg.Activation, cfg.Bins, cfg.Bound, rng))
		default:
			panic("flow: unknown coupling " + cfg.Coupling)
		}
	}
	if cfg.Tail {
		f.Transforms = append(f.Transforms, NewBaseTail("flow.tail", cfg.Dim, cfg.Context, cfg.TailBound, rng))
	}
	switch cfg.Base {
	case "normal":
		f.Base = &Normal{Dim: cfg.Dim}
	case "studentt":
		f.Base = NewStudentT("flow.base", cfg.Dim, 5)
	default:
		panic("flow: unknown base " + cfg.Base)
	}
	return f
}

// Params returns every parameter in a fixed order.
func (f *Flow) Params() []*nn.Param {
	var ps []*nn.Param
	for _, t := range f.Transforms {
		ps = append(ps, t.Params()...)
	}
	return append(ps, f.Base.Params()...)
}

// Replica returns a flow sharing parameter values with its own gradients
// and buffers, for a concurrent worker.
func (f *Flow) Replica() *Flow {
	r := &Flow{Config: f.Config, Base: f.Base.Replica()}
	for _, t := range f.Transforms {
		r.Transforms = append(r.Transforms, t.Replica())
	}
	return r
}

// InitData initializes every ActNorm from a batch by passing it through
// the flow (Kingma & Dhariwal 2018 data-dependent initialization).
func (f *Flow) InitData(x, ctx []float64, mask []bool, n int) {
	f.prepare(mask, n)
	copy(f.xs[0], x)
	for i, t := range f.Transforms {
		if a, ok := t.(*ActNorm); ok {
			a.InitData(f.xs[i], f.masks[i], n)
		}
		t.Forward(f.xs[i+1], f.xs[i], ctx, f.masks[i], f.logDet, n)
	}
}

func (f *Flow) prepare(mask []bool, n int) {
	f.prepareMasks(mask, n)
	for i := range f.xs {
		f.xs[i] = grow(f.xs[i], n*f.Config.Dim)
	}
}

// prepareMasks is prepare without the inputs of every transform, which
// SampleShared does not keep.
func (f *Flow) prepareMasks(mask []bool, n int) {
	D := f.Config.Dim
	if mask != nil && len(mask) != n*D {
		panic("flow: mask size mismatch")
	}
	f.n = n
	L := len(f.Transforms)
	if len(f.xs) != L+1 {
		f.xs = make([][]float64, L+1)
		f.masks = make([][]bool, L+1)
	}
	for i := range f.masks {
		if mask == nil {
			f.masks[i] = nil
			continue
		}
		if cap(f.masks[i]) < n*D {
			f.masks[i] = make([]bool, n*D)
		}
		f.masks[i] = f.masks[i][:n*D]
		if i == 0 {
			copy(f.masks[0], mask)
		} else if mm, ok := f.Transforms[i-1].(maskMapper); ok {
			mm.mapMask(f.masks[i], f.masks[i-1], n)
		} else {
			copy(f.masks[i], f.masks[i-1])
		}
	}
	f.logDet = grow(f.logDet, n)
	f.baseLP = grow(f.baseLP, n)
	clear(f.logDet)
}

func (f *Flow) checkSizes(x, ctx []float64, n int) {
	if len(x) != n*f.Config.Dim || len(ctx) != n*f.Config.Context {
		panic("flow: input size mismatch")
	}
}

// LogProb writes log q(x_r | ctx_r) for n rows into dst (length n) and
// caches what Backward needs. mask (n×Dim, true = real) may be nil; padded
// dimensions do not affect the result.
func (f *Flow) LogProb(dst, x, ctx []float64, mask []bool, n int) {
	f.checkSizes(x, ctx, n)
	f.prepare(mask, n)
	copy(f.xs[0], x)
	for i, t := range f.Transforms {
		t.Forward(f.xs[i+1], f.xs[i], ctx, f.masks[i], f.logDet, n)
	}
	L := len(f.Transforms)
	f.Base.LogProb(f.baseLP, f.xs[L], f.masks[L], n)
	for r := 0; r < n; r++ {
		dst[r] = f.baseLP[r] + f.logDet[r]
	}
}

// Backward accumulates the gradient of Σ_r w_r·log q(x_r | ctx_r), for the
// rows of the last LogProb, into the parameters' Grad; it writes the
// gradient with respect to x into dx and with respect to ctx into dctx
// (either may be nil).
func (f *Flow) Backward(dx, dctx, w []float64) {
	n, D := f.n, f.Config.Dim
	L := len(f.Transforms)
	f.g = grow(f.g, n*D)
	f.g2 = grow(f.g2, n*D)
	if dctx != nil {
		clear(dctx)
	}
	f.Base.Backward(f.g, w)
	for i := L - 1; i >= 0; i-- {
		f.Transforms[i].Backward(f.g2, dctx, f.g, w)
		f.g, f.g2 = f.g2, f.g
	}
	if dx != nil {
		copy(dx, f.g)
	}
}

// Sample draws n rows x_r ~ q(· | ctx_r) into x, writes log q(x_r | ctx_r)
// into logq (if non-nil); padded dimensions of x are zero.
func (f *Flow) Sample(rng *rand.Rand, x, ctx []float64, mask []bool, logq []float64, n int) {
	f.SampleShared(rng, x, ctx, 1, mask, logq, n)
}

// SampleShared is Sample for rows whose contexts repeat in runs of per: ctx
// holds n/per rows and row r of x is drawn from q(· | ctx_{⌊r/per⌋}). Draws
// of one dataset share its context, and the conditioners then evaluate the
// context's part of their first layer once per run (see condInput), which
// is most of the cost of sampling. The draws equal Sample's on the
// repeated contexts up to rounding.
func (f *Flow) SampleShared(rng *rand.Rand, x, ctx []float64, per int, mask []bool, logq []float64, n int) {
	f.SampleSharedScaled(rng, x, ctx, per, mask, logq, n, 1)
}

// SampleSharedScaled is SampleShared from the base widened by tau > 0: each
// base draw z₀ is scaled to z = τ·z₀, whose density is p_base(z/τ)·τ^(−d)
// on its d active dimensions, so log q stays exact for the widened flow.
// τ = 1 is SampleShared, bit for bit. A τ above 1 over-disperses the flow,
// so that as an importance-sampling proposal its tails cover more of the
// target's (Hesterberg 1995, Weighted average importance sampling and
// defensive mixture distributions, Technometrics 37(2)).
func (f *Flow) SampleSharedScaled(rng *rand.Rand, x, ctx []float64, per int, mask []bool, logq []float64, n int, tau float64) {
	f.SampleSharedProposal(rng, x, ctx, per, mask, logq, n, tau, tau)
}

// SampleSharedProposal is SampleSharedScaled from a mixture of widened
// bases that reaches one coordinate's far tail at a time: every active
// coordinate of a base draw is scaled by tau and then one of them, chosen
// uniformly, by tail instead. Its base density, on the d active
// coordinates of a row, is
//
//	r(z) = Π_j N(z_j; 0, τ²) · (1/d) Σ_i ρ(z_i),  ρ(z) = N(z; 0, τ_t²) / N(z; 0, τ²),
//
// the equal mixture over i of the base with coordinate i widened to τ_t,
// and logq receives the flow's exact density under it. Since ρ ≥ τ/τ_t,
// the importance weight of a draw against the flow itself, q/r, is at most
// τ_t·τ^(d−1): at τ = 1 at most τ_t whatever d, where widening every
// coordinate to τ_t lets the weights degenerate with the dimension.
// tail = tau is SampleSharedScaled and draws no coordinate. The mixture
// needs the Normal base; it panics on another, or on tail < tau.
func (f *Flow) SampleSharedProposal(rng *rand.Rand, x, ctx []float64, per int, mask []bool, logq []float64, n int, tau, tail float64) {
	if per <= 0 || n%per != 0 || len(x) != n*f.Config.Dim || len(ctx) != n/per*f.Config.Context {
		panic("flow: input size mismatch")
	}
	if !(tau > 0) || math.IsInf(tau, 0) || !(tail >= tau) || math.IsInf(tail, 0) {
		panic(fmt.Sprintf("flow: base scale %g and tail scale %g, want finite 0 < τ ≤ τ_t", tau, tail))
	}
	if _, normal := f.Base.(*Normal); tail != tau && !normal {
		panic("flow: the tail mixture needs the normal base")
	}
	f.prepareMasks(mask, n)
	L := len(f.Transforms)
	// Two buffers in turn: the input of transform i is buf[(i+1)%2] and
	// its output buf[i%2] (no Backward follows).
	for i := range f.pingPong {
		f.pingPong[i] = grow(f.pingPong[i], n*f.Config.Dim)
	}
	buf := f.pingPong
	f.Base.Sample(rng, buf[L%2], f.masks[L], n)
	f.Base.LogProb(f.baseLP, buf[L%2], f.masks[L], n)
	if tau != 1 {
		z, d, logTau := buf[L%2], f.Config.Dim, math.Log(tau)
		for r := 0; r < n; r++ {
			for i := r * d; i < (r+1)*d; i++ {
				if active(f.masks[L], i) {
					z[i] *= tau
					f.baseLP[r] -= logTau
				}
			}
		}
	}
	if tail != tau {
		f.widenOneCoordinate(rng, buf[L%2], f.masks[L], n, tau, tail)
	}
	for i := L - 1; i >= 0; i-- {
		f.Transforms[i].(sharedInverter).inverseShared(buf[i%2], buf[(i+1)%2], ctx, per, f.masks[i], f.logDet, n, &f.scratch)
	}
	copy(x, buf[0])
	if logq != nil {
		for r := 0; r < n; r++ {
			logq[r] = f.baseLP[r] - f.logDet[r]
		}
	}
}

// widenOneCoordinate scales one active coordinate of each row of z (drawn
// from N(0, τ²I) on the active coordinates), chosen uniformly, by
// τ_t/τ, and sets f.baseLP to the log density of SampleSharedProposal's
// mixture at the result.
func (f *Flow) widenOneCoordinate(rng *rand.Rand, z []float64, mask []bool, n int, tau, tail float64) {
	d := f.Config.Dim
	c := (1/(tau*tau) - 1/(tail*tail)) / 2 // log ρ(z) = log(τ/τ_t) + c·z²
	logRatio := math.Log(tau / tail)
	for r := 0; r < n; r++ {
		row := z[r*d : (r+1)*d]
		k := 0
		for i := range row {
			if active(mask, r*d+i) {
				k++
			}
		}
		if k == 0 {
			continue
		}
		pick := rng.IntN(k)
		sumSq, top := 0.0, math.Inf(-1)
		for i, j := range row {
			if !active(mask, r*d+i) {
				continue
			}
			if pick == 0 {
				row[i] = j * tail / tau
			}
			pick--
			sumSq += row[i] * row[i]
			top = math.Max(top, c*row[i]*row[i])
		}
		mix := 0.0
		for i, v := range row {
			if active(mask, r*d+i) {
				mix += math.Exp(c*v*v - top)
			}
		}
		f.baseLP[r] = -float64(k)*(0.5*math.Log(2*math.Pi)+math.Log(tau)) - sumSq/(2*tau*tau) +
			logRatio + top + math.Log(mix/float64(k))
	}
}

// Inverse maps base points z to x = f⁻¹(z; ctx), adding log|det ∂x/∂z| to
// logDet (length n).
func (f *Flow) Inverse(x, z, ctx []float64, mask []bool, logDet []float64, n int) {
	f.checkSizes(x, ctx, n)
	f.prepare(mask, n)
	L := len(f.Transforms)
	copy(f.xs[L], z)
	for i := L - 1; i >= 0; i-- {
		f.Transforms[i].Inverse(f.xs[i], f.xs[i+1], ctx, f.masks[i], logDet, n)
	}
	copy(x, f.xs[0])
}

// Forward maps x to z = f(x; ctx), adding log|det ∂z/∂x| to logDet.
func (f *Flow) Forward(z, x, ctx []float64, mask []bool, logDet []float64, n int) {
	f.checkSizes(x, ctx, n)
	f.prepare(mask, n)
	copy(f.xs[0], x)
	for i, t := range f.Transforms {
		t.Forward(f.xs[i+1], f.xs[i], ctx, f.masks[i], logDet, n)
	}
	copy(z, f.xs[len(f.Transforms)])
}
