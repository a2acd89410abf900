package fit

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/metabeta-go/metabeta/hmc"
	"github.com/metabeta-go/metabeta/lmm"
)

// Targets of NUTS.
const (
	TargetCollapsed = "collapsed"
	TargetJoint     = "joint"
)

// NUTSOptions configures NUTS. Zero values take hmc's defaults (4 chains,
// 1000 warmup and 1000 kept iterations, diagonal metric, δ = 0.8, tree depth
// 10) and the collapsed target.
type NUTSOptions struct {
	Target       string  `json:"target,omitempty"` // TargetCollapsed (default) or TargetJoint
	Chains       int     `json:"chains"`
	Warmup       int     `json:"warmup"`
	Draws        int     `json:"draws"`
	Seed         uint64  `json:"seed,omitempty"`
	Dense        bool    `json:"dense,omitempty"`         // adapt a dense metric instead of a diagonal one
	TargetAccept float64 `json:"target_accept,omitempty"` // dual-averaging target δ
	MaxDepth     int     `json:"max_depth,omitempty"`
	// NoPrecondition turns off the affine reparametrization of the global
	// parameters by their Laplace approximation (see hmc.Affine). It is on by
	// default: it changes no posterior, only how fast NUTS explores it.
	NoPrecondition bool `json:"no_precondition,omitempty"`
	// Progress, when non-nil, is called from the chain goroutines after each
	// iteration; it must be cheap and safe for concurrent use.
	Progress func(chain, iter int) `json:"-"`
}

// NUTS fits the model to d under prior by NUTS and returns the posterior in
// the common schema, draws included. The draws of the global parameters are
// on their natural scale (b_Intercept on the original, uncentred scale); the
// random effects are completed by an exact conditional draw (collapsed) or
// taken from the sampled non-centred effects (joint).
func NUTS(ctx context.Context, d *lmm.Design, prior lmm.Prior, opt NUTSOptions) (*Result, error) {
	if err := d.Validate(); err != nil {
		return nil, err
	}
	if err := prior.Check(d); err != nil {
		return nil, err
	}
	if opt.Draws > 0 && opt.Draws < MinDrawsPerChain {
		return nil, fmt.Errorf("nuts: %d draws per chain, want at least %d: split-R̂ and the ESS need %d draws per half-chain", opt.Draws, MinDrawsPerChain, MinDrawsPerChain/2)
	}
	if opt.Target == "" {
		opt.Target = TargetCollapsed
	}
	start := time.Now()
	base := lmm.NewCollapsed(d, prior)
	newTarget, affine, err := nutsTarget(base, prior, opt)
	if err != nil {
		return nil, err
	}
	cfg := nutsConfig(d, opt)
	cfg.OnDraw = completeDraws(d, base, prior, affine, opt.Target == TargetJoint, cfg.Chains, newTarget().Dim())
	res, err := hmc.Run(ctx, newTarget, cfg, opt.Seed)
	if err != nil {
		return nil, fmt.Errorf("nuts (%s target): %w", opt.Target, err)
	}
	return nutsResult(d, prior, opt.Target, res, start), nil
}

// nutsTarget returns the constructor of one chain's target, the collapsed or
// the joint density, and, unless opt.NoPrecondition, wraps it in the affine
// map of the Laplace approximation; affine (nil without it) converts the
// sampler's coordinates back to θ.
func nutsTarget(base *lmm.Collapsed, prior lmm.Prior, opt NUTSOptions) (newTarget func() hmc.Target, affine *hmc.Affine, err error) {
	stats := base.Stats()
	switch opt.Target {
	case TargetCollapsed:
		newTarget = func() hmc.Target { return base.Clone() }
	case TargetJoint:
		joint := lmm.NewJointStats(stats, prior)
		newTarget = func() hmc.Target { return joint.Clone() }
	default:
		return nil, nil, fmt.Errorf("unknown target %q (want %s or %s)", opt.Target, TargetCollapsed, TargetJoint)
	}
	if opt.NoPrecondition {
		return newTarget, nil, nil
	}
	if mode, chol, ok := laplace(stats, prior); ok {
		plain := newTarget
		newTarget = func() hmc.Target { return hmc.NewAffine(plain(), mode, chol) }
		affine = hmc.NewAffine(plain(), mode, chol)
	}
	return newTarget, affine, nil
}

