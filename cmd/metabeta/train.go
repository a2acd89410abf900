package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
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

// trainFile is the --config file of train: the architecture, the training
// options and the fine-tuning stage. Omitted fields keep the shipped
// recipe's values (estimator.TrainDefault); "finetune": null trains
// without the fine-tuning stage.
type trainFile struct {
	Model estimator.Config `json:"model"`
	Train struct {
		trainOptionsFile
		// Designs is the simulator's mix of designs: "training"
		// (sim.TrainingMix: synthetic, shifted, longitudinal, between-group
		// and subsampled real designs; the recipe's) or "synthetic"
		// (sim.DefaultConfig, the first models').
		Designs string `json:"designs"`
	} `json:"train"`
	FineTune *fineTuneFile `json:"finetune"`
}

// trainOptionsFile holds the options of one training stage
// (estimator.TrainOptions).
type trainOptionsFile struct {
	Steps           int     `json:"steps"`
	BatchSize       int     `json:"batch_size"`
	LR              float64 `json:"lr"`
	Seed            uint64  `json:"seed"`
	ValidationSize  int     `json:"validation_size"`
	ValidateEvery   int     `json:"validate_every"`
	CheckpointEvery int     `json:"checkpoint_every"`
	Patience        int     `json:"patience"`
	WidenPriors     float64 `json:"widen_priors,omitempty"`
	WidenFactor     float64 `json:"widen_factor,omitempty"`
}

// fineTuneFile is the fine-tuning stage (estimator.Stage): its options and
// the reverse-KL objective that replaces the model's.
type fineTuneFile struct {
	trainOptionsFile
	ReverseKL       float64 `json:"reverse_kl"`
	KLSamples       int     `json:"kl_samples"`
	KLProposalScale float64 `json:"kl_proposal_scale"`
	KLTailScale     float64 `json:"kl_tail_scale"`
	ForwardIS       float64 `json:"forward_is"`
	BaseTail        bool    `json:"base_tail"`
	WideSpline      bool    `json:"wide_spline"`
}

func optionsFile(o estimator.TrainOptions) trainOptionsFile {
	return trainOptionsFile{Steps: o.Steps, BatchSize: o.BatchSize, LR: o.LR, Seed: o.Seed,
		ValidationSize: o.ValidationSize, ValidateEvery: o.ValidateEvery,
		CheckpointEvery: o.CheckpointEvery, Patience: o.Patience,
		WidenPriors: o.WidenPriors, WidenFactor: o.WidenFactor}
}

// options returns the stage's estimator.TrainOptions, checkpointed to
// checkpoint and logged to log.
func (o trainOptionsFile) options(checkpoint string, resume bool, log io.Writer, s *sim.Simulator) estimator.TrainOptions {
	return estimator.TrainOptions{Steps: o.Steps, BatchSize: o.BatchSize, LR: o.LR, Seed: o.Seed,
		ValidationSize: o.ValidationSize, ValidateEvery: o.ValidateEvery,
		CheckpointPath: checkpoint, CheckpointEvery: o.CheckpointEvery, Resume: resume,
		Patience: o.Patience, Log: log, Simulator: s, WidenPriors: o.WidenPriors, WidenFactor: o.WidenFactor}
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
	f.Train.trainOptionsFile = optionsFile(r.Train)
	f.Train.Designs = designsTraining
	if ft := r.FineTune; ft != nil {
		f.FineTune = &fineTuneFile{trainOptionsFile: optionsFile(ft.Train), ReverseKL: ft.ReverseKL,
			KLSamples: ft.KLSamples, KLProposalScale: ft.KLProposalScale, KLTailScale: ft.KLTailScale, ForwardIS: ft.ForwardIS,
			BaseTail: ft.BaseTail, WideSpline: ft.WideSpline}
	}
	return f
}

// recipe returns the file's estimator.Recipe, with the stages'
// checkpoints and logs beside out, without progress reporting.
func (f trainFile) recipe(out string, resume bool, log, fineLog io.Writer, s *sim.Simulator) estimator.Recipe {
	r := estimator.Recipe{Config: f.Model, Train: f.Train.options(out+".ckpt", resume, log, s)}
	if ft := f.FineTune; ft != nil {
		stage := ft.stage()
		stage.Train = ft.options(out+fineTuneSuffix+".ckpt", resume, fineLog, s)
		r.FineTune = &stage
	}
	return r
}

// fineTuneSuffix names the fine-tuning stage's checkpoint and log:
// OUT.finetune.ckpt and OUT.finetune.log.csv.
const fineTuneSuffix = ".finetune"

