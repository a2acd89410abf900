package flow

import (
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/metabeta-go/metabeta/npe/nn"
)

// example is one (θ, c) training pair.
type example struct{ theta, ctx []float64 }

// nllWorker is a worker computing −Σ log q(θ | c) for a flow replica.
type nllWorker struct {
	f          *Flow
	x, ctx, lp []float64
	w          []float64
}

func (w *nllWorker) Params() []*nn.Param { return w.f.Params() }

func (w *nllWorker) Accumulate(batch []example) (float64, error) {
	D, C, n := w.f.Config.Dim, w.f.Config.Context, len(batch)
	w.x, w.ctx = grow(w.x, n*D), grow(w.ctx, n*C)
	w.lp, w.w = grow(w.lp, n), grow(w.w, n)
	for i, e := range batch {
		copy(w.x[i*D:], e.theta)
		copy(w.ctx[i*C:], e.ctx)
		w.w[i] = -1
	}
	w.f.LogProb(w.lp, w.x, w.ctx, nil, n)
	loss := 0.0
	for _, v := range w.lp {
		loss -= v
	}
	w.f.Backward(nil, nil, w.w)
	return loss, nil
}

func workers(f *Flow, k int) []worker {
	ws := []worker{&nllWorker{f: f}}
	for i := 1; i < k; i++ {
		ws = append(ws, &nllWorker{f: f.Replica()})
	}
	return ws
}

// conditionalGaussian is θ | c ~ N(A c, L Lᵀ) with c ~ N(0, I₂).
type conditionalGaussian struct{ A, L [2][2]float64 }

var condGauss = conditionalGaussian{A: [2][2]float64{{1, -0.5}, {0.3, 0.8}}, L: [2][2]float64{{0.5, 0}, {0.4, 0.3}}}

func (g conditionalGaussian) draw(rng *rand.Rand) example {
	c := []float64{rng.NormFloat64(), rng.NormFloat64()}
	e0, e1 := rng.NormFloat64(), rng.NormFloat64()
	th := []float64{
		g.A[0][0]*c[0] + g.A[0][1]*c[1] + g.L[0][0]*e0,
		g.A[1][0]*c[0] + g.A[1][1]*c[1] + g.L[1][0]*e0 + g.L[1][1]*e1,
	}
	return example{th, c}
}

// logProb is the exact bivariate normal log density via the Cholesky factor.
func (g conditionalGaussian) logProb(e example) float64 {
	m0 := g.A[0][0]*e.ctx[0] + g.A[0][1]*e.ctx[1]
	m1 := g.A[1][0]*e.ctx[0] + g.A[1][1]*e.ctx[1]
	u0 := (e.theta[0] - m0) / g.L[0][0]
	u1 := (e.theta[1] - m1 - g.L[1][0]*u0) / g.L[1][1]
	return -0.5*(u0*u0+u1*u1) - 2*halfLog2Pi - math.Log(g.L[0][0]*g.L[1][1])
}

// banana is x₁ ~ N(0,1), x₂ | x₁ ~ N(x₁²/2, 0.5²); the shear has unit
// Jacobian, so its entropy is ½log(2πe) + ½log(2πe·0.25) nats (closed form).
type banana struct{}

func (banana) draw(rng *rand.Rand) example {
	x1 := rng.NormFloat64()
	return example{[]float64{x1, x1*x1/2 + 0.5*rng.NormFloat64()}, nil}
}

func (banana) logProb(e example) float64 {
	x1, x2 := e.theta[0], e.theta[1]
	u := (x2 - x1*x1/2) / 0.5
	return -0.5*(x1*x1+u*u) - 2*halfLog2Pi - math.Log(0.5)
}

// train fits f by minibatch NLL for steps steps of batch size bs and returns
// the held-out mean NLL gap E[log p − log q] (an estimate of KL(p‖q)) with
// its Monte Carlo standard error, and the model's held-out mean NLL.
func train(t *testing.T, f *Flow, draw func(*rand.Rand) example, logProb func(example) float64, steps, bs int, peak float64) (gap, mcse, nll float64) {
	t.Helper()
	rng := rand.New(rand.NewPCG(11, 1))
	tr := newTrainer(workers(f, 2), 0, nn.WarmupCosine{Peak: peak, Final: peak / 50, Warmup: steps / 20, Total: steps}, 5)
	batch := make([]example, bs)
	for s := 0; s < steps; s++ {
		for i := range batch {
			batch[i] = draw(rng)
		}
		if s == 0 {
			w := tr.Workers[0].(*nllWorker)
			w.Accumulate(batch)
			f.InitData(w.x, w.ctx, nil, bs)
		}
		if err := tr.Step(batch); err != nil {
			t.Fatal(err)
		}
	}
	const N = 20000
	test := rand.New(rand.NewPCG(12, 1))
	D, C := f.Config.Dim, f.Config.Context
	x, ctx, lq := make([]float64, N*D), make([]float64, N*C), make([]float64, N)
	lp := make([]float64, N)
	for i := 0; i < N; i++ {
		e := draw(test)
		copy(x[i*D:], e.theta)
		copy(ctx[i*C:], e.ctx)
		lp[i] = logProb(e)
	}
	f.LogProb(lq, x, ctx, nil, N)
	s, ss := 0.0, 0.0
	for i := range lq {
		d := lp[i] - lq[i]
		s += d
		ss += d * d
		nll -= lq[i]
	}
	gap = s / N
	return gap, math.Sqrt((ss/N - gap*gap) / N), nll / N
}

