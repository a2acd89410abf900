package estimator

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"time"

	"github.com/metabeta-go/metabeta/lmm"
	"github.com/metabeta-go/metabeta/npe/nn"
	"github.com/metabeta-go/metabeta/sim"
)

// TrainOptions control Train. Zero fields take the documented defaults.
type TrainOptions struct {
	// Steps is the number of optimizer steps (default 1000) and BatchSize
	// the datasets per step (default 64). Every step draws BatchSize fresh
	// datasets from the simulator.
	Steps, BatchSize int
	// LR is the peak learning rate of the warm-up + cosine schedule
	// (default 1e-3).
	LR float64
	// Seed fixes the training stream: step t uses datasets
	// t·BatchSize … (t+1)·BatchSize−1 of sim stream Seed, so a run is
	// reproducible and a resumed run sees the same data.
	Seed uint64
	// ValidationSize is the size of the fixed validation set (default 256),
	// drawn from sim stream Seed + validationSeedOffset; ValidateEvery is
	// the number of steps between validations (default 50; the last step is
	// always validated).
	ValidationSize, ValidateEvery int
	// CheckpointPath, when set, receives a checkpoint (weights, optimizer
	// state, step, best weights) every CheckpointEvery validations
	// (default 1) and at the end. With Resume set and the file present,
	// training continues from it.
	CheckpointPath  string
	CheckpointEvery int
	Resume          bool
	// Patience stops training after that many validations without a new
	// best validation NLL (0: never stop early).
	Patience int
	// Simulator draws the training and validation data; nil means
	// sim.New(sim.DefaultConfig()).
	Simulator *sim.Simulator
	// Log, when set, receives a CSV line per validation:
	// step,datasets_seen,train_nll,val_nll,lr,seconds.
	Log io.Writer
	// Progress, when set, is called after every step with the step count
	// so far, the total, that step's training NLL and the latest validation
	// NLL (NaN before the first validation). It runs on Train's goroutine.
	Progress func(step, total int, trainNLL, valNLL float64)
}

// validationSeedOffset separates the validation stream from the training
// stream of the same seed.
const validationSeedOffset = 0x9E3779B97F4A7C15

// TrainRecord is one validation point of a training run.
type TrainRecord struct {
	Step, DatasetsSeen int
	TrainNLL, ValNLL   float64
	LR, Seconds        float64
}

// TrainResult summarizes a training run. The model holds the weights of
// the best validation NLL when Train returns.
type TrainResult struct {
	// Steps taken in total (including those before a resume),
	// DatasetsSeen the training datasets used, Skipped the simulated
	// datasets dropped because their inputs could not be prepared.
	Steps, DatasetsSeen, Skipped int
	// BestValNLL and BestStep are the best validation NLL and its step.
	BestValNLL float64
	BestStep   int
	// Seconds is the training wall time, including the runs before a
	// resume.
	Seconds float64
	// EarlyStopped is true when Patience ended the run.
	EarlyStopped bool
	// History holds every validation of this call.
	History []TrainRecord
	// Warnings note conditions the caller should see.
	Warnings []string
}

// example is a prepared dataset with its training target u.
type example struct {
	prep *prepared
	u    [FlowDim]float64
}

// simulateExamples draws datasets index0 … index0+n−1 of stream seed in
// parallel and prepares them, dropping those that fail.
func simulateExamples(s *sim.Simulator, whitened bool, seed uint64, index0, n int) ([]example, int) {
	out := make([]example, n)
	ok := make([]bool, n)
	nn.ParallelFor(n, func(i int) {
		smp, err := s.Sample(seed, index0+i)
		if err != nil {
			return
		}
		prep, err := prepare(smp.Design, smp.Prior, whitened)
		if err != nil {
			return
		}
		theta := make([]float64, smp.Design.Dim())
		lmm.NewStats(smp.Design).Theta(theta, smp.Truth)
		for _, v := range theta {
			if !isFinite(v) {
				return
			}
		}
		out[i].prep = prep
		prep.target(theta, out[i].u[:])
		ok[i] = true
	})
	kept := out[:0]
	for i := range out {
		if ok[i] {
			kept = append(kept, out[i])
		}
	}
	return kept, n - len(kept)
}

