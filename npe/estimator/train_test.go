package estimator

import (
	"bytes"
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/metabeta-go/metabeta/lmm"
	"github.com/metabeta-go/metabeta/npe/nn"
	"github.com/metabeta-go/metabeta/npe/weights"
)

// trainOpts is a short training run: 30 steps of 16 datasets, validated
// every 10 steps on 32 datasets.
func trainOpts() TrainOptions {
	return TrainOptions{Steps: 30, BatchSize: 16, LR: 2e-3, Seed: 5, ValidationSize: 32, ValidateEvery: 10}
}

// TestTrainReducesValidationNLL trains a tiny model in the shipped
// recipe's layout (whitened, with correlation slots) for 30 steps on the
// default simulator, whose datasets include correlated random effects, and
// checks that the validation NLL falls below that of the untrained model,
// that the CSV log has a header and one line per validation, and that the
// trained model samples a correlated design with finite log q.
func TestTrainReducesValidationNLL(t *testing.T) {
	m := New(corConfig(FlowWhitened), newRand(1))
	opts := trainOpts()
	s := newDefaultSimulator(t)
	val, _ := simulateExamples(s, m.Config.layout(), opts.Seed+validationSeedOffset, 0, opts.ValidationSize, widening{})
	corr := 0
	for _, ex := range val {
		if ex.prep.ncor > 0 {
			corr++
		}
	}
	if corr == 0 {
		t.Fatal("no correlated dataset among the validation set")
	}
	before, err := m.evalNLL(val)
	if err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	opts.Log = &log
	res, err := Train(context.Background(), m, opts)
	if err != nil {
		t.Fatal(err)
	}
	after, err := m.evalNLL(val)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("validation NLL %.3f → %.3f (best %.3f at step %d), %d datasets in %.2fs",
		before, after, res.BestValLoss, res.BestStep, res.DatasetsSeen, res.Seconds)
	if !(after < before) || after != res.BestValLoss {
		t.Errorf("validation NLL %v after training, %v before, best %v", after, before, res.BestValLoss)
	}
	lines := strings.Split(strings.TrimSpace(log.String()), "\n")
	if len(lines) != 4 || lines[0] != "step,datasets_seen,train_nll,val_nll,lr,seconds,val_kl" || !strings.HasSuffix(lines[1], ",") {
		t.Errorf("log:\n%s", log.String())
	}
	if res.Steps != 30 || res.DatasetsSeen+res.Skipped != 30*16 {
		t.Errorf("steps %d, datasets %d + %d skipped", res.Steps, res.DatasetsSeen, res.Skipped)
	}
	smp := corSample(t, 4, 3)
	post, err := m.Sample(smp.Design, smp.Prior, 100, newRand(3))
	if err != nil {
		t.Fatal(err)
	}
	for r, lq := range post.LogQ {
		if !isFinite(lq) {
			t.Errorf("correlated design, draw %d: log q %v", r, lq)
		}
	}
}

// TestTrainSelectsOnTrainingLoss trains a tiny model with the reverse-KL
// term and checks that every validation records a finite KL estimate in
// the history and the log, that the best weights are those of the least
// validation NLL + λ·KL, the loss being minimized, and that the estimate
// is reproducible: the same draws give the same value.
func TestTrainSelectsOnTrainingLoss(t *testing.T) {
	cfg := corConfig(FlowWhitened)
	cfg.ReverseKL, cfg.KLSamples = 0.5, 4
	m := New(cfg, newRand(1))
	opts := trainOpts()
	var log bytes.Buffer
	opts.Log = &log
	res, err := Train(context.Background(), m, opts)
	if err != nil {
		t.Fatal(err)
	}
	best, step := math.Inf(1), -1
	for _, r := range res.History {
		if !isFinite(r.ValKL) {
			t.Fatalf("step %d: validation KL %v", r.Step, r.ValKL)
		}
		if l := r.ValNLL + cfg.ReverseKL*r.ValKL; l < best {
			best, step = l, r.Step
		}
	}
	if res.BestValLoss != best || res.BestStep != step {
		t.Errorf("best validation loss %v at step %d, want %v at %d (history %+v)", res.BestValLoss, res.BestStep, best, step, res.History)
	}
	for _, line := range strings.Split(strings.TrimSpace(log.String()), "\n")[1:] {
		if strings.HasSuffix(line, ",") {
			t.Errorf("log line %q without val_kl", line)
		}
	}
	val, _ := simulateExamples(newDefaultSimulator(t), cfg.layout(), 5, 0, 20, widening{})
	a, b := m.evalKL(val, newRand(7)), m.evalKL(val, newRand(7))
	if a != b || !isFinite(a) {
		t.Errorf("evalKL %v then %v on the same draws", a, b)
	}
}

