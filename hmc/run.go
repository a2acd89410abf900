package hmc

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"time"
)

// ErrNoValidInit is returned when no initial point with a finite log
// density and gradient was found.
var ErrNoValidInit = errors.New("hmc: no initial point with finite log density and gradient")

// Run draws cfg.Draws kept draws from each of cfg.Chains chains after
// cfg.Warmup iterations of Stan's windowed adaptation (see the package
// documentation). Each chain runs in its own goroutine with its own Target
// from newTarget and its own generator rand.New(rand.NewPCG(seed, chain)),
// so the result depends on seed only, not on GOMAXPROCS or scheduling.
// Invalid configuration, initialization and numerical failures are
// returned as errors; cancelling ctx stops every chain.
func Run(ctx context.Context, newTarget func() Target, cfg Config, seed uint64) (*Result, error) {
	if newTarget == nil {
		return nil, errors.New("hmc: newTarget is nil")
	}
	targets := []Target{newTarget()}
	cfg, err := cfg.withDefaults(targets[0].Dim())
	if err != nil {
		return nil, err
	}
	dim := targets[0].Dim()
	for c := 1; c < cfg.Chains; c++ {
		t := newTarget()
		if t.Dim() != dim {
			return nil, fmt.Errorf("hmc: newTarget returned dimensions %d and %d", dim, t.Dim())
		}
		targets = append(targets, t)
	}

	res := &Result{
		Dim: dim, ExtraDim: cfg.ExtraDim, Chains: cfg.Chains, Warmup: cfg.Warmup,
		NumDraws: cfg.Draws, MaxDepth: cfg.MaxDepth, Metric: cfg.Metric,
		Draws:             make([][]float64, cfg.Chains),
		Extra:             make([][]float64, cfg.Chains),
		Info:              make([][]Info, cfg.Chains),
		StepSize:          make([]float64, cfg.Chains),
		InvMetric:         make([][]float64, cfg.Chains),
		WarmupTime:        make([]time.Duration, cfg.Chains),
		SamplingTime:      make([]time.Duration, cfg.Chains),
		WarmupDivergences: make([]int, cfg.Chains),
	}
	errs := make([]error, cfg.Chains)
	var wg sync.WaitGroup
	for c := range cfg.Chains {
		wg.Go(func() {
			if err := runChain(ctx, c, targets[c], cfg, seed, res); err != nil {
				errs[c] = fmt.Errorf("hmc: chain %d: %w", c, err)
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	res.Warnings = res.warnings()
	return res, nil
}

// initialize sets s to a starting point with finite log density and
// gradient: cfg.Init[chain] if given, otherwise uniform(−R, R) draws, up to
// MaxInitAttempts of them (Stan's services/util/initialize).
func initialize(rng *rand.Rand, t Target, cfg Config, chain int, s *State) error {
	if cfg.Init != nil {
		copy(s.X, cfg.Init[chain])
		s.Evaluate(t)
		if !finiteState(s) {
			return fmt.Errorf("Config.Init[%d]: %w", chain, ErrNoValidInit)
		}
		return nil
	}
	for range MaxInitAttempts {
		for i := range s.X {
			s.X[i] = cfg.InitRadius * (2*rng.Float64() - 1)
		}
		s.Evaluate(t)
		if finiteState(s) {
			return nil
		}
	}
	return fmt.Errorf("%d uniform(−%g, %g) attempts: %w", MaxInitAttempts, cfg.InitRadius, cfg.InitRadius, ErrNoValidInit)
}

func finiteState(s *State) bool {
	if math.IsNaN(s.LogDensity) || math.IsInf(s.LogDensity, 0) {
		return false
	}
	for _, g := range s.Grad {
		if math.IsNaN(g) || math.IsInf(g, 0) {
			return false
		}
	}
	return true
}

// metricAdapter estimates the inverse metric from one window's draws.
type metricAdapter interface {
	restart()
	add(x []float64)
	update() error // set the regularized estimate on the metric
}

type diagAdapter struct {
	w   *welfordVar
	m   *DiagMetric
	buf []float64
}

func (a *diagAdapter) restart()        { a.w.restart() }
func (a *diagAdapter) add(x []float64) { a.w.add(x) }
func (a *diagAdapter) update() error {
	a.w.regularized(a.buf)
	return a.m.SetInvMass(a.buf)
}

type denseAdapter struct {
	w   *welfordCov
	m   *DenseMetric
	buf []float64
}

func (a *denseAdapter) restart()        { a.w.restart() }
func (a *denseAdapter) add(x []float64) { a.w.add(x) }
func (a *denseAdapter) update() error {
	a.w.regularized(a.buf)
	return a.m.SetInvMass(a.buf)
}

// runChain runs one chain and stores its output in res at index chain:
// initialization and the first step-size search (startChain), warmup
// (chain.warmup) and sampling (chain.sample).
func runChain(ctx context.Context, index int, t Target, cfg Config, seed uint64, res *Result) error {
	c, err := startChain(index, t, cfg, seed)
	if err != nil {
		return err
	}
	start := time.Now()
	if err := c.warmup(ctx, res); err != nil {
		return err
	}
	c.kernel.StepSize = c.da.Final()
	res.WarmupTime[index] = time.Since(start)
	return c.sample(ctx, res)
}

// chain is one chain's sampler state, carried from phase to phase.
type chain struct {
	index   int
	cfg     Config
	seed    uint64
	rng     *rand.Rand
	t       Target
	s       *State
	metric  Metric
	adapter metricAdapter
	kernel  *NUTS
	probe   *stepSizeProbe
	da      *DualAveraging
}

// newMetric returns the unit metric of the kind and its window estimator.
func newMetric(kind MetricKind, dim int) (Metric, metricAdapter) {
	if kind == DenseMetricKind {
		m := NewDenseMetric(dim)
		return m, &denseAdapter{w: newWelfordCov(dim), m: m, buf: make([]float64, dim*dim)}
	}
	m := NewDiagMetric(dim)
	return m, &diagAdapter{w: newWelfordVar(dim), m: m, buf: make([]float64, dim)}
}

// startChain seeds the chain's generator rand.New(rand.NewPCG(seed,
// index)), finds its initial point, builds the unit metric and the kernel,
// and sets the first step size by the heuristic search, with dual
// averaging's μ set from the user step size.
func startChain(index int, t Target, cfg Config, seed uint64) (*chain, error) {
	c := &chain{index: index, cfg: cfg, seed: seed, rng: rand.New(rand.NewPCG(seed, uint64(index))), t: t}
	dim := t.Dim()
	c.s = NewState(dim)
	if err := initialize(c.rng, t, cfg, index, c.s); err != nil {
		return nil, err
	}
	c.metric, c.adapter = newMetric(cfg.Metric, dim)
	c.kernel = NewNUTS(t, c.metric, cfg.StepSize, cfg.MaxDepth)
	c.probe = newStepSizeProbe(dim)
	c.da = NewDualAveraging(cfg.TargetAccept, cfg.StepSize)
	eps, err := c.probe.search(c.rng, t, c.metric, c.s, cfg.StepSize)
	if err != nil {
		return nil, fmt.Errorf("initial step size: %w", err)
	}
	c.kernel.StepSize = eps
	return c, nil
}

// warmup runs cfg.Warmup iterations of Stan's adapt_diag_e_nuts::transition:
// the NUTS transition, then the dual-averaging update, then the metric
// estimator; at the end of each metric window it sets the metric (endWindow).
func (c *chain) warmup(ctx context.Context, res *Result) error {
	windows := WindowSchedule(c.cfg.Warmup)
	w := 0
	for it := range c.cfg.Warmup {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("warmup iteration %d: %w", it, err)
		}
		info := c.kernel.Transition(c.rng, c.s)
		if info.Divergent {
			res.WarmupDivergences[c.index]++
		}
		c.kernel.StepSize = c.da.Update(info.AcceptStat)
		if w < len(windows) && it >= windows[w].Start {
			c.adapter.add(c.s.X)
			if it == windows[w].End {
				if err := c.endWindow(windows[w]); err != nil {
					return err
				}
				w++
			}
		}
		if c.cfg.Progress != nil {
			c.cfg.Progress(c.index, it)
		}
	}
	return nil
}

// endWindow closes a metric window: it sets the regularized estimate on the
// metric and restarts the estimator, reruns the step-size heuristic from the
// current step size, resets μ to log(10ε) and restarts dual averaging.
func (c *chain) endWindow(win Window) error {
	if err := c.adapter.update(); err != nil {
		return fmt.Errorf("metric window [%d, %d]: %w", win.Start, win.End, err)
	}
	c.adapter.restart()
	eps, err := c.probe.search(c.rng, c.t, c.metric, c.s, c.kernel.StepSize)
	if err != nil {
		return fmt.Errorf("step size after window [%d, %d]: %w", win.Start, win.End, err)
	}
	c.kernel.StepSize = eps
	c.da.Mu = math.Log(10 * eps)
	c.da.Restart()
	return nil
}

// sample draws cfg.Draws transitions at the final step size, calls
// cfg.OnDraw (with its own generator, stream ExtraStream+index) on each,
// and stores the draws, extras, transition info, step size, inverse metric
// and sampling time in res.
func (c *chain) sample(ctx context.Context, res *Result) error {
	cfg, dim := c.cfg, c.t.Dim()
	draws := make([]float64, cfg.Draws*dim)
	infos := make([]Info, cfg.Draws)
	var extra []float64
	var extraRNG *rand.Rand
	if cfg.OnDraw != nil {
		extra = make([]float64, cfg.Draws*cfg.ExtraDim)
		extraRNG = rand.New(rand.NewPCG(c.seed, ExtraStream+uint64(c.index)))
	}
	start := time.Now()
	for i := range cfg.Draws {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("sampling iteration %d: %w", i, err)
		}
		infos[i] = c.kernel.Transition(c.rng, c.s)
		x := draws[i*dim : (i+1)*dim]
		copy(x, c.s.X)
		if cfg.OnDraw != nil {
			if err := cfg.OnDraw(c.index, extraRNG, x, extra[i*cfg.ExtraDim:(i+1)*cfg.ExtraDim]); err != nil {
				return fmt.Errorf("OnDraw at draw %d: %w", i, err)
			}
		}
		if cfg.Progress != nil {
			cfg.Progress(c.index, cfg.Warmup+i)
		}
	}
	res.SamplingTime[c.index] = time.Since(start)
	res.Draws[c.index] = draws
	res.Extra[c.index] = extra
	res.Info[c.index] = infos
	res.StepSize[c.index] = c.kernel.StepSize
	switch m := c.metric.(type) {
	case *DiagMetric:
		res.InvMetric[c.index] = m.InvMass()
	case *DenseMetric:
		res.InvMetric[c.index] = m.InvMass()
	}
	return nil
}
