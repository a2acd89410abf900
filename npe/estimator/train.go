package estimator

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
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
	// FineTune starts from the model's weights as they are: the flow's
	// ActNorm layers are not initialized from the first batch. Set it to
	// train a trained model further under a new schedule or objective.
	FineTune bool
	// Patience stops training after that many validations without a new
	// best validation loss (0: never stop early).
	Patience int
	// Simulator draws the training and validation data; nil means
	// sim.New(sim.DefaultConfig()).
	Simulator *sim.Simulator
	// Log, when set, receives a CSV line per validation:
	// step,datasets_seen,train_nll,val_nll,lr,seconds,val_kl (val_kl
	// empty without the reverse-KL term).
	Log io.Writer
	// WidenPriors is the fraction of training datasets (not validation
	// ones) whose stated σ_b priors are wider than those their truth was
	// drawn from: each HalfNormal scale τ_b,k times its own factor,
	// log-uniform on [1, WidenFactor] (default 100). Their data then sit
	// where σ_b ≪ τ_b, as real data under wide default priors often do and
	// the prior predictive rarely does (P(σ_b < τ_b/100) ≈ 0.8%). Their
	// truth is no draw from their prior, so they have no NLL term and train
	// through the reverse-KL and forward-IS terms alone, which need the
	// exact posterior and no truth: WidenPriors needs Config.ReverseKL > 0.
	// At 0.5 in the fine-tuning stage it passed 198, 193 and 222 of 240
	// posterior-predictive replicates of the real designs against 181, 196
	// and 213 without it, from three first stages (README); TrainDefault
	// uses 0.5 in its fine-tuning stage.
	WidenPriors, WidenFactor float64
	// Progress, when set, is called after every step with the step count
	// so far, the total, that step's training NLL and the latest validation
	// NLL (NaN before the first validation). It runs on Train's goroutine.
	Progress func(step, total int, trainNLL, valNLL float64)
}

// validationSeedOffset separates the validation stream from the training
// stream of the same seed.
const validationSeedOffset = 0x9E3779B97F4A7C15

// valKLSeedOffset fixes the stream of the validation set's reverse-KL
// draws: every validation draws the same base points, so that the
// estimates of successive validations differ by the model alone.
const valKLSeedOffset = 0xBB67AE8584CAA73B

// widenSeedOffset separates the stream that chooses and widens
// TrainOptions.WidenPriors's datasets (stream (Seed + widenSeedOffset,
// dataset index)) from the simulator's.
const widenSeedOffset = 0x3C6EF372FE94F82B

// klSeedOffset separates the stream of the reverse-KL draws
// (Config.ReverseKL; stream (Seed + klSeedOffset, step)) from the
// simulator's.
const klSeedOffset = 0x6A09E667F3BCC909

// TrainRecord is one validation point of a training run.
type TrainRecord struct {
	Step, DatasetsSeen int
	TrainNLL, ValNLL   float64
	// ValKL is the validation set's mean reverse-KL estimate (Model.evalKL)
	// when Config.ReverseKL > 0, else NaN.
	ValKL       float64
	LR, Seconds float64
}

