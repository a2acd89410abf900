package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"time"

	"github.com/metabeta-go/metabeta"
	"github.com/metabeta-go/metabeta/npe/estimator"
	"github.com/metabeta-go/metabeta/reports"
	"github.com/metabeta-go/metabeta/sim"
)

// trainFile is the --config file of train: the architecture and the
// training options. Omitted fields keep the shipped recipe's values
// (estimator.TrainDefault).
type trainFile struct {
	Model estimator.Config `json:"model"`
	Train struct {
		Steps           int     `json:"steps"`
		BatchSize       int     `json:"batch_size"`
		LR              float64 `json:"lr"`
		Seed            uint64  `json:"seed"`
		ValidationSize  int     `json:"validation_size"`
		ValidateEvery   int     `json:"validate_every"`
		CheckpointEvery int     `json:"checkpoint_every"`
		Patience        int     `json:"patience"`
		// Designs is the simulator's mix of designs: "training"
		// (sim.TrainingMix: synthetic, shifted, longitudinal, between-group
		// and subsampled real designs; the recipe's) or "synthetic"
		// (sim.DefaultConfig, the first models').
		Designs string `json:"designs"`
	} `json:"train"`
}

// Simulator mixes of trainFile's designs.
const (
	designsTraining  = "training"
	designsSynthetic = "synthetic"
)

// trainingSimulator returns the simulator of a designs value and the range
// of group sizes it trains the model on (estimator.Config.Trained): 1–100
// for the training mix, whose shifted, between-group and longitudinal
// families have groups of one row (only the subsampled exam design has
// larger groups than 100, up to 198, and rarely); the zero range (2–100)
// for the synthetic simulator.
func trainingSimulator(designs string) (*sim.Simulator, estimator.TrainedRange, error) {
	switch designs {
	case designsSynthetic:
		s, err := sim.New(sim.DefaultConfig())
		return s, estimator.TrainedRange{}, err
	case designsTraining:
		cfg, err := sim.TrainingMix(metabeta.Datasets())
		if err != nil {
			return nil, estimator.TrainedRange{}, err
		}
		s, err := sim.New(cfg)
		return s, estimator.TrainedRange{MinGroupSize: 1, MaxGroupSize: 100}, err
	default:
		return nil, estimator.TrainedRange{}, fmt.Errorf("train.designs %q, want %q or %q", designs, designsTraining, designsSynthetic)
	}
}

func defaultTrainFile() trainFile {
	r := estimator.TrainDefault()
	var f trainFile
	f.Model = r.Config
	t := &f.Train
	t.Steps, t.BatchSize, t.LR, t.Seed = r.Train.Steps, r.Train.BatchSize, r.Train.LR, r.Train.Seed
	t.ValidationSize, t.ValidateEvery = r.Train.ValidationSize, r.Train.ValidateEvery
	t.CheckpointEvery, t.Patience = r.Train.CheckpointEvery, r.Train.Patience
	t.Designs = designsTraining
	return f
}

