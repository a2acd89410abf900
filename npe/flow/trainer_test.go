package flow

import (
	"fmt"
	"math"

	"github.com/metabeta-go/metabeta/npe/nn"
)

// worker computes gradients for a chunk of a minibatch. Workers of one
// trainer share parameter values and own their Grad buffers (flow
// replicas), and list corresponding parameters in the same order.
type worker interface {
	Params() []*nn.Param
	// Accumulate adds the gradient of the summed loss over examples to the
	// Grad buffers and returns the summed loss.
	Accumulate(examples []example) (float64, error)
}

// trainer runs minibatch AdamW with gradient clipping and a schedule for
// these tests: each minibatch is cut into one contiguous chunk per worker,
// run concurrently with nn.ParallelFor; the workers' gradients are summed
// into worker 0 in worker order and divided by the batch size, so a fixed
// seed gives the same weights for any GOMAXPROCS.
type trainer struct {
	Workers  []worker
	opt      *nn.AdamW
	schedule nn.WarmupCosine
	clip     float64
	losses   []float64
	errs     []error
	params   [][]*nn.Param
	batch    []example
	per      int
	chunk    func(int)
}

func newTrainer(workers []worker, weightDecay float64, sched nn.WarmupCosine, clip float64) *trainer {
	t := &trainer{Workers: workers, opt: nn.NewAdamW(workers[0].Params(), weightDecay), schedule: sched, clip: clip,
		losses: make([]float64, len(workers)), errs: make([]error, len(workers))}
	for _, w := range workers {
		t.params = append(t.params, w.Params())
	}
	t.chunk = t.runWorker
	return t
}

// runWorker zeroes worker i's gradients and runs it on its chunk.
func (t *trainer) runWorker(i int) {
	nn.ZeroGrads(t.params[i])
	lo, hi := min(len(t.batch), i*t.per), min(len(t.batch), (i+1)*t.per)
	t.losses[i], t.errs[i] = 0, nil
	if lo < hi {
		t.losses[i], t.errs[i] = t.Workers[i].Accumulate(t.batch[lo:hi])
	}
}

// Step takes one optimizer step on batch.
func (t *trainer) Step(batch []example) error {
	nw := len(t.Workers)
	t.batch, t.per = batch, (len(batch)+nw-1)/nw
	nn.ParallelFor(nw, t.chunk)
	t.batch = nil
	loss := 0.0
	for i, err := range t.errs {
		if err != nil {
			return fmt.Errorf("worker %d: %w", i, err)
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
		return fmt.Errorf("non-finite loss %v at step %d", loss, t.opt.Steps())
	}
	nn.ClipGradNorm(master, t.clip)
	t.opt.Step(t.schedule.LR(t.opt.Steps()))
	return nil
}
