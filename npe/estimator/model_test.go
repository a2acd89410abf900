package estimator

import (
	"bytes"
	"errors"
	"math"
	"testing"

	"github.com/metabeta-go/metabeta/lmm"
	"github.com/metabeta-go/metabeta/npe/weights"
)

// TestLogQMatchesLogProb checks that log q returned with each draw equals
// the density recomputed by the forward pass: the flow's inverse (sampling)
// and forward (density) directions and the affine maps u ↔ θ' ↔ θ agree.
// Tolerance 1e-9: the two directions differ only by rounding.
func TestLogQMatchesLogProb(t *testing.T) {
	for _, fv := range []string{FlowMarginal, FlowWhitened} {
		cfg := tinyConfig()
		cfg.FlowVariable = fv
		t.Run(fv, func(t *testing.T) { testLogQMatchesLogProb(t, cfg) })
	}
	// The whitened layout with correlation slots, shape probes and the
	// marginal spline (Config.ShapeProbes, Config.MarginalSpline), and
	// with the base tail and the wide spline as well (Config.BaseTail,
	// Config.WideSpline).
	cfg := corConfig(FlowWhitened)
	cfg.ShapeProbes, cfg.MarginalSpline = true, true
	t.Run("whitened+cor+probes+marginal", func(t *testing.T) { testLogQMatchesLogProb(t, cfg) })
	cfg.BaseTail = true
	t.Run("whitened+cor+probes+marginal+tail", func(t *testing.T) { testLogQMatchesLogProb(t, cfg) })
	cfg.WideSpline = true
	t.Run("whitened+cor+probes+marginal+tail+wide", func(t *testing.T) { testLogQMatchesLogProb(t, cfg) })
	cfg.SigmaSoftplus = true
	t.Run("whitened+cor+probes+marginal+tail+wide+softplus", func(t *testing.T) { testLogQMatchesLogProb(t, cfg) })
}

func testLogQMatchesLogProb(t *testing.T, cfg Config) {
	m := New(cfg, newRand(1))
	perturbWeights(m, 0.3)
	d := simSampleWith(t, 4, 2)
	const n = 50
	post, err := m.Sample(d.Design, d.Prior, n, newRand(2))
	if err != nil {
		t.Fatal(err)
	}
	prep, err := prepare(d.Design, d.Prior, cfg.layout())
	if err != nil {
		t.Fatal(err)
	}
	fd := cfg.flowDim()
	batch := make([]*prepared, n)
	u := make([]float64, n*fd)
	logDet := make([]float64, n) // of the softplus coordinates
	for r := range batch {
		batch[r] = prep
		logDet[r] = prep.target(post.Theta[r*post.Dim:(r+1)*post.Dim], u[r*fd:(r+1)*fd])
	}
	lq := make([]float64, n)
	m.logProb(lq, batch, u)
	for r := range lq {
		got := lq[r] + prep.logDetToTheta - logDet[r]
		if math.Abs(got-post.LogQ[r]) > 1e-9*(1+math.Abs(got)) {
			t.Errorf("draw %d: recomputed log q %.12g, sampled %.12g", r, got, post.LogQ[r])
		}
	}
}

// TestPaddedDimensionsUntouched checks that the values in padded flow
// slots do not change log q (bitwise) and that sampled draws have zeros
// there.
func TestPaddedDimensionsUntouched(t *testing.T) {
	for _, fv := range []string{FlowMarginal, FlowWhitened} {
		t.Run(fv, func(t *testing.T) { testPaddedDimensionsUntouched(t, fv) })
	}
}

func testPaddedDimensionsUntouched(t *testing.T, fv string) {
	cfg := tinyConfig()
	cfg.FlowVariable = fv
	m := New(cfg, newRand(1))
	perturbWeights(m, 0.3)
	d := simSampleWith(t, 2, 1)
	prep, err := prepare(d.Design, d.Prior, cfg.layout())
	if err != nil {
		t.Fatal(err)
	}
	const n = 8
	batch := make([]*prepared, n)
	u := make([]float64, n*FlowDim)
	rng := newRand(4)
	for r := range batch {
		batch[r] = prep
		for s := 0; s < FlowDim; s++ {
			if prep.mask[s] {
				u[r*FlowDim+s] = rng.NormFloat64()
			}
		}
	}
	a := make([]float64, n)
	m.logProb(a, batch, u)
	for i := range u {
		if !prep.mask[i%FlowDim] {
			u[i] = 100 * rng.NormFloat64()
		}
	}
	b := make([]float64, n)
	m.logProb(b, batch, u)
	for r := range a {
		if a[r] != b[r] {
			t.Errorf("row %d: log q %v changed to %v with padded values", r, a[r], b[r])
		}
	}
	ctx := m.contextOf(batch[:1])
	m.fillDimMask(batch[:1], n)
	ctxRep := make([]float64, n*m.Config.Context)
	for r := 0; r < n; r++ {
		copy(ctxRep[r*m.Config.Context:], ctx)
	}
	x := make([]float64, n*FlowDim)
	m.flow.Sample(newRand(5), x, ctxRep, m.dimMask, nil, n)
	for i, v := range x {
		if !prep.mask[i%FlowDim] && v != 0 {
			t.Errorf("padded slot %d of draw %d is %v", i%FlowDim, i/FlowDim, v)
		}
	}
}

// TestSampleDeterministic checks that the same seed gives the same draws,
// random effects included, for Sample and for SampleBatch, and that
// SampleBatch of one dataset equals Sample, in both layouts (the one
// without correlation slots on uncorrelated datasets only).
func TestSampleDeterministic(t *testing.T) {
	for _, cfg := range []Config{tinyConfig(), corConfig(FlowWhitened)} {
		testSampleDeterministic(t, New(cfg, newRand(1)))
	}
}