// TrainResult summarizes a training run. The model holds the weights of
// the best validation loss when Train returns.
type TrainResult struct {
	// Steps taken in total (including those before a resume),
	// DatasetsSeen the training datasets used, Skipped the simulated
	// datasets dropped because their inputs could not be prepared.
	Steps, DatasetsSeen, Skipped int
	// BestValLoss and BestStep are the best validation loss and its step:
	// the loss that training minimizes, the validation NLL plus, with
	// Config.ReverseKL = λ > 0, λ·ValKL.
	BestValLoss float64
	BestStep    int
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

// MaxTruthU bounds the flow variable of a training target: a dataset whose
// true θ lies more than MaxTruthU Laplace standard deviations from the mode
// in some flow coordinate (|u_i| > MaxTruthU) is dropped from training and
// validation, as datasets without a Laplace approximation are. Such a
// target marks a Laplace approximation that failed, not a posterior tail:
// among 3,000 datasets of sim.TrainingMix (seed 77) max_i |u_i| had
// quantiles 1.64 (median), 5.7 (99%) and 14.4 (99.9%), and the largest,
// 35, came from a design with nearly collinear predictors. One such target
// costs O(u²) ≈ 600 nats where a typical one costs −13, so it dominates the
// gradient of its batch and teaches the flow tails far wider than any
// posterior's: sampled flow draws reached |u| ≈ 20 from base points of
// norm 4 (shipped model, loblolly, pixel, co2 and dialyzer).
const MaxTruthU = 20

// example is a prepared dataset with its training target u.
type example struct {
	prep *prepared
	u    [CorFlowDim]float64 // the first flow-dimension entries
}

// widening is TrainOptions.WidenPriors: the fraction of datasets whose σ_b
// priors are widened, and the largest factor.
type widening struct{ fraction, factor float64 }

// apply widens prior's σ_b scales when dataset index of stream seed is
// drawn for it, and reports whether it was; prior's slices are not
// modified.
func (w widening) apply(prior *lmm.Prior, seed uint64, index int) bool {
	if w.fraction <= 0 {
		return false
	}
	rng := rand.New(rand.NewPCG(seed+widenSeedOffset, uint64(index)))
	if rng.Float64() >= w.fraction {
		return false
	}
	scales := make([]float64, len(prior.SDScale))
	for k, v := range prior.SDScale {
		scales[k] = v * math.Exp(rng.Float64()*math.Log(w.factor))
	}
	prior.SDScale = scales
	return true
}

// simulateExamples draws datasets index0 … index0+n−1 of stream seed in
// parallel and prepares them, dropping those that fail; wide widens the
// priors of some (TrainOptions.WidenPriors).
func simulateExamples(s *sim.Simulator, lay layout, seed uint64, index0, n int, wide widening) ([]example, int) {
	out := make([]example, n)
	ok := make([]bool, n)
	nn.ParallelFor(n, func(i int) {
		smp, err := s.Sample(seed, index0+i)
		if err != nil {
			return
		}
		widened := wide.apply(&smp.Prior, seed, index0+i)
		prep, err := prepare(smp.Design, smp.Prior, lay)
		if err != nil || prep.untrained() != nil {
			return
		}
		prep.widened = widened
		theta := make([]float64, smp.Design.Dim())
		lmm.NewStats(smp.Design).Theta(theta, smp.Truth)
		for _, v := range theta {
			if !isFinite(v) {
				return
			}
		}
		out[i].prep = prep
		prep.target(theta, out[i].u[:prep.fd])
		for _, v := range out[i].u[:prep.fd] {
			if math.Abs(v) > MaxTruthU {
				return
			}
		}
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

// batchOf splits examples into the model's batch inputs, rows of fd flow
// slots.
func batchOf(ex []example, fd int) ([]*prepared, []float64) {
	preps := make([]*prepared, len(ex))
	u := make([]float64, len(ex)*fd)
	for i := range ex {
		preps[i] = ex[i].prep
		copy(u[i*fd:], ex[i].u[:fd])
	}
	return preps, u
}

// evalNLL returns the mean NLL of the model on examples, in chunks.
func (m *Model) evalNLL(ex []example) (float64, error) {
	const chunk = 64
	total := 0.0
	for lo := 0; lo < len(ex); lo += chunk {
		hi := min(len(ex), lo+chunk)
		preps, u := batchOf(ex[lo:hi], m.Config.flowDim())
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
	t, err := newTrainer(model, opts)
	if err != nil {
		return nil, err
	}
	for t.state.step < t.opts.Steps {
		if err := ctx.Err(); err != nil {
			t.res.Steps = t.state.step
			if serr := t.save(); serr != nil {
				return t.res, serr
			}
			return t.res, err
		}
		loss, lr, err := t.step()
		if err != nil {
			return t.res, err
		}
		if t.state.step%t.opts.ValidateEvery != 0 && t.state.step != t.opts.Steps {
			if t.opts.Progress != nil {
				t.opts.Progress(t.state.step, t.opts.Steps, loss, t.lastVal)
			}
			continue
		}
		stop, err := t.validate(loss, lr)
		if err != nil {
			return t.res, err
		}
		if stop {
			break
		}
	}
	return t.finish()
}

// trainer is the state of one Train call.
type trainer struct {
	model     *Model
	opts      TrainOptions
	simulator *sim.Simulator
	params    []*nn.Param
	opt       *nn.AdamW
	sched     nn.WarmupCosine
	// best holds the weights of the best validation loss; state the loop
	// state a checkpoint restores; val the fixed validation set.
	best  []*nn.Param
	state *trainState
	val   []example
	res   *TrainResult
	// start is when the time not yet added to state.seconds began.
	start time.Time
	// trainSum and trainCount accumulate the training NLL between
	// validations; lastVal is the latest validation NLL.
	trainSum                float64
	trainCount, validations int
	lastVal                 float64
}

// newTrainer checks opts, builds the simulator, optimizer and schedule,
// resumes from a checkpoint when asked, draws the validation set and writes
// the log header.
func newTrainer(model *Model, opts TrainOptions) (*trainer, error) {
	opts = opts.withDefaults()
	if err := opts.Check(model.Config); err != nil {
		return nil, fmt.Errorf("estimator: %w", err)
	}
	t := &trainer{model: model, opts: opts, start: time.Now(), simulator: opts.Simulator, lastVal: math.NaN()}
	if t.simulator == nil {
		var err error
		if t.simulator, err = sim.New(sim.DefaultConfig()); err != nil {
			return nil, fmt.Errorf("estimator: simulator: %w", err)
		}
	}
	cfg := model.Config
	t.params = model.Params()
	t.opt = nn.NewAdamW(t.params, cfg.WeightDecay)
	t.sched = nn.WarmupCosine{Peak: opts.LR, Final: opts.LR * cfg.FinalLRFraction,
		Warmup: min(cfg.WarmupSteps, opts.Steps/10+1), Total: opts.Steps}
	t.res = &TrainResult{BestValLoss: math.Inf(1), BestStep: -1}
	t.best = cloneValues(t.params)
	t.state = &trainState{}
	if opts.Resume && opts.CheckpointPath != "" {
		found, err := loadCheckpoint(opts.CheckpointPath, model, t.opt, t.best, t.state)
		if err != nil {
			return nil, err
		}
		if found {
			t.res.BestValLoss, t.res.BestStep = t.state.bestVal, t.state.bestStep
			t.res.DatasetsSeen, t.res.Skipped = t.state.seen, t.state.skipped
		}
	}
	val, skipped := simulateExamples(t.simulator, cfg.layout(), opts.Seed+validationSeedOffset, 0, opts.ValidationSize, widening{})
	if len(val) == 0 {
		return nil, errors.New("estimator: no usable validation dataset")
	}
	t.val = val
	if skipped > 0 {
		t.res.Warnings = append(t.res.Warnings, fmt.Sprintf("%d of %d validation datasets could not be prepared", skipped, opts.ValidationSize))
	}
	if opts.Log != nil && t.state.step == 0 {
		if _, err := fmt.Fprintln(opts.Log, "step,datasets_seen,train_nll,val_nll,lr,seconds,val_kl"); err != nil {
			return nil, fmt.Errorf("estimator: writing log: %w", err)
		}
	}
	return t, nil
}

// step simulates and prepares the next minibatch, initializes the flow's
// ActNorm layers from it on the first step, and takes one clipped AdamW
// step. It returns the batch's training NLL and the learning rate used.
func (t *trainer) step() (loss, lr float64, err error) {
	st, opts := t.state, t.opts
	ex, skip := simulateExamples(t.simulator, t.model.Config.layout(), opts.Seed, st.step*opts.BatchSize, opts.BatchSize,
		widening{opts.WidenPriors, opts.WidenFactor})
	t.res.Skipped += skip
	if len(ex) == 0 {
		return 0, 0, fmt.Errorf("estimator: step %d: no usable dataset in the batch", st.step)
	}
	preps, u := batchOf(ex, t.model.Config.flowDim())
	if st.step == 0 && !opts.FineTune {
		t.model.flow.InitData(u, t.model.contextOf(preps), t.model.dimMaskOf(preps), len(preps))
	}
	nn.ZeroGrads(t.params)
	if t.model.Config.ReverseKL > 0 {
		// The reverse-KL draws of step s come from their own stream, so a
		// resumed run draws the same ones.
		t.model.klRNG = rand.New(rand.NewPCG(opts.Seed+klSeedOffset, uint64(st.step)))
	}
	loss, err = t.model.nll(preps, u, true)
	if err != nil {
		return 0, 0, fmt.Errorf("estimator: step %d: %w", st.step, err)
	}
	nn.ClipGradNorm(t.params, t.model.Config.ClipNorm)
	lr = t.sched.LR(st.step)
	t.opt.Step(lr)
	st.step++
	t.res.DatasetsSeen += len(ex)
	t.trainSum += loss
	t.trainCount++
	return loss, lr, nil
}

// validate scores the validation set after a step with training NLL loss
// and learning rate lr: it records and logs the point, keeps the best
// weights, writes a checkpoint every CheckpointEvery validations, and
// reports stop when Patience has run out.
func (t *trainer) validate(loss, lr float64) (stop bool, err error) {
	st, opts, res := t.state, t.opts, t.res
	vnll, err := t.model.evalNLL(t.val)
	if err != nil {
		return false, fmt.Errorf("estimator: validation at step %d: %w", st.step, err)
	}
	vkl, score, klField := math.NaN(), vnll, ""
	if lambda := t.model.Config.ReverseKL; lambda > 0 {
		vkl = t.model.evalKL(t.val, rand.New(rand.NewPCG(opts.Seed+valKLSeedOffset, 0)))
		score += lambda * vkl
		klField = fmt.Sprintf("%.6g", vkl)
	}
	rec := TrainRecord{Step: st.step, DatasetsSeen: res.DatasetsSeen, TrainNLL: t.trainSum / float64(t.trainCount),
		ValNLL: vnll, ValKL: vkl, LR: lr, Seconds: st.seconds + time.Since(t.start).Seconds()}
	res.History = append(res.History, rec)
	t.trainSum, t.trainCount = 0, 0
	if opts.Log != nil {
		if _, err := fmt.Fprintf(opts.Log, "%d,%d,%.6g,%.6g,%.6g,%.3f,%s\n", rec.Step, rec.DatasetsSeen, rec.TrainNLL, rec.ValNLL, rec.LR, rec.Seconds, klField); err != nil {
			return false, fmt.Errorf("estimator: writing log: %w", err)
		}
	}
	t.lastVal = vnll
	if opts.Progress != nil {
		opts.Progress(st.step, opts.Steps, loss, vnll)
	}
	if score < res.BestValLoss {
		res.BestValLoss, res.BestStep = score, st.step
		copyValues(t.best, t.params)
		st.bad = 0
	} else {
		st.bad++
	}
	t.validations++
	if t.validations%opts.CheckpointEvery == 0 {
		st.seconds += time.Since(t.start).Seconds()
		t.start = time.Now()
		if err := t.save(); err != nil {
			return false, err
		}
	}
	if opts.Patience > 0 && st.bad >= opts.Patience {
		res.EarlyStopped = true
		return true, nil
	}
	return false, nil
}

// save writes a checkpoint when CheckpointPath is set.
func (t *trainer) save() error {
	if t.opts.CheckpointPath == "" {
		return nil
	}
	st, res := t.state, t.res
	st.seen, st.skipped, st.bestVal, st.bestStep = res.DatasetsSeen, res.Skipped, res.BestValLoss, res.BestStep
	return saveCheckpoint(t.opts.CheckpointPath, t.model, t.opt, t.best, st)
}

// finish writes the final checkpoint, restores the best weights and
// completes the result.
func (t *trainer) finish() (*TrainResult, error) {
	t.res.Steps = t.state.step
	if err := t.save(); err != nil {
		return t.res, err
	}
	if t.res.BestStep >= 0 {
		copyValues(t.params, t.best)
	}
	t.res.Seconds = time.Since(t.start).Seconds() + t.state.seconds
	return t.res, nil
}

// dimMaskOf returns the flow mask rows of a batch.
func (m *Model) dimMaskOf(batch []*prepared) []bool {
	m.fillDimMask(batch, 1)
	return m.dimMask
}

// Check reports options that cannot train a model of configuration c,
// after the defaults are applied.
func (o TrainOptions) Check(c Config) error {
	o = o.withDefaults()
	if o.Steps < 0 || o.BatchSize < 0 || o.ValidationSize < 0 || o.ValidateEvery < 0 ||
		o.CheckpointEvery < 0 || o.Patience < 0 || !(o.LR > 0) {
		return fmt.Errorf("invalid training options %+v", o)
	}
	if !(o.WidenPriors >= 0 && o.WidenPriors <= 1) {
		return fmt.Errorf("widen_priors %g, want a fraction in [0, 1]", o.WidenPriors)
	}
	if o.WidenPriors > 0 && !(o.WidenFactor >= 1 && o.WidenFactor <= 1e4) {
		return fmt.Errorf("widen_factor %g, want 1 ≤ factor ≤ 10000", o.WidenFactor)
	}
	if o.WidenPriors > 0 && !(c.ReverseKL > 0) {
		return fmt.Errorf("widen_priors %g without reverse_kl: widened datasets train through the reverse-KL term alone", o.WidenPriors)
	}
	return nil
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
	if o.WidenPriors > 0 && o.WidenFactor == 0 {
		o.WidenFactor = 100
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
