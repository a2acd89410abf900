package flow

import (
	"math/rand/v2"
	"testing"
)

// benchSpline builds the assignment's benchmark 2 flow: 8 spline steps,
// dimension 12, context 128, conditioners 2×128, batch 256.
func benchSpline() (*Flow, []float64, []float64, int) {
	const n = 256
	cfg := Config{Dim: 12, Context: 128, Steps: 8, Hidden: 128, Depth: 2, Coupling: "spline", Bins: 8, Bound: 3}
	rng := rand.New(rand.NewPCG(1, 1))
	f := New(cfg, rng)
	return f, randSlice(rng, n*cfg.Dim), randSlice(rng, n*cfg.Context), n
}

// BenchmarkSplineFlowLogProb is log q forward + backward (parameter, input
// and context gradients) for a batch of 256.
func BenchmarkSplineFlowLogProb(b *testing.B) {
	f, x, ctx, n := benchSpline()
	lp, w := make([]float64, n), make([]float64, n)
	dx, dctx := make([]float64, len(x)), make([]float64, len(ctx))
	for i := range w {
		w[i] = -1
	}
	f.LogProb(lp, x, ctx, nil, n)
	f.Backward(dx, dctx, w)
	b.ReportAllocs()
	for b.Loop() {
		f.LogProb(lp, x, ctx, nil, n)
		f.Backward(dx, dctx, w)
	}
}

// BenchmarkSplineFlowSample draws 256 samples with their log densities.
func BenchmarkSplineFlowSample(b *testing.B) {
	f, x, ctx, n := benchSpline()
	lq := make([]float64, n)
	rng := rand.New(rand.NewPCG(2, 1))
	f.Sample(rng, x, ctx, nil, lq, n)
	b.ReportAllocs()
	for b.Loop() {
		f.Sample(rng, x, ctx, nil, lq, n)
	}
}

// benchEstimatorFlow is the estimator's default flow (6 affine steps over
// 10 dimensions, context 64, one hidden layer of 128) drawing 1000 rows for
// one dataset.
func benchEstimatorFlow() (*Flow, []float64, []float64, int) {
	const n = 1000
	cfg := Config{Dim: 10, Context: 64, Steps: 6, Hidden: 128, Depth: 1, Activation: "relu"}
	rng := rand.New(rand.NewPCG(1, 1))
	return New(cfg, rng), make([]float64, n*cfg.Dim), randSlice(rng, cfg.Context), n
}

// BenchmarkSampleRepeatedContext draws 1000 rows of one dataset with its
// context repeated on every row (Sample): the ablation baseline of
// BenchmarkSampleSharedContext.
func BenchmarkSampleRepeatedContext(b *testing.B) {
	f, x, ctx, n := benchEstimatorFlow()
	rep := make([]float64, n*len(ctx))
	for r := 0; r < n; r++ {
		copy(rep[r*len(ctx):], ctx)
	}
	lq := make([]float64, n)
	rng := rand.New(rand.NewPCG(2, 1))
	f.Sample(rng, x, rep, nil, lq, n)
	b.ReportAllocs()
	for b.Loop() {
		f.Sample(rng, x, rep, nil, lq, n)
	}
}

// BenchmarkSampleSharedContext draws the same 1000 rows with SampleShared,
// which computes the context's share of each conditioner once.
func BenchmarkSampleSharedContext(b *testing.B) {
	f, x, ctx, n := benchEstimatorFlow()
	lq := make([]float64, n)
	rng := rand.New(rand.NewPCG(2, 1))
	f.SampleShared(rng, x, ctx, n, nil, lq, n)
	b.ReportAllocs()
	for b.Loop() {
		f.SampleShared(rng, x, ctx, n, nil, lq, n)
	}
}