// TestTrainResume interrupts a run after 10 of 30 steps, resumes it from
// the checkpoint and checks that the weights equal those of an
// uninterrupted run bitwise (same data stream, optimizer state and step).
func TestTrainResume(t *testing.T) {
	if testing.Short() {
		t.Skip("three training runs")
	}
	dir := t.TempDir()
	opts := trainOpts()
	opts.CheckpointPath = filepath.Join(dir, "ckpt")
	ctx, cancel := context.WithCancel(context.Background())
	calls := 0
	opts.Progress = func(step, total int, _, val float64) {
		calls++
		if step != calls || total != 30 || math.IsNaN(val) != (step < 10) {
			t.Errorf("progress call %d: step %d of %d, validation NLL %v", calls, step, total, val)
		}
		if step == 10 {
			cancel()
		}
	}
	a := New(tinyConfig(), newRand(1))
	if _, err := Train(ctx, a, opts); !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted run: %v", err)
	}
	opts.Progress = nil
	opts.Resume = true
	b := New(tinyConfig(), newRand(99)) // weights come from the checkpoint
	res, err := Train(context.Background(), b, opts)
	if err != nil {
		t.Fatal(err)
	}
	if res.Steps != 30 || len(res.History) != 2 {
		t.Errorf("resumed run: %d steps, %d validations", res.Steps, len(res.History))
	}
	ref := New(tinyConfig(), newRand(1))
	opts.CheckpointPath, opts.Resume = "", false
	if _, err := Train(context.Background(), ref, opts); err != nil {
		t.Fatal(err)
	}
	pb, pr := b.Params(), ref.Params()
	for i := range pb {
		for j := range pb[i].Value {
			if pb[i].Value[j] != pr[i].Value[j] {
				t.Fatalf("%s[%d]: resumed %v, uninterrupted %v", pb[i].Name, j, pb[i].Value[j], pr[i].Value[j])
			}
		}
	}
}

// TestTrainRejectsInvalidOptions checks that bad options are an error.
func TestTrainRejectsInvalidOptions(t *testing.T) {
	m := New(tinyConfig(), newRand(1))
	for _, o := range []TrainOptions{{Steps: -1}, {BatchSize: -2}, {LR: -1}, {Patience: -1},
		{WidenPriors: -0.1}, {WidenPriors: 1.5}, {WidenPriors: math.NaN()},
		// Without the reverse-KL term, which tinyConfig lacks.
		{WidenPriors: 0.5},
	} {
		if _, err := Train(context.Background(), m, o); err == nil {
			t.Errorf("options %+v accepted", o)
		}
	}
	kl := tinyConfig()
	kl.ReverseKL, kl.KLSamples = 1, 2
	mk := New(kl, newRand(1))
	for _, o := range []TrainOptions{{WidenPriors: 0.5, WidenFactor: 0.5}, {WidenPriors: 0.5, WidenFactor: 1e5}} {
		_, err := Train(context.Background(), mk, o)
		if err == nil || !strings.Contains(err.Error(), "widen_factor") {
			t.Errorf("options %+v: error %v, want one about widen_factor", o, err)
		}
	}
}

// TestCheckpointFiles checks that a checkpoint yields a usable model
// (LoadCheckpoint), that Load refuses a checkpoint as a model file, and
// that resuming from a corrupted checkpoint is an error.
func TestCheckpointFiles(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ckpt")
	opts := trainOpts()
	opts.Steps, opts.ValidateEvery, opts.CheckpointPath = 10, 5, path
	m := New(tinyConfig(), newRand(1))
	if _, err := Train(context.Background(), m, opts); err != nil {
		t.Fatal(err)
	}
	loaded, steps, err := LoadCheckpoint(path)
	if err != nil {
		t.Fatal(err)
	}
	if steps != 10 {
		t.Errorf("checkpoint holds %d steps, want 10", steps)
	}
	sameDraws(t, m, loaded, 20)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Load(bytes.NewReader(data)); !errors.Is(err, weights.ErrMismatch) {
		t.Errorf("Load of a checkpoint: %v, want ErrMismatch", err)
	}
	data[len(data)/3] ^= 1
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	opts.Resume = true
	if _, err := Train(context.Background(), New(tinyConfig(), newRand(1)), opts); !errors.Is(err, weights.ErrCorrupt) {
		t.Errorf("resume from a corrupted checkpoint: %v, want ErrCorrupt", err)
	}
}

