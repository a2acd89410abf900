package hmc

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// MetricKind selects the Euclidean metric adapted during warmup.
type MetricKind int

const (
	// DiagMetricKind adapts a diagonal inverse metric (Stan's diag_e, the
	// default).
	DiagMetricKind MetricKind = iota
	// DenseMetricKind adapts a dense inverse metric (Stan's dense_e).
	DenseMetricKind
)

// String returns "diag" or "dense".
func (k MetricKind) String() string {
	switch k {
	case DiagMetricKind:
		return "diag"
	case DenseMetricKind:
		return "dense"
	}
	return fmt.Sprintf("MetricKind(%d)", int(k))
}

// Defaults of Run, those of CmdStan.
const (
	DefaultChains     = 4
	DefaultWarmup     = 1000
	DefaultDraws      = 1000
	DefaultInitRadius = 2.0
	DefaultStepSize   = 1.0
	// MaxInitAttempts is the number of random inits tried per chain.
	MaxInitAttempts = 100
)

// Config configures Run. Zero values select the documented defaults;
// negative or otherwise invalid values make Run return an error naming the
// field.
type Config struct {
	// Chains is the number of chains, run in parallel (0: 4).
	Chains int
	// Warmup is the number of adaptation iterations (0: 1000). They are not
	// kept.
	Warmup int
	// Draws is the number of kept iterations per chain (0: 1000).
	Draws int
	// MaxDepth is the maximum tree depth (0: 10).
	MaxDepth int
	// TargetAccept is the dual-averaging target δ in (0, 1) (0: 0.8).
	TargetAccept float64
	// Metric is the metric adapted during warmup (zero: diagonal).
	Metric MetricKind
	// InitRadius R draws random inits uniform(−R, R) on the unconstrained
	// scale (0: 2).
	InitRadius float64
	// StepSize is the initial step size before the heuristic (0: 1).
	StepSize float64
	// Init, when non-nil, holds one initial point per chain (length Chains,
	// each of length Dim) instead of random inits.
	Init [][]float64
	// Progress, when non-nil, is called by each chain's goroutine after
	// every iteration (iter counts warmup and draws from 0). It must be cheap
	// and safe for concurrent use.
	Progress func(chain, iter int)
	// ExtraDim is the number of extra per-draw quantities filled by OnDraw.
	ExtraDim int
	// OnDraw, when non-nil, is called by each chain's goroutine for every
	// kept draw x (read-only), to fill extra (length ExtraDim), for example
	// random effects drawn given x. rng is a stream of its own per chain,
	// rand.NewPCG(seed, ExtraStream+chain), so OnDraw does not perturb the
	// sampler. A returned error stops the chain.
	OnDraw func(chain int, rng *rand.Rand, x, extra []float64) error
}

// ExtraStream offsets the PCG stream of OnDraw's per-chain generator.
const ExtraStream = 1 << 32

// withDefaults returns c with zero fields replaced by defaults and checks
// it against dim.
func (c Config) withDefaults(dim int) (Config, error) {
	if c.Chains == 0 {
		c.Chains = DefaultChains
	}
	if c.Warmup == 0 {
		c.Warmup = DefaultWarmup
	}
	if c.Draws == 0 {
		c.Draws = DefaultDraws
	}
	if c.MaxDepth == 0 {
		c.MaxDepth = DefaultMaxDepth
	}
	if c.TargetAccept == 0 {
		c.TargetAccept = DefaultTargetAccept
	}
	if c.InitRadius == 0 {
		c.InitRadius = DefaultInitRadius
	}
	if c.StepSize == 0 {
		c.StepSize = DefaultStepSize
	}
	switch {
	case dim < 1:
		return c, fmt.Errorf("hmc: target dimension %d, want ≥ 1", dim)
	case c.Chains < 1:
		return c, fmt.Errorf("hmc: Config.Chains = %d, want ≥ 1", c.Chains)
	case c.Warmup < 1:
		return c, fmt.Errorf("hmc: Config.Warmup = %d, want ≥ 1", c.Warmup)
	case c.Draws < 1:
		return c, fmt.Errorf("hmc: Config.Draws = %d, want ≥ 1", c.Draws)
	case c.MaxDepth < 1 || c.MaxDepth > 30:
		return c, fmt.Errorf("hmc: Config.MaxDepth = %d, want 1…30", c.MaxDepth)
	case !(c.TargetAccept > 0 && c.TargetAccept < 1):
		return c, fmt.Errorf("hmc: Config.TargetAccept = %g, want in (0, 1)", c.TargetAccept)
	case c.Metric != DiagMetricKind && c.Metric != DenseMetricKind:
		return c, fmt.Errorf("hmc: Config.Metric = %v, want diag or dense", c.Metric)
	case !(c.InitRadius > 0) || math.IsInf(c.InitRadius, 0):
		return c, fmt.Errorf("hmc: Config.InitRadius = %g, want finite and > 0", c.InitRadius)
	case !(c.StepSize > 0) || math.IsInf(c.StepSize, 0):
		return c, fmt.Errorf("hmc: Config.StepSize = %g, want finite and > 0", c.StepSize)
	case c.ExtraDim < 0:
		return c, fmt.Errorf("hmc: Config.ExtraDim = %d, want ≥ 0", c.ExtraDim)
	case c.ExtraDim > 0 && c.OnDraw == nil:
		return c, fmt.Errorf("hmc: Config.ExtraDim = %d but Config.OnDraw is nil", c.ExtraDim)
	}
	if c.Init != nil {
		if len(c.Init) != c.Chains {
			return c, fmt.Errorf("hmc: Config.Init has %d points, want one per chain (%d)", len(c.Init), c.Chains)
		}
		for i, x := range c.Init {
			if len(x) != dim {
				return c, fmt.Errorf("hmc: Config.Init[%d] has length %d, want %d", i, len(x), dim)
			}
		}
	}
	return c, nil
}