func runTrain(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("train", stderr)
	configPath := fs.String("config", "", "JSON file with \"model\" (architecture) and \"train\" (steps, batch_size, lr, seed, validation_size, validate_every, checkpoint_every, patience, designs); omitted fields keep the shipped recipe")
	out := fs.String("out", "", "model file to write; OUT.ckpt, OUT.log.csv and OUT.loss.{svg,png} go beside it")
	resume := fs.Bool("resume", false, "continue from OUT.ckpt")
	steps := fs.Int("steps", 0, "override the number of optimizer steps (at least 1; omit for the recipe's or the config file's count)")
	quiet := fs.Bool("quiet", false, "print nothing but errors")
	showConfig := fs.Bool("print-config", false, "print the resolved configuration as JSON and exit")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	tf := defaultTrainFile()
	if *configPath != "" {
		raw, err := os.ReadFile(*configPath)
		if err != nil {
			return fmt.Errorf("--config: %w", err)
		}
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&tf); err != nil {
			return fmt.Errorf("--config %s: %w", *configPath, err)
		}
		if err := tf.Model.Check(); err != nil {
			return fmt.Errorf("--config %s: model: %w", *configPath, err)
		}
	}
	if flagSet(fs, "steps") {
		if *steps < 1 {
			return usageError("--steps %d: want at least 1; omit --steps to train for the configured %d steps (the shipped recipe's, or train.steps of --config)", *steps, tf.Train.Steps)
		}
		tf.Train.Steps = *steps
	}
	if *showConfig {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(tf)
	}
	if *out == "" {
		return usageError("--out is required")
	}
	simulator, trained, err := trainingSimulator(tf.Train.Designs)
	if err != nil {
		return fmt.Errorf("--config: %w", err)
	}
	tf.Model.Trained = trained
	if *quiet {
		stdout = io.Discard
	}
	logFile, err := os.OpenFile(*out+".log.csv", os.O_CREATE|os.O_WRONLY|logMode(*resume), 0o644)
	if err != nil {
		return fmt.Errorf("training log: %w", err)
	}
	defer logFile.Close()
	bar := newCountBar(stderr, *quiet, "train")
	lastVal := math.NaN()
	recipe := estimator.Recipe{Config: tf.Model, Train: estimator.TrainOptions{
		Steps: tf.Train.Steps, BatchSize: tf.Train.BatchSize, LR: tf.Train.LR, Seed: tf.Train.Seed,
		ValidationSize: tf.Train.ValidationSize, ValidateEvery: tf.Train.ValidateEvery,
		CheckpointPath: *out + ".ckpt", CheckpointEvery: tf.Train.CheckpointEvery, Resume: *resume,
		Patience: tf.Train.Patience, Log: logFile, Simulator: simulator,
		Progress: func(step, total int, trainNLL, valNLL float64) {
			if !math.IsNaN(valNLL) {
				lastVal = valNLL
			}
			bar.describe(fmt.Sprintf("train nll %.3f val %.3f", trainNLL, lastVal))
			bar.set(step, total)
		},
	}}
	start := time.Now()
	m, res, err := recipe.Fit(ctx)
	bar.finish()
	if err != nil {
		return fmt.Errorf("train: %w", err)
	}
	if err := writeFile(*out, m.Save); err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	if err := saveLossPlot(*out); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "trained %d steps on %d datasets in %.0f s (this call %.0f s); best validation NLL %.4f at step %d%s\n",
		res.Steps, res.DatasetsSeen, res.Seconds, time.Since(start).Seconds(), res.BestValNLL, res.BestStep, earlyNote(res.EarlyStopped))
	fmt.Fprintf(stdout, "wrote %s, %s.ckpt, %s.log.csv and %s.loss.{svg,png}\n", *out, *out, *out, *out)
	for _, w := range res.Warnings {
		fmt.Fprintln(stdout, "warning:", w)
	}
	return nil
}

// flagSet reports whether the flag name was given on the command line.
func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

func logMode(resume bool) int {
	if resume {
		return os.O_APPEND
	}
	return os.O_TRUNC
}

func earlyNote(early bool) string {
	if early {
		return " (stopped early)"
	}
	return ""
}

// saveLossPlot draws OUT.loss.{svg,png} from the training log OUT.log.csv.
func saveLossPlot(out string) error {
	raw, err := os.ReadFile(out + ".log.csv")
	if err != nil {
		return fmt.Errorf("training log: %w", err)
	}
	var c reports.LossCurve
	for i, line := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
		var step, seen, tr, val, lr, sec float64
		if i == 0 || strings.HasPrefix(line, "step") {
			continue // the header, repeated by resumed runs
		}
		if _, err := fmt.Sscanf(strings.ReplaceAll(line, ",", " "), "%g %g %g %g %g %g", &step, &seen, &tr, &val, &lr, &sec); err != nil {
			return fmt.Errorf("training log line %d: %w", i+1, err)
		}
		c.Step, c.Train, c.Validation = append(c.Step, step), append(c.Train, tr), append(c.Validation, val)
	}
	if len(c.Step) == 0 {
		return nil
	}
	p, err := reports.LossPlot("Training of "+out, c)
	if err != nil {
		return err
	}
	_, _, err = reports.SaveFigure(p, 0, 0, out+".loss")
	return err
}