func runTrain(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("train", stderr)
	configPath := fs.String("config", "", "JSON file with \"model\" (architecture), \"train\" (steps, batch_size, lr, seed, validation_size, validate_every, checkpoint_every, patience, widen_priors, widen_factor, designs) and \"finetune\" (the same options but designs, with reverse_kl, kl_samples, kl_proposal_scale, kl_tail_scale, forward_is, base_tail, wide_spline; null for none); omitted fields keep the shipped recipe")
	out := fs.String("out", "", "model file to write; OUT.ckpt, OUT.log.csv, OUT.finetune.{ckpt,log.csv} and OUT.loss.{svg,png} go beside it")
	resume := fs.Bool("resume", false, "continue from OUT.ckpt and OUT.finetune.ckpt")
	steps := fs.Int("steps", 0, "override the number of optimizer steps of the first stage (at least 1; omit for the recipe's or the config file's count; the fine-tuning stage keeps its own)")
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
		if err := tf.check(); err != nil {
			return fmt.Errorf("--config %s: %w", *configPath, err)
		}
	}
	if flagSet(fs, "steps") {
		if *steps < 1 {
			return usageError("--steps %d: want at least 1; omit --steps to train the first stage for the configured %d steps (the shipped recipe's, or train.steps of --config)", *steps, tf.Train.Steps)
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
	var fineLog io.Writer
	if tf.FineTune != nil {
		f, err := os.OpenFile(*out+fineTuneSuffix+".log.csv", os.O_CREATE|os.O_WRONLY|logMode(*resume), 0o644)
		if err != nil {
			return fmt.Errorf("fine-tuning log: %w", err)
		}
		defer f.Close()
		fineLog = f
	}
	recipe := tf.recipe(*out, *resume, logFile, fineLog, simulator)
	bar := newCountBar(stderr, *quiet, "train")
	recipe.Train.Progress = trainProgress(bar, "train")
	if recipe.FineTune != nil {
		recipe.FineTune.Train.Progress = trainProgress(bar, "fine-tune")
	}
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
	stage, fine := "", ""
	if recipe.FineTune != nil {
		stage = " of the fine-tuning stage"
		fine = fmt.Sprintf(", %s%s.{ckpt,log.csv}", *out, fineTuneSuffix)
	}
	fmt.Fprintf(stdout, "trained %d steps on %d datasets in %.0f s (this call %.0f s); best validation loss %.4f at step %d%s%s\n",
		res.Steps, res.DatasetsSeen, res.Seconds, time.Since(start).Seconds(), res.BestValLoss, res.BestStep, stage, earlyNote(res.EarlyStopped))
	fmt.Fprintf(stdout, "wrote %s, %s.ckpt, %s.log.csv%s and %s.loss.{svg,png}\n", *out, *out, *out, fine, *out)
	for _, w := range res.Warnings {
		fmt.Fprintln(stdout, "warning:", w)
	}
	return nil
}

// check reports the first invalid field of the architecture or of the
// fine-tuning stage's objective.
func (f trainFile) check() error {
	if err := f.Model.Check(); err != nil {
		return fmt.Errorf("model: %w", err)
	}
	if err := f.Train.options("", false, nil, nil).Check(f.Model); err != nil {
		return fmt.Errorf("train: %w", err)
	}
	if ft := f.FineTune; ft != nil {
		c := ft.stage().Apply(f.Model)
		if err := c.Check(); err != nil {
			return fmt.Errorf("finetune: %w", err)
		}
		if err := ft.options("", false, nil, nil).Check(c); err != nil {
			return fmt.Errorf("finetune: %w", err)
		}
	}
	return nil
}

// stage returns the fine-tuning stage without its training options.
func (f fineTuneFile) stage() estimator.Stage {
	return estimator.Stage{ReverseKL: f.ReverseKL, KLSamples: f.KLSamples, KLProposalScale: f.KLProposalScale,
		KLTailScale: f.KLTailScale, ForwardIS: f.ForwardIS, BaseTail: f.BaseTail, WideSpline: f.WideSpline}
}

// trainProgress returns a TrainOptions.Progress that shows a stage's steps and
// losses on bar.
func trainProgress(bar *countBar, stage string) func(step, total int, trainNLL, valNLL float64) {
	lastVal := math.NaN()
	return func(step, total int, trainNLL, valNLL float64) {
		if !math.IsNaN(valNLL) {
			lastVal = valNLL
		}
		bar.describe(fmt.Sprintf("%s nll %.3f val %.3f", stage, trainNLL, lastVal))
		bar.set(step, total)
	}
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

// saveLossPlot draws OUT.loss.{svg,png} from the training logs: OUT.log.csv
// and, after it on the step axis, OUT.finetune.log.csv when present.
func saveLossPlot(out string) error {
	var c reports.LossCurve
	if err := readLossLog(&c, out+".log.csv", 0); err != nil {
		return fmt.Errorf("training log: %w", err)
	}
	offset := 0.0
	if n := len(c.Step); n > 0 {
		offset = c.Step[n-1]
	}
	if err := readLossLog(&c, out+fineTuneSuffix+".log.csv", offset); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("fine-tuning log: %w", err)
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

// readLossLog appends the validations of a training log (the CSV that
// estimator.TrainOptions.Log receives) to c, their steps moved by offset.
func readLossLog(c *reports.LossCurve, path string, offset float64) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	for i, line := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
		var step, seen, tr, val float64
		if line == "" || strings.HasPrefix(line, "step") {
			continue // the header, repeated by resumed runs
		}
		if _, err := fmt.Sscanf(strings.ReplaceAll(line, ",", " "), "%g %g %g %g", &step, &seen, &tr, &val); err != nil {
			return fmt.Errorf("%s line %d: %w", path, i+1, err)
		}
		c.Step, c.Train, c.Validation = append(c.Step, offset+step), append(c.Train, tr), append(c.Validation, val)
	}
	return nil
}
