package metabeta

import (
	"embed"
	"io/fs"
)

// data holds the public datasets of testdata/datasets (sleepstudy,
// MathAchieve, Exam, Gcsemv; sim.RealSources gives their origins), whose
// designs the simulator subsamples for training; and the real suite of
// metabeta validate: testdata/realdata (nine datasets with rstan references,
// sources in its README.md) and testdata/reference (the reference priors and
// rstan fits of the four).
//
//go:embed testdata/datasets/*.csv testdata/realdata testdata/reference
var data embed.FS

// Datasets returns the embedded datasets as a file system laid out as the
// repository's testdata/ folder: datasets/sleepstudy.csv and so on, for
// sim.LoadRealDesigns and sim.TrainingMix, and realdata/loblolly.csv and so
// on for validate's real suite.
func Datasets() fs.FS {
	sub, err := fs.Sub(data, "testdata")
	if err != nil {
		panic("metabeta: embedded datasets: " + err.Error()) // a fixed, valid path
	}
	return sub
}
