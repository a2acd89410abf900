package nn

import (
	"context"
	"errors"
	"iter"
	"math"
	"math/rand/v2"
	"testing"
)

// TestReplica checks that a replica shares parameter values (an update to
// the original is seen by the replica) and owns its gradients (identical
// to the original's on the same input, without touching them).
func TestReplica(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(9, 1))
	cfg := SetTransformerConfig{In: 3, Width: 8, Heads: 2, Hidden: 6, Blocks: 2, Out: 4, Inducing: 2}
	st := NewSetTransformer("st", cfg, rng)
	rep := st.Replica()
	ps, rs := st.Params(), rep.Params()
	ps[0].Value[0] += 0.5
	if rs[0].Value[0] != ps[0].Value[0] {
		t.Fatal("replica does not share parameter values")
	}
	const b, s = 2, 4
	x, dy := randSlice(rng, b*s*cfg.In), randSlice(rng, b*cfg.Out)
	ZeroGrads(ps)
	ZeroGrads(rs)
	st.Forward(x, b, s, nil)
	st.Backward(dy)
	saved := make([][]float64, len(ps))
	for i, p := range ps {
		saved[i] = append([]float64(nil), p.Grad...)
	}
	rep.Forward(x, b, s, nil)
	rep.Backward(dy)
	for i, p := range ps {
		for j := range p.Grad {
			if p.Grad[j] != saved[i][j] {
				t.Fatalf("%s: replica backward changed the original's gradient", p.Name)
			}
			if rs[i].Grad[j] != saved[i][j] {
				t.Fatalf("%s[%d]: replica gradient %v, original %v", p.Name, j, rs[i].Grad[j], saved[i][j])
			}
		}
	}
}

// quadWorker has loss Σ_e ½(θ − e)², whose mean-loss minimizer is the mean of
// the examples (closed form).
type quadWorker struct{ p *Param }

func (w quadWorker) Params() []*Param { return []*Param{w.p} }

func (w quadWorker) Accumulate(ex []float64) (float64, error) {
	l := 0.0
	for _, e := range ex {
		d := w.p.Value[0] - e
		l += 0.5 * d * d
		w.p.Grad[0] += d
	}
	return l, nil
}

// TestTrainerRun drives Run over an iterator: it converges to the mean of
// the examples (2.5) and wraps an iterator error with the step number.
func TestTrainerRun(t *testing.T) {
	t.Parallel()
	p := NewParam("theta", 1)
	ws := []Worker[float64]{quadWorker{p}, quadWorker{p.Share()}}
	tr := NewTrainer(ws, 0, WarmupCosine{Peak: 0.1, Final: 1e-3, Warmup: 5, Total: 500}, 0)
	boom := errors.New("boom")
	seq := func(n int, fail bool) iter.Seq2[[]float64, error] {
		return func(yield func([]float64, error) bool) {
			for i := 0; i < n; i++ {
				if !yield([]float64{1, 2, 3, 4}, nil) {
					return
				}
			}
			if fail {
				yield(nil, boom)
			}
		}
	}
	steps := 0
	if err := tr.Run(context.Background(), seq(500, false), func(StepStats) { steps++ }); err != nil {
		t.Fatal(err)
	}
	if steps != 500 || p.Value[0] < 2.5-1e-3 || p.Value[0] > 2.5+1e-3 {
		t.Errorf("after %d steps θ = %v, want 2.5", steps, p.Value[0])
	}
	if err := tr.Run(context.Background(), seq(1, true), nil); !errors.Is(err, boom) {
		t.Errorf("iterator error not propagated: %v", err)
	}
}

// nanWorker returns a non-finite loss.
type nanWorker struct{ p *Param }

func (w nanWorker) Params() []*Param { return []*Param{w.p} }

func (w nanWorker) Accumulate([]float64) (float64, error) { return math.NaN(), nil }

// TestTrainerNonFinite checks that a NaN loss is an error and leaves the
// parameters unchanged.
func TestTrainerNonFinite(t *testing.T) {
	t.Parallel()
	p := NewParam("theta", 1)
	p.Value[0] = 1
	tr := NewTrainer([]Worker[float64]{nanWorker{p}}, 0, WarmupCosine{Peak: 0.1, Total: 10}, 0)
	if _, err := tr.Step([]float64{1}); err == nil || p.Value[0] != 1 {
		t.Errorf("NaN loss: err %v, θ %v", err, p.Value[0])
	}
}
