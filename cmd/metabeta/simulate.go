package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/metabeta-go/metabeta"
	"github.com/metabeta-go/metabeta/sim"
)

func runSimulate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	def := sim.DefaultConfig()
	fs := newFlagSet("simulate", stderr)
	seed := fs.Uint64("seed", 1, "random seed; the same seed gives byte-identical files")
	k := fs.Int("datasets", 1, "number of datasets")
	out := fs.String("out", "", "output directory (created if needed)")
	fixed := fs.String("fixed", rangeString(def.Fixed), "fixed effects d including the intercept: N or MIN-MAX")
	random := fs.String("random", rangeString(def.Random), "random effects q: N or MIN-MAX (at most d)")
	groups := fs.String("groups", rangeString(def.Groups), "groups m: N or MIN-MAX")
	size := fs.String("group-size", rangeString(def.GroupSize), "observations per group n_g: N or MIN-MAX")
	maxRows := fs.Int("max-rows", def.MaxRows, "cap on the rows of a dataset (0: none)")
	noiseDF := fs.Float64("noise-df", 0, "misspecification: Student-t noise with this many degrees of freedom (0: normal)")
	hetero := fs.Float64("heteroscedastic", 0, "misspecification: noise SD grows by this factor per SD of x1 (0: off)")
	effects := fs.String("effects", "normal", "random-effect distribution: normal, skewed or heavy (misspecification)")
	designs := fs.String("designs", "synthetic", "design sources: synthetic (standardized predictors) or training (sim.TrainingMix: also shifted, longitudinal, group-level and subsampled real designs)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg := def
	var err error
	switch *designs {
	case "synthetic":
	case "training":
		if cfg, err = sim.TrainingMix(metabeta.Datasets()); err != nil {
			return err
		}
	default:
		return usageError("--designs %q: want synthetic or training", *designs)
	}
	for _, r := range []struct {
		flag string
		val  string
		dst  *sim.IntRange
	}{{"--fixed", *fixed, &cfg.Fixed}, {"--random", *random, &cfg.Random}, {"--groups", *groups, &cfg.Groups}, {"--group-size", *size, &cfg.GroupSize}} {
		if *r.dst, err = parseIntRange(r.val); err != nil {
			return usageError("%s %q: %v", r.flag, r.val, err)
		}
	}
	cfg.MaxRows = *maxRows
	cfg.Misspec.NoiseDF = *noiseDF
	cfg.Misspec.Heteroscedastic = *hetero
	switch *effects {
	case "normal":
		cfg.Misspec.Effects = sim.EffectNormal
	case "skewed":
		cfg.Misspec.Effects = sim.EffectSkewed
	case "heavy":
		cfg.Misspec.Effects = sim.EffectHeavyTailed
	default:
		return usageError("--effects %q: want normal, skewed or heavy", *effects)
	}
	switch {
	case *out == "":
		return usageError("--out is required")
	case *k < 1:
		return usageError("--datasets %d: want at least 1", *k)
	}
	s, err := sim.New(cfg)
	if err != nil {
		return usageError("%v", err)
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	for i := range *k {
		if err := ctx.Err(); err != nil {
			return err
		}
		smp, err := s.Sample(*seed, i)
		if err != nil {
			return fmt.Errorf("dataset %d: %w", i, err)
		}
		id := fmt.Sprintf("%06d", i)
		if err := writeFile(filepath.Join(*out, id+".csv"), func(w io.Writer) error { return sim.WriteCSV(w, smp) }); err != nil {
			return err
		}
		if err := writeFile(filepath.Join(*out, id+".truth.json"), func(w io.Writer) error { return writeTruth(w, smp) }); err != nil {
			return err
		}
	}
	fmt.Fprintf(stdout, "wrote %d datasets to %s (seed %d)\n", *k, *out, *seed)
	return nil
}

// writeTruth writes a dataset's truth file: its formula, the true values by
// brms name, and the prior it was drawn from in the prior-spec format.
func writeTruth(w io.Writer, smp *sim.Sample) error {
	var truth bytes.Buffer
	if err := sim.WriteTruthJSON(&truth, smp); err != nil {
		return err
	}
	formula, err := json.Marshal(smp.Design.Formula)
	if err != nil {
		return err
	}
	prior := bytes.ReplaceAll(bytes.TrimSpace(smp.Prior.SpecJSON(smp.Design)), []byte("\n"), []byte("\n  "))
	_, err = fmt.Fprintf(w, "{\n  \"formula\": %s,\n  \"truth\": %s,\n  \"prior\": %s\n}\n",
		formula, bytes.TrimSpace(truth.Bytes()), prior)
	return err
}

// parseIntRange reads "N" or "MIN-MAX".
func parseIntRange(s string) (sim.IntRange, error) {
	lo, hi, found := strings.Cut(s, "-")
	a, err := strconv.Atoi(strings.TrimSpace(lo))
	if err != nil {
		return sim.IntRange{}, fmt.Errorf("want N or MIN-MAX")
	}
	if !found {
		return sim.IntRange{Min: a, Max: a}, nil
	}
	b, err := strconv.Atoi(strings.TrimSpace(hi))
	if err != nil || b < a {
		return sim.IntRange{}, fmt.Errorf("want N or MIN-MAX with MIN ≤ MAX")
	}
	return sim.IntRange{Min: a, Max: b}, nil
}

func rangeString(r sim.IntRange) string {
	if r.Min == r.Max {
		return strconv.Itoa(r.Min)
	}
	return fmt.Sprintf("%d-%d", r.Min, r.Max)
}
