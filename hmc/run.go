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

// runChain runs one chain and stores its output in res at index chain.
// Per iteration it follows Stan's adapt_diag_e_nuts::transition: the NUTS
// transition, then the dual-averaging update, then the metric estimator;
// at the end of a metric window the step-size heuristic reruns, μ is reset
// to log(10ε) and dual averaging restarts.
func runChain(ctx context.Context, chain int, t Target, cfg Config, seed uint64, res *Result) error {
	rng := rand.New(rand.NewPCG(seed, uint64(chain)))
	dim := t.Dim()
	s := NewState(dim)
	if err := initialize(rng, t, cfg, chain, s); err != nil {
		return err
	}

	var metric Metric
	var adapter metricAdapter
	switch cfg.Metric {
	case DenseMetricKind:
		m := NewDenseMetric(dim)
		metric, adapter = m, &denseAdapter{w: newWelfordCov(dim), m: m, buf: make([]float64, dim*dim)}
	default:
		m := NewDiagMetric(dim)
		metric, adapter = m, &diagAdapter{w: newWelfordVar(dim), m: m, buf: make([]float64, dim)}
	}
	kernel := NewNUTS(t, metric, cfg.StepSize, cfg.MaxDepth)
	probe := newStepSizeProbe(dim)
	// μ is set from the user step size before the heuristic runs.
	da := NewDualAveraging(cfg.TargetAccept, cfg.StepSize)
	eps, err := probe.search(rng, t, metric, s, cfg.StepSize)
	if err != nil {
		return fmt.Errorf("initial step size: %w", err)
	}
	kernel.StepSize = eps

	windows := WindowSchedule(cfg.Warmup)
	w := 0
	start := time.Now()
	for it := range cfg.Warmup {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("warmup iteration %d: %w", it, err)
		}
		info := kernel.Transition(rng, s)
		if info.Divergent {
			res.WarmupDivergences[chain]++
		}
		kernel.StepSize = da.Update(info.AcceptStat)
		if w < len(windows) && it >= windows[w].Start {
			adapter.add(s.X)
			if it == windows[w].End {
				if err := adapter.update(); err != nil {
					return fmt.Errorf("metric window [%d, %d]: %w", windows[w].Start, windows[w].End, err)
				}
				adapter.restart()
				w++
				eps, err := probe.search(rng, t, metric, s, kernel.StepSize)
				if err != nil {
					return fmt.Errorf("step size after window [%d, %d]: %w", windows[w-1].Start, windows[w-1].End, err)
				}
				kernel.StepSize = eps
				da.Mu = math.Log(10 * eps)
				da.Restart()
			}
		}
		if cfg.Progress != nil {
			cfg.Progress(chain, it)
		}
	}
	kernel.StepSize = da.Final()
	res.WarmupTime[chain] = time.Since(start)

	draws := make([]float64, cfg.Draws*dim)
	infos := make([]Info, cfg.Draws)
	var extra []float64
	var extraRNG *rand.Rand
	if cfg.OnDraw != nil {
		extra = make([]float64, cfg.Draws*cfg.ExtraDim)
		extraRNG = rand.New(rand.NewPCG(seed, ExtraStream+uint64(chain)))
	}
	start = time.Now()
	for i := range cfg.Draws {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("sampling iteration %d: %w", i, err)
		}
		infos[i] = kernel.Transition(rng, s)
		x := draws[i*dim : (i+1)*dim]
		copy(x, s.X)
		if cfg.OnDraw != nil {
			if err := cfg.OnDraw(chain, extraRNG, x, extra[i*cfg.ExtraDim:(i+1)*cfg.ExtraDim]); err != nil {
				return fmt.Errorf("OnDraw at draw %d: %w", i, err)
			}
		}
		if cfg.Progress != nil {
			cfg.Progress(chain, cfg.Warmup+i)
		}
	}
	res.SamplingTime[chain] = time.Since(start)
	res.Draws[chain] = draws
	res.Extra[chain] = extra
	res.Info[chain] = infos
	res.StepSize[chain] = kernel.StepSize
	switch m := metric.(type) {
	case *DiagMetric:
		res.InvMetric[chain] = m.InvMass()
	case *DenseMetric:
		res.InvMetric[chain] = m.InvMass()
	}
	return nil
}
