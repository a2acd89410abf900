package estimator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	"github.com/metabeta-go/metabeta/npe/weights"
)

// Save writes the model's Config and weights to w in the npe/weights
// format.
func (m *Model) Save(w io.Writer) error {
	if err := weights.Save(w, m.Config, m.Params()); err != nil {
		return fmt.Errorf("estimator: saving model: %w", err)
	}
	return nil
}

// Load reads a model written by Save. The architecture is read from the
// file's header; a file that is not a weights file, is corrupted or
// truncated, or whose parameters do not match its architecture is refused
// with an error wrapping the npe/weights sentinel (ErrFormat, ErrVersion,
// ErrCorrupt, ErrMismatch).
func Load(r io.Reader) (*Model, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("estimator: reading model: %w", err)
	}
	return LoadBytes(data)
}

// LoadBytes is Load from the file's bytes (an embedded model), without
// copying them through a reader.
func LoadBytes(data []byte) (*Model, error) {
	f, err := weights.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("estimator: loading model: %w", err)
	}
	cfg, err := decodeConfig(f.Config())
	if err != nil {
		return nil, fmt.Errorf("estimator: loading model: %w", err)
	}
	m, err := newChecked(cfg)
	if err != nil {
		return nil, fmt.Errorf("estimator: loading model: %w: %v", weights.ErrMismatch, err)
	}
	if err := f.Load(m.Config, m.Params()); err != nil {
		return nil, fmt.Errorf("estimator: loading model: %w", err)
	}
	return m, nil
}

// newChecked builds a model for a config read from a file, returning an
// error instead of panicking on an invalid one.
func newChecked(cfg Config) (m *Model, err error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if cfg.Width > 4096 || cfg.Hidden > 1<<14 || cfg.Blocks > 64 || cfg.FlowSteps > 256 ||
		cfg.FlowHidden > 1<<14 || cfg.ContextHidden > 1<<14 || cfg.Context > 1<<14 || cfg.SummaryOut > 1<<14 || cfg.FlowDepth > 64 || cfg.LocalBlocks > 64 {
		return nil, fmt.Errorf("estimator: implausible architecture %+v", cfg)
	}
	// The weights overwrite every value: no initialization (nil rng, see
	// package nn's initializers).
	return New(cfg, nil), nil
}

// decodeConfig decodes the model Config in the header of a weights file
// (weights.File.Config), which weights.Parse has verified (magic, checksum,
// version).
func decodeConfig(raw []byte) (Config, error) {
	var cfg Config
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&cfg); err != nil {
		return Config{}, fmt.Errorf("%w: config: %v", weights.ErrMismatch, err)
	}
	return cfg, nil
}