// nutsConfig translates the options into hmc's configuration, with room
// for the global parameters and the random effects of every draw; Chains
// is resolved to hmc's default when zero.
func nutsConfig(d *lmm.Design, opt NUTSOptions) hmc.Config {
	cfg := hmc.Config{
		Chains: opt.Chains, Warmup: opt.Warmup, Draws: opt.Draws,
		MaxDepth: opt.MaxDepth, TargetAccept: opt.TargetAccept,
		Progress: opt.Progress,
		ExtraDim: d.Dim() + d.M()*d.Q(),
	}
	if opt.Dense {
		cfg.Metric = hmc.DenseMetricKind
	}
	if cfg.Chains == 0 {
		cfg.Chains = hmc.DefaultChains
	}
	return cfg
}

// completeDraws returns hmc's OnDraw for dim-dimensional draws: it maps a
// draw back to θ (through affine, when preconditioned), writes the global
// parameters on their natural scale and completes the random effects, by
// an exact conditional draw (collapsed target, one workspace per chain) or
// as diag(σ_b)L·z (joint target).
func completeDraws(d *lmm.Design, base *lmm.Collapsed, prior lmm.Prior, affine *hmc.Affine, joint bool, chains, dim int) func(int, *rand.Rand, []float64, []float64) error {
	nGlobal := d.Dim()
	stats := base.Stats()
	conds := make([]*lmm.Collapsed, chains)
	joints := make([]*lmm.Joint, chains)
	thetas := make([][]float64, chains)
	chols := make([][]float64, chains)
	for c := range conds {
		conds[c] = base.Clone()
		if joint {
			joints[c] = lmm.NewJointStats(stats, prior)
		}
		thetas[c] = make([]float64, dim)
		chols[c] = make([]float64, d.Q()*d.Q())
	}
	return func(chain int, rng *rand.Rand, x, extra []float64) error {
		if affine != nil {
			affine.ToTarget(thetas[chain], x)
			x = thetas[chain]
		}
		stats.Natural(extra[:nGlobal], x, chols[chain])
		b := extra[nGlobal:]
		if joint {
			joints[chain].RandomEffects(b, x)
			return nil
		}
		if !conds[chain].SampleRandomEffects(rng, x[:nGlobal], b) {
			return fmt.Errorf("random effects: non-finite parameters %v", x[:nGlobal])
		}
		return nil
	}
}

// nutsResult summarizes a finished run in the common schema: the
// summaries, the sampler's diagnostics, the timing and the warnings.
func nutsResult(d *lmm.Design, prior lmm.Prior, target string, res *hmc.Result, start time.Time) *Result {
	draws := &Draws{Names: append(d.Names(), d.RandomNames()...), Chains: res.Extra}
	globals, random := summarize(draws, d.Dim(), true)
	out := &Result{
		Method:        "nuts",
		Target:        target,
		Formula:       d.Formula,
		NObs:          d.N(),
		NGroups:       d.M(),
		Prior:         prior.SpecJSON(d),
		Parameters:    globals,
		RandomEffects: random,
		Diagnostics: Diagnostics{
			Divergences:   res.Divergences(),
			TreedepthHits: res.TreeDepthHits(),
			EBFMI:         nums(res.EBFMI()),
			StepSize:      res.StepSize,
		},
		Timing: Timing{
			Wall:     time.Since(start).Seconds(),
			Warmup:   slices.Max(res.WarmupTime).Seconds(),
			Sampling: slices.Max(res.SamplingTime).Seconds(),
		},
		Draws: draws,
	}
	out.Diagnostics.MeanTreeDepth, out.Diagnostics.MeanLeapfrog = treeMeans(res)
	out.Warnings = append(append([]string{}, res.Warnings...), convergenceWarnings(globals, random, res.Chains)...)
	return out
}

// treeMeans returns the mean tree depth and the mean number of leapfrog
// steps per kept draw.
func treeMeans(res *hmc.Result) (depth, leapfrog float64) {
	var n float64
	for _, infos := range res.Info {
		for _, in := range infos {
			depth += float64(in.Depth)
			leapfrog += float64(in.NLeapfrog)
			n++
		}
	}
	return depth / n, leapfrog / n
}

// nums converts to Num, so that NaN marshals as null.
func nums(x []float64) []Num {
	out := make([]Num, len(x))
	for i, v := range x {
		out[i] = Num(v)
	}
	return out
}