// batchOf splits examples into the model's batch inputs.
func batchOf(ex []example) ([]*prepared, []float64) {
	preps := make([]*prepared, len(ex))
	u := make([]float64, len(ex)*FlowDim)
	for i := range ex {
		preps[i] = ex[i].prep
		copy(u[i*FlowDim:], ex[i].u[:])
	}
	return preps, u
}

// evalNLL returns the mean NLL of the model on examples, in chunks.
func (m *Model) evalNLL(ex []example) (float64, error) {
	const chunk = 64
	total := 0.0
	for lo := 0; lo < len(ex); lo += chunk {
		hi := min(len(ex), lo+chunk)
		preps, u := batchOf(ex[lo:hi])
		v, err := m.nll(preps, u, false)
		if err != nil {
			return 0, err
		}
		total += v * float64(hi-lo)
	}
	return total / float64(len(ex)), nil
}

// Train fits model to online simulations (see TrainOptions): every step
// draws a fresh minibatch, prepares it in parallel, and takes one AdamW
// step on the mean negative log density of the standardized true θ under
// the flow, with gradient clipping and a warm-up + cosine learning rate. The
// fixed validation set is scored every ValidateEvery steps; the best
// weights are kept and restored at the end. It returns when the steps are
// done, Patience runs out, ctx is cancelled (with ctx's error, after
// writing a checkpoint) or an error occurs.
func Train(ctx context.Context, model *Model, opts TrainOptions) (*TrainResult, error) {
	opts = opts.withDefaults()
	if opts.Steps < 0 || opts.BatchSize < 0 || opts.ValidationSize < 0 || opts.ValidateEvery < 0 ||
		opts.CheckpointEvery < 0 || opts.Patience < 0 || !(opts.LR > 0) {
		return nil, fmt.Errorf("estimator: invalid training options %+v", opts)
	}
	start := time.Now()
	simulator := opts.Simulator
	if simulator == nil {
		var err error
		if simulator, err = sim.New(sim.DefaultConfig()); err != nil {
			return nil, fmt.Errorf("estimator: simulator: %w", err)
		}
	}
	cfg := model.Config
	params := model.Params()
	opt := nn.NewAdamW(params, cfg.WeightDecay)
	sched := nn.WarmupCosine{Peak: opts.LR, Final: opts.LR * cfg.FinalLRFraction,
		Warmup: min(cfg.WarmupSteps, opts.Steps/10+1), Total: opts.Steps}
	res := &TrainResult{BestValNLL: math.Inf(1), BestStep: -1}
	best := cloneValues(params)
	tr := &trainState{}
	if opts.Resume && opts.CheckpointPath != "" {
		found, err := loadCheckpoint(opts.CheckpointPath, model, opt, best, tr)
		if err != nil {
			return nil, err
		}
		if found {
			res.BestValNLL, res.BestStep = tr.bestVal, tr.bestStep
			res.DatasetsSeen, res.Skipped = tr.seen, tr.skipped
		}
	}
	val, skipped := simulateExamples(simulator, cfg.whitened(), opts.Seed+validationSeedOffset, 0, opts.ValidationSize)
	if len(val) == 0 {
		return nil, errors.New("estimator: no usable validation dataset")
	}
	if skipped > 0 {
		res.Warnings = append(res.Warnings, fmt.Sprintf("%d of %d validation datasets could not be prepared", skipped, opts.ValidationSize))
	}
	if opts.Log != nil && tr.step == 0 {
		if _, err := fmt.Fprintln(opts.Log, "step,datasets_seen,train_nll,val_nll,lr,seconds"); err != nil {
			return nil, fmt.Errorf("estimator: writing log: %w", err)
		}
	}
	save := func() error {
		if opts.CheckpointPath == "" {
			return nil
		}
		tr.seen, tr.skipped, tr.bestVal, tr.bestStep = res.DatasetsSeen, res.Skipped, res.BestValNLL, res.BestStep
		return saveCheckpoint(opts.CheckpointPath, model, opt, best, tr)
	}
	trainSum, trainCount, validations := 0.0, 0, 0
	lastVal := math.NaN()
	for tr.step < opts.Steps {
		if err := ctx.Err(); err != nil {
			res.Steps = tr.step
			if serr := save(); serr != nil {
				return res, serr
			}
			return res, err
		}
		ex, skip := simulateExamples(simulator, cfg.whitened(), opts.Seed, tr.step*opts.BatchSize, opts.BatchSize)
		res.Skipped += skip
		if len(ex) == 0 {
			return res, fmt.Errorf("estimator: step %d: no usable dataset in the batch", tr.step)
		}
		preps, u := batchOf(ex)
		if tr.step == 0 {
			model.flow.InitData(u, model.contextOf(preps), model.dimMaskOf(preps), len(preps))
		}
		nn.ZeroGrads(params)
		loss, err := model.nll(preps, u, true)
		if err != nil {
			return res, fmt.Errorf("estimator: step %d: %w", tr.step, err)
		}
		nn.ClipGradNorm(params, cfg.ClipNorm)
		lr := sched.LR(tr.step)
		opt.Step(lr)
		tr.step++
		res.DatasetsSeen += len(ex)
		trainSum += loss
		trainCount++
		if tr.step%opts.ValidateEvery != 0 && tr.step != opts.Steps {
			if opts.Progress != nil {
				opts.Progress(tr.step, opts.Steps, loss, lastVal)
			}
			continue
		}
		vnll, err := model.evalNLL(val)
		if err != nil {
			return res, fmt.Errorf("estimator: validation at step %d: %w", tr.step, err)
		}
		rec := TrainRecord{Step: tr.step, DatasetsSeen: res.DatasetsSeen, TrainNLL: trainSum / float64(trainCount),
			ValNLL: vnll, LR: lr, Seconds: tr.seconds + time.Since(start).Seconds()}
		res.History = append(res.History, rec)
		trainSum, trainCount = 0, 0
		if opts.Log != nil {
			if _, err := fmt.Fprintf(opts.Log, "%d,%d,%.6g,%.6g,%.6g,%.3f\n", rec.Step, rec.DatasetsSeen, rec.TrainNLL, rec.ValNLL, rec.LR, rec.Seconds); err != nil {
				return res, fmt.Errorf("estimator: writing log: %w", err)
			}
		}
		lastVal = vnll
		if opts.Progress != nil {
			opts.Progress(tr.step, opts.Steps, loss, vnll)
		}
		if vnll < res.BestValNLL {
			res.BestValNLL, res.BestStep = vnll, tr.step
			copyValues(best, params)
			tr.bad = 0
		} else {
			tr.bad++
		}
		validations++
		if validations%opts.CheckpointEvery == 0 {
			tr.seconds += time.Since(start).Seconds()
			start = time.Now()
			if err := save(); err != nil {
				return res, err
			}
		}
		if opts.Patience > 0 && tr.bad >= opts.Patience {
			res.EarlyStopped = true
			break
		}
	}
	res.Steps = tr.step
	if err := save(); err != nil {
		return res, err
	}
	if res.BestStep >= 0 {
		copyValues(params, best)
	}
	res.Seconds = time.Since(start).Seconds() + tr.seconds
	return res, nil
}

// dimMaskOf returns the flow mask rows of a batch.
func (m *Model) dimMaskOf(batch []*prepared) []bool {
	m.fillDimMask(batch, 1)
	return m.dimMask
}

func (o TrainOptions) withDefaults() TrainOptions {
	if o.Steps == 0 {
		o.Steps = 1000
	}
	if o.BatchSize == 0 {
		o.BatchSize = 64
	}
	if o.LR == 0 {
		o.LR = 1e-3
	}
	if o.ValidationSize == 0 {
		o.ValidationSize = 256
	}
	if o.ValidateEvery == 0 {
		o.ValidateEvery = 50
	}
	if o.CheckpointEvery == 0 {
		o.CheckpointEvery = 1
	}
	return o
}

// cloneValues returns copies of the parameters' values as parameters.
func cloneValues(ps []*nn.Param) []*nn.Param {
	out := make([]*nn.Param, len(ps))
	for i, p := range ps {
		out[i] = nn.NewParam("best."+p.Name, p.Shape...)
		copy(out[i].Value, p.Value)
	}
	return out
}

// copyValues copies src's values into dst's.
func copyValues(dst, src []*nn.Param) {
	for i := range dst {
		copy(dst[i].Value, src[i].Value)
	}
}
