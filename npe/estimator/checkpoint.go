package estimator

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/metabeta-go/metabeta/npe/nn"
	"github.com/metabeta-go/metabeta/npe/weights"
)

// trainState is the loop state a checkpoint restores.
type trainState struct {
	step, seen, skipped, bestStep, bad int
	bestVal, seconds                   float64
}

// checkpointHeader is the weights-file header of a checkpoint: the model's
// architecture, marked as a checkpoint so it is never mistaken for a model.
type checkpointHeader struct {
	Kind   string `json:"kind"`
	Config Config `json:"config"`
}

// checkpointParams lists what a checkpoint stores: the weights, the
// optimizer's moments, the best weights and the loop state.
func checkpointParams(m *Model, opt *nn.AdamW, best []*nn.Param, state *nn.Param) []*nn.Param {
	ps := append([]*nn.Param{}, m.Params()...)
	ps = append(ps, opt.Moments()...)
	ps = append(ps, best...)
	return append(ps, state)
}

// saveCheckpoint writes the checkpoint atomically (temporary file, then
// rename).
func saveCheckpoint(path string, m *Model, opt *nn.AdamW, best []*nn.Param, tr *trainState) error {
	state := nn.NewParam("train.state", 8)
	copy(state.Value, []float64{float64(tr.step), float64(tr.seen), float64(tr.skipped), float64(tr.bestStep),
		float64(tr.bad), tr.bestVal, tr.seconds, float64(opt.Steps())})
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("estimator: checkpoint: %w", err)
	}
	err = weights.Save(tmp, checkpointHeader{Kind: "checkpoint", Config: m.Config}, checkpointParams(m, opt, best, state))
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("estimator: checkpoint: %w", err)
	}
	return nil
}

// loadCheckpoint restores a checkpoint into m, opt, best and tr. It
// reports false when the file does not exist.
func loadCheckpoint(path string, m *Model, opt *nn.AdamW, best []*nn.Param, tr *trainState) (bool, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("estimator: resume: %w", err)
	}
	defer f.Close()
	state := nn.NewParam("train.state", 8)
	if err := weights.Load(f, checkpointHeader{Kind: "checkpoint", Config: m.Config}, checkpointParams(m, opt, best, state)); err != nil {
		return false, fmt.Errorf("estimator: resume from %s: %w", path, err)
	}
	v := state.Value
	*tr = trainState{step: int(v[0]), seen: int(v[1]), skipped: int(v[2]), bestStep: int(v[3]), bad: int(v[4]),
		bestVal: v[5], seconds: v[6]}
	opt.SetSteps(int(v[7]))
	return true, nil
}

// LoadCheckpoint reads a training checkpoint (written by Train with
// CheckpointPath) and returns its model with the best validation weights,
// or the current weights when no validation has been recorded, so that an
// interrupted run still yields a usable model. It returns the number of
// training steps the checkpoint holds.
func LoadCheckpoint(path string) (*Model, int, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, 0, fmt.Errorf("estimator: checkpoint: %w", err)
	}
	cfg, err := checkpointConfig(data)
	if err != nil {
		return nil, 0, fmt.Errorf("estimator: checkpoint %s: %w", path, err)
	}
	m, err := newChecked(cfg)
	if err != nil {
		return nil, 0, fmt.Errorf("estimator: checkpoint %s: %w: %v", path, weights.ErrMismatch, err)
	}
	params := m.Params()
	opt := nn.NewAdamW(params, m.Config.WeightDecay)
	best := cloneValues(params)
	var tr trainState
	if _, err := loadCheckpoint(path, m, opt, best, &tr); err != nil {
		return nil, 0, err
	}
	if tr.bestStep >= 0 {
		copyValues(params, best)
	}
	return m, tr.step, nil
}

// checkpointConfig parses the model Config in a checkpoint's header.
func checkpointConfig(data []byte) (Config, error) {
	raw, err := weights.Config(data)
	if err != nil {
		return Config{}, err
	}
	var h checkpointHeader
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&h); err != nil || h.Kind != "checkpoint" {
		return Config{}, fmt.Errorf("%w: not a training checkpoint", weights.ErrMismatch)
	}
	return h.Config, nil
}
