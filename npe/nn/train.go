package nn

import (
	"context"
	"fmt"
	"iter"
	"math"
)

// Worker computes gradients for a chunk of a minibatch. Workers of one
// Trainer share parameter values and own their Grad buffers (build them with
// the layers' Replica methods), and Params must list corresponding
// parameters in the same order for every worker.
type Worker[E any] interface {
	Params() []*Param
	// Params is called once, when the Trainer is built.
	// Accumulate adds the gradient of the summed loss over examples to the
	// Grad buffers and returns the summed loss. It returns an error for
	// data or numerical failures (for example a non-finite loss).
	Accumulate(examples []E) (float64, error)
}

// Trainer runs minibatch AdamW with gradient clipping and a schedule. Each
// minibatch is cut into len(Workers) contiguous chunks, one per worker, run
// concurrently with ParallelFor; worker gradients are then summed into worker 0 in worker
// order and divided by the batch size. The chunking depends only on the
// batch size and worker count, so a fixed seed gives the same weights for
// any GOMAXPROCS.
type Trainer[E any] struct {
	// Workers run the chunks; worker 0's parameters are the model.
	Workers []Worker[E]
	// Opt updates worker 0's parameters with the rate from Schedule.
	Opt      *AdamW
	Schedule WarmupCosine
	// ClipNorm bounds the gradient norm (≤ 0: no clipping).
	ClipNorm float64

	losses []float64
	errs   []error
	params [][]*Param // each worker's Params, fetched once
	batch  []E
	per    int
	chunk  func(int)
}

// StepStats reports one optimizer step.
type StepStats struct {
	Step     int
	Loss     float64 // mean loss over the minibatch
	GradNorm float64 // before clipping
	LR       float64
}

// NewTrainer returns a trainer whose optimizer updates worker 0's
// parameters (shared by all workers).
func NewTrainer[E any](workers []Worker[E], weightDecay float64, sched WarmupCosine, clip float64) *Trainer[E] {
	if len(workers) == 0 {
		panic("nn: trainer needs a worker")
	}
	n := len(workers[0].Params())
	for _, w := range workers[1:] {
		if len(w.Params()) != n {
			panic("nn: trainer workers disagree on parameters")
		}
	}
	t := &Trainer[E]{Workers: workers, Opt: NewAdamW(workers[0].Params(), weightDecay), Schedule: sched, ClipNorm: clip,
		losses: make([]float64, len(workers)), errs: make([]error, len(workers))}
	for _, w := range workers {
		t.params = append(t.params, w.Params())
	}
	t.chunk = t.runWorker
	return t
}

// runWorker zeroes worker i's gradients and runs it on its chunk.
func (t *Trainer[E]) runWorker(i int) {
	w := t.Workers[i]
	ZeroGrads(t.params[i])
	lo, hi := min(len(t.batch), i*t.per), min(len(t.batch), (i+1)*t.per)
	t.losses[i], t.errs[i] = 0, nil
	if lo < hi {
		t.losses[i], t.errs[i] = w.Accumulate(t.batch[lo:hi])
	}
}

// Step takes one optimizer step on batch.
func (t *Trainer[E]) Step(batch []E) (StepStats, error) {
	if len(batch) == 0 {
		return StepStats{}, fmt.Errorf("nn: empty minibatch")
	}
	nw := len(t.Workers)
	t.batch, t.per = batch, (len(batch)+nw-1)/nw
	ParallelFor(nw, t.chunk)
	t.batch = nil
	loss := 0.0
	for i, err := range t.errs {
		if err != nil {
			return StepStats{}, fmt.Errorf("worker %d: %w", i, err)
		}
		loss += t.losses[i]
	}
	master := t.params[0]
	for _, ps := range t.params[1:] {
		for j, p := range ps {
			g := master[j].Grad
			for k, v := range p.Grad {
				g[k] += v
			}
		}
	}
	inv := 1 / float64(len(batch))
	for _, p := range master {
		for k := range p.Grad {
			p.Grad[k] *= inv
		}
	}
	if math.IsNaN(loss) || math.IsInf(loss, 0) {
		return StepStats{}, fmt.Errorf("nn: non-finite loss %v at step %d", loss, t.Opt.Steps())
	}
	norm := ClipGradNorm(master, t.ClipNorm)
	if math.IsNaN(norm) || math.IsInf(norm, 0) {
		return StepStats{}, fmt.Errorf("nn: non-finite gradient norm at step %d", t.Opt.Steps())
	}
	st := StepStats{Step: t.Opt.Steps(), Loss: loss * inv, GradNorm: norm, LR: t.Schedule.LR(t.Opt.Steps())}
	t.Opt.Step(st.LR)
	return st, nil
}

// Run takes one step per minibatch from batches until it ends, ctx is done
// or an error occurs, calling report (if non-nil) after every step.
func (t *Trainer[E]) Run(ctx context.Context, batches iter.Seq2[[]E, error], report func(StepStats)) error {
	for batch, err := range batches {
		if err != nil {
			return fmt.Errorf("minibatch %d: %w", t.Opt.Steps(), err)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		st, err := t.Step(batch)
		if err != nil {
			return err
		}
		if report != nil {
			report(st)
		}
	}
	return nil
}