func testSampleDeterministic(t *testing.T, m *Model) {
	d, pr := sleepstudy(t)
	a, err := m.Sample(d, pr, 100, newRand(9))
	if err != nil {
		t.Fatal(err)
	}
	b, err := m.Sample(d, pr, 100, newRand(9))
	if err != nil {
		t.Fatal(err)
	}
	equalPosteriors(t, a, b)
	batch, errs := m.SampleBatch([]*lmm.Design{d}, []lmm.Prior{pr}, 100, newRand(9))
	if errs != nil {
		t.Fatal(errs)
	}
	equalPosteriors(t, a, batch[0])

	var ds []*lmm.Design
	var prs []lmm.Prior
	for i := 0; len(ds) < 6; i++ {
		smp := simSample(t, i)
		if smp.Design.NCor() > 0 && !m.Config.Correlations {
			continue
		}
		ds, prs = append(ds, smp.Design), append(prs, smp.Prior)
	}
	x, errs := m.SampleBatch(ds, prs, 30, newRand(5))
	if errs != nil {
		t.Fatal(errs)
	}
	y, errs := m.SampleBatch(ds, prs, 30, newRand(5))
	if errs != nil {
		t.Fatal(errs)
	}
	for i := range x {
		equalPosteriors(t, x[i], y[i])
		if x[i].Dim != ds[i].Dim() || x[i].Effects != ds[i].M()*ds[i].Q() {
			t.Errorf("dataset %d: posterior of dim %d with %d effects", i, x[i].Dim, x[i].Effects)
		}
	}
}

// TestSaveLoad checks that a saved and loaded model gives identical draws
// for the same rng, and that corrupted, truncated and foreign files are
// refused with the npe/weights errors.
func TestSaveLoad(t *testing.T) {
	m := New(tinyConfig(), newRand(1))
	perturbWeights(m, 0.3)
	var buf bytes.Buffer
	if err := m.Save(&buf); err != nil {
		t.Fatal(err)
	}
	file := buf.Bytes()
	loaded, err := Load(bytes.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	sameDraws(t, m, loaded, 50)

	flipped := bytes.Clone(file)
	flipped[len(flipped)/2] ^= 0x40
	if _, err := Load(bytes.NewReader(flipped)); !errors.Is(err, weights.ErrCorrupt) {
		t.Errorf("flipped byte: error %v, want ErrCorrupt", err)
	}
	if _, err := Load(bytes.NewReader(file[:len(file)-100])); !errors.Is(err, weights.ErrCorrupt) {
		t.Errorf("truncated file: error %v, want ErrCorrupt", err)
	}
	if _, err := Load(bytes.NewReader([]byte("not a weights file at all"))); !errors.Is(err, weights.ErrFormat) {
		t.Errorf("foreign file: error %v, want ErrFormat", err)
	}
	// A valid weights file of another model (the flow alone) is a mismatch.
	var other bytes.Buffer
	if err := weights.Save(&other, m.Config, m.flow.Params()); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(&other); !errors.Is(err, weights.ErrMismatch) {
		t.Errorf("mismatched file: error %v, want ErrMismatch", err)
	}
}

// perturbWeights adds N(0, s²) noise to every weight so that a fresh model
// (whose flow starts near the identity) has non-trivial couplings.
func perturbWeights(m *Model, s float64) {
	rng := newRand(77)
	for _, p := range m.Params() {
		for i := range p.Value {
			p.Value[i] += s * rng.NormFloat64() / math.Sqrt(float64(p.Shape[0]))
		}
	}
}

func equalPosteriors(t *testing.T, a, b *Posterior) {
	t.Helper()
	eq := func(name string, x, y []float64) {
		if len(x) != len(y) {
			t.Fatalf("%s: lengths %d and %d", name, len(x), len(y))
		}
		for i := range x {
			if x[i] != y[i] {
				t.Fatalf("%s[%d]: %v != %v", name, i, x[i], y[i])
			}
		}
	}
	eq("Draws", a.Draws, b.Draws)
	eq("Theta", a.Theta, b.Theta)
	eq("LogQ", a.LogQ, b.LogQ)
	eq("RandomEffects", a.RandomEffects, b.RandomEffects)
}

// TestTrainingPassAllocs checks that, after warm-up, a training forward and
// backward pass over a prepared batch does not allocate.
func TestTrainingPassAllocs(t *testing.T) {
	m := New(tinyConfig(), newRand(1))
	ex, _ := simulateExamples(newDefaultSimulator(t), layout{}, 1, 0, 16, widening{})
	preps, u := batchOf(ex, FlowDim)
	allocs := testing.AllocsPerRun(5, func() {
		if _, err := m.nll(preps, u, true); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("%v allocations per training pass", allocs)
	}
}

// TestDrawsMatchTheta checks that the natural-scale draws are lmm's Params
// of the unconstrained draws (original-scale β from the centred βc,
// σ = exp log σ), within rounding.
func TestDrawsMatchTheta(t *testing.T) {
	m := New(tinyConfig(), newRand(1))
	d, pr := sleepstudy(t)
	post, err := m.Sample(d, pr, 20, newRand(4))
	if err != nil {
		t.Fatal(err)
	}
	s := lmm.NewStats(d)
	for r := 0; r < post.N; r++ {
		p := s.Params(post.Theta[r*post.Dim : (r+1)*post.Dim])
		want := append(append(append([]float64{}, p.Beta...), p.SigmaB...), p.Sigma)
		for i, w := range want {
			if got := post.Draws[r*post.Dim+i]; math.Abs(got-w) > 1e-12*(1+math.Abs(w)) {
				t.Errorf("draw %d, %s: %v, want %v", r, post.Names[i], got, w)
			}
		}
	}
}