// TestConditionalGaussian trains an affine flow on θ | c ~ N(Ac, Σ) and
// requires the held-out NLL within 0.02 nats of the exact conditional NLL
// (assignment target), i.e. gap + 4·MCSE < 0.02.
func TestConditionalGaussian(t *testing.T) {
	rng := rand.New(rand.NewPCG(10, 1))
	f := New(Config{Dim: 2, Context: 2, Steps: 4, Hidden: 32, Depth: 2}, rng)
	steps := 600
	if testing.Short() {
		steps = 300
	}
	gap, mcse, nll := train(t, f, condGauss.draw, condGauss.logProb, steps, 128, 1e-2)
	t.Logf("conditional Gaussian: held-out NLL %.4f, gap to exact %.4f ± %.4f (MCSE)", nll, gap, mcse)
	if gap+4*mcse > 0.02 {
		t.Errorf("NLL gap %.4f ± %.4f exceeds 0.02 nats", gap, mcse)
	}
}

// TestBanana trains unconditional affine and spline flows on the 2-D banana
// and reports their held-out NLL against the exact entropy; it requires the
// paired gap E[log p − log q] + 4·MCSE under 0.05 nats (a looser bound than
// the conditional Gaussian's: the bent density needs more capacity).
func TestBanana(t *testing.T) {
	if testing.Short() {
		t.Skip("trains for several seconds")
	}
	for _, coupling := range []string{"affine", "spline"} {
		rng := rand.New(rand.NewPCG(13, 1))
		f := New(Config{Dim: 2, Context: 0, Steps: 4, Hidden: 32, Depth: 2, Coupling: coupling, Bins: 8, Bound: 4}, rng)
		gap, mcse, nll := train(t, f, banana{}.draw, banana{}.logProb, 1000, 128, 1e-2)
		entropy := 1 + 2*halfLog2Pi + math.Log(0.5)
		t.Logf("banana, %s: held-out NLL %.4f vs true entropy %.4f; gap %.4f ± %.4f (MCSE)", coupling, nll, entropy, gap, mcse)
		if gap+4*mcse > 0.05 {
			t.Errorf("%s: NLL gap %.4f ± %.4f exceeds 0.05 nats", coupling, gap, mcse)
		}
	}
}

// TestTrainerDeterministic trains with 3 workers under GOMAXPROCS 1 and 2
// and requires bitwise-identical weights.
func TestTrainerDeterministic(t *testing.T) {
	run := func(procs int) []float64 {
		old := runtime.GOMAXPROCS(procs)
		defer runtime.GOMAXPROCS(old)
		f := New(Config{Dim: 3, Context: 2, Steps: 2, Hidden: 8, Depth: 1, Base: "studentt"}, rand.New(rand.NewPCG(14, 1)))
		tr := newTrainer(workers(f, 3), 1e-4, nn.WarmupCosine{Peak: 1e-2, Final: 1e-4, Warmup: 2, Total: 20}, 1)
		rng := rand.New(rand.NewPCG(15, 1))
		batch := make([]example, 50)
		for s := 0; s < 20; s++ {
			for i := range batch {
				batch[i] = example{randSlice(rng, 3), randSlice(rng, 2)}
			}
			if err := tr.Step(batch); err != nil {
				t.Fatal(err)
			}
		}
		var w []float64
		for _, p := range f.Params() {
			w = append(w, p.Value...)
		}
		return w
	}
	a, b := run(1), run(2)
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("weight %d differs: %v (GOMAXPROCS=1) vs %v (GOMAXPROCS=2)", i, a[i], b[i])
		}
	}
}

// TestTrainStepAllocations checks the allocation target: after warm-up a
// Trainer step of a spline flow with two workers allocates nothing.
func TestTrainStepAllocations(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are meaningless under -race")
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	f := New(Config{Dim: 4, Context: 3, Steps: 2, Hidden: 16, Depth: 2, Coupling: "spline", Base: "studentt"}, rand.New(rand.NewPCG(16, 1)))
	tr := newTrainer(workers(f, 2), 1e-4, nn.WarmupCosine{Peak: 1e-3, Final: 1e-5, Warmup: 5, Total: 100}, 1)
	rng := rand.New(rand.NewPCG(17, 1))
	batch := make([]example, 200)
	for i := range batch {
		batch[i] = example{randSlice(rng, 4), randSlice(rng, 3)}
	}
	allocs := testing.AllocsPerRun(10, func() {
		if err := tr.Step(batch); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("training step allocates %v times after warm-up", allocs)
	}
}
