package estimator

import (
	"bytes"
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

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
	val, _ := simulateExamples(s, m.Config.layout(), opts.Seed+validationSeedOffset, 0, opts.ValidationSize)
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
		before, after, res.BestValNLL, res.BestStep, res.DatasetsSeen, res.Seconds)
	if !(after < before) || after != res.BestValNLL {
		t.Errorf("validation NLL %v after training, %v before, best %v", after, before, res.BestValNLL)
	}
	lines := strings.Split(strings.TrimSpace(log.String()), "\n")
	if len(lines) != 4 || lines[0] != "step,datasets_seen,train_nll,val_nll,lr,seconds" {
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
	for _, o := range []TrainOptions{{Steps: -1}, {BatchSize: -2}, {LR: -1}, {Patience: -1}} {
		if _, err := Train(context.Background(), m, o); err == nil {
			t.Errorf("options %+v accepted", o)
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
