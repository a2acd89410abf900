// Package metabeta holds what the metabeta binary embeds: the default trained
// neural posterior estimator, testdata/models/default.mbw.
package metabeta

import (
	"embed"
	"errors"
	"io/fs"
)

//go:embed testdata/models
var models embed.FS

// DefaultModelPath is the embedded default model's path in the repository.
const DefaultModelPath = "testdata/models/default.mbw"

// ErrNoDefaultModel reports a build that embeds no trained model.
var ErrNoDefaultModel = errors.New("this build embeds no trained model (train one with make train-default, or pass --model FILE)")

// DefaultModel returns the bytes of the embedded default model.
func DefaultModel() ([]byte, error) {
	b, err := models.ReadFile(DefaultModelPath)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNoDefaultModel
	}
	return b, err
}