// TestRecipeFineTune checks a recipe with a fine-tuning stage: Fit equals
// the first stage followed by Train with FineTune on the stage's objective,
// bit for bit; the model carries the stage's objective and the result
// counts both stages' steps; a resumed Fit whose checkpoints hold every
// step trains no further; and FineTune keeps the trained weights (a step
// at a vanishing learning rate leaves the flow's ActNorm layers as they
// were, where a fresh run would initialize them from the batch).
func TestRecipeFineTune(t *testing.T) {
	if testing.Short() {
		t.Skip("five training runs")
	}
	dir := t.TempDir()
	first := trainOpts()
	first.Steps, first.ValidateEvery, first.CheckpointPath = 10, 5, filepath.Join(dir, "a.ckpt")
	stage := Stage{ReverseKL: 0.5, KLSamples: 4, KLProposalScale: 1.3, KLTailScale: 2, ForwardIS: 0.5, Train: TrainOptions{
		Steps: 10, BatchSize: 16, LR: 1e-3, Seed: 6, ValidationSize: 32, ValidateEvery: 5,
		CheckpointPath: filepath.Join(dir, "b.ckpt")}}
	r := Recipe{Config: tinyConfig(), Train: first, FineTune: &stage}
	m, res, err := r.Fit(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if res.Steps != 20 || m.Config.ReverseKL != 0.5 || m.Config.KLSamples != 4 || m.Config.KLProposalScale != 1.3 ||
		m.Config.KLTailScale != 2 || m.Config.ForwardIS != 0.5 {
		t.Errorf("fine-tuned: %d steps, objective λ %v, S %d, τ %v, τ_t %v, μ %v", res.Steps,
			m.Config.ReverseKL, m.Config.KLSamples, m.Config.KLProposalScale, m.Config.KLTailScale, m.Config.ForwardIS)
	}
	ref := New(tinyConfig(), rand.New(rand.NewPCG(first.Seed, 0)))
	plain, fine := first, stage.Train
	plain.CheckpointPath, fine.CheckpointPath, fine.FineTune = "", "", true
	if _, err := Train(context.Background(), ref, plain); err != nil {
		t.Fatal(err)
	}
	ref.Config = stage.Apply(ref.Config)
	if _, err := Train(context.Background(), ref, fine); err != nil {
		t.Fatal(err)
	}
	sameWeights(t, "Fit against the two stages", m, ref)
	r.Train.Resume, r.FineTune.Train.Resume = true, true
	again, res, err := r.Fit(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if res.Steps != 20 || len(res.History) != 0 {
		t.Errorf("resumed finished recipe: %d steps, %d new validations", res.Steps, len(res.History))
	}
	sameWeights(t, "resumed finished recipe", again, m)

	before := slicesClone(m.Params())
	still := TrainOptions{Steps: 1, BatchSize: 16, LR: 1e-300, Seed: 8, ValidationSize: 8, ValidateEvery: 1, FineTune: true}
	if _, err := Train(context.Background(), m, still); err != nil {
		t.Fatal(err)
	}
	for i, p := range m.Params() {
		for j, v := range p.Value {
			if v != before[i][j] {
				t.Fatalf("FineTune at learning rate 1e-300 moved %s[%d] from %v to %v", p.Name, j, before[i][j], v)
			}
		}
	}
}

// sameWeights fails unless a and b have bitwise equal weights.
func sameWeights(t *testing.T, what string, a, b *Model) {
	t.Helper()
	pa, pb := a.Params(), b.Params()
	for i := range pa {
		for j := range pa[i].Value {
			if pa[i].Value[j] != pb[i].Value[j] {
				t.Fatalf("%s: %s[%d] %v against %v", what, pa[i].Name, j, pa[i].Value[j], pb[i].Value[j])
			}
		}
	}
}

// slicesClone copies the values of ps.
func slicesClone(ps []*nn.Param) [][]float64 {
	out := make([][]float64, len(ps))
	for i, p := range ps {
		out[i] = append([]float64(nil), p.Value...)
	}
	return out
}

// TestStageAddsTransform checks the fine-tuning stages that add a
// transform to a trained flow (Stage.BaseTail, Stage.WideSpline): the new
// model has the transform's parameters and every parameter of the old at
// its value, and the transform starts at the identity, so that the same
// seed draws the same posterior (θ and log q within 1e-9; the identity is
// exact but for rounding: c + (x − c) in the tail, the spline's bin
// arithmetic in the wide spline).
func TestStageAddsTransform(t *testing.T) {
	for _, c := range []struct {
		name  string
		stage Stage
		added int // parameters added
		has   func(Config) bool
	}{
		{"base tail", Stage{BaseTail: true}, 2, func(c Config) bool { return c.BaseTail }},
		{"wide spline", Stage{WideSpline: true}, 4, func(c Config) bool { return c.WideSpline }},
	} {
		t.Run(c.name, func(t *testing.T) { testStageAddsTransform(t, c.stage, c.added, c.has) })
	}
}

func testStageAddsTransform(t *testing.T, stage Stage, added int, has func(Config) bool) {
	cfg := corConfig(FlowWhitened)
	cfg.MarginalSpline = true
	m := New(cfg, newRand(1))
	perturbWeights(m, 0.3)
	n := m.withConfig(stage.Apply(m.Config), 5)
	if !has(n.Config) || len(n.Params()) != len(m.Params())+added {
		t.Fatalf("option %v, %d parameters against %d", has(n.Config), len(n.Params()), len(m.Params()))
	}
	old := map[string][]float64{}
	for _, p := range m.Params() {
		old[p.Name] = p.Value
	}
	for _, p := range n.Params() {
		if v, ok := old[p.Name]; ok && !slices.Equal(v, p.Value) {
			t.Errorf("%s changed", p.Name)
		}
	}
	d, pr := sleepstudy(t)
	pa, err := m.Sample(d, pr, 400, newRand(3))
	if err != nil {
		t.Fatal(err)
	}
	pb, err := n.Sample(d, pr, 400, newRand(3))
	if err != nil {
		t.Fatal(err)
	}
	for i := range pa.Theta {
		if math.Abs(pa.Theta[i]-pb.Theta[i]) > 1e-9*(1+math.Abs(pa.Theta[i])) {
			t.Fatalf("θ[%d] %v, with the transform %v", i, pa.Theta[i], pb.Theta[i])
		}
	}
	for i := range pa.LogQ {
		if math.Abs(pa.LogQ[i]-pb.LogQ[i]) > 1e-9*(1+math.Abs(pa.LogQ[i])) {
			t.Fatalf("log q[%d] %v, with the transform %v", i, pa.LogQ[i], pb.LogQ[i])
		}
	}
	if same := m.withConfig(m.Config, 5); same != m {
		t.Error("withConfig without a new transform built a new model")
	}
}

// TestWideningApply checks TrainOptions.WidenPriors's draw: the same
// dataset index is widened the same way every time; a fraction f of
// indices is widened, each σ_b scale by its own factor whose log over log F
// is uniform on [0, 1] (means within 4 MCSE of f and 1/2, its range in
// [1, F]); the sampler's prior slices are left alone; fraction 0 widens
// nothing.
func TestWideningApply(t *testing.T) {
	const n, frac, factor = 4000, 0.3, 100.0
	w := widening{frac, factor}
	base := []float64{0.5, 2}
	widened, logs := 0, []float64{}
	for i := range n {
		pr := lmm.Prior{SDScale: base}
		if !w.apply(&pr, 7, i) {
			if &pr.SDScale[0] != &base[0] {
				t.Fatalf("index %d not widened but its scales were replaced", i)
			}
			continue
		}
		widened++
		again := lmm.Prior{SDScale: base}
		w.apply(&again, 7, i)
		for k, v := range pr.SDScale {
			if again.SDScale[k] != v {
				t.Fatalf("index %d: widened to %v then %v", i, pr.SDScale, again.SDScale)
			}
			f := v / base[k]
			if f < 1 || f > factor {
				t.Fatalf("index %d: factor %g outside [1, %g]", i, f, factor)
			}
			logs = append(logs, math.Log(f)/math.Log(factor))
		}
	}
	if base[0] != 0.5 || base[1] != 2 {
		t.Fatalf("the sampler's scales changed: %v", base)
	}
	p := float64(widened) / n
	if se := math.Sqrt(frac * (1 - frac) / n); math.Abs(p-frac) > 4*se {
		t.Errorf("widened fraction %.4f, want %.2f ± 4·%.4f", p, frac, se)
	}
	mean := 0.0
	for _, v := range logs {
		mean += v
	}
	mean /= float64(len(logs))
	if se := math.Sqrt(1.0 / 12 / float64(len(logs))); math.Abs(mean-0.5) > 4*se {
		t.Errorf("mean log factor / log F %.4f, want 0.5 ± 4·%.4f", mean, se)
	}
	pr := lmm.Prior{SDScale: base}
	if (widening{}).apply(&pr, 7, 0) {
		t.Error("fraction 0 widened a dataset")
	}
}
