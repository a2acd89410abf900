package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/metabeta-go/metabeta"
	"github.com/metabeta-go/metabeta/npe/estimator"
	"github.com/metabeta-go/metabeta/validate"
)

func runValidate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("validate", stderr)
	out := fs.String("out", "validate-out", "output directory")
	quick := fs.Bool("quick", false, "the small suite (about two minutes)")
	shard := fs.String("shard", "1/1", "run shard k of n (datasets i with i mod n = k-1)")
	resume := fs.Bool("resume", false, "continue a run in --out, skipping finished datasets")
	data := fs.String("data-dir", "", "read the real suite from this folder, laid out as the repository's testdata/ (datasets/, realdata/, reference/) (default: the copy embedded in the binary)")
	seed := fs.Uint64("seed", 0, "override the suite's seed (0: the default)")
	n := fs.Int("datasets", 0, "override the number of simulated datasets (0: the default)")
	realSeeds := fs.Int("real-seeds", validate.DefaultRealSeeds, "fit seeds of npe, npe-is, laplace and laplace-is on each real dataset (Table 5 counts passes over them; NUTS runs once)")
	quiet := fs.Bool("quiet", false, "print nothing but errors")
	modelPath := fs.String("model", "", "trained NPE model file (default: the model embedded in the binary, if any)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg := validate.DefaultConfig(*quick, metabeta.Datasets())
	if *data != "" {
		if st, err := os.Stat(*data); err != nil || !st.IsDir() {
			return usageError("--data-dir %s: not a folder: name a folder laid out as the repository's testdata/ (datasets/, realdata/, reference/), or leave the flag out for the embedded copy", *data)
		}
		cfg.Data = os.DirFS(*data)
	}
	// The real suite is read, and its references checked, before anything is fitted.
	if err := cfg.LoadReal(); err != nil {
		if *data == "" {
			return fmt.Errorf("validate: embedded data: %w", err)
		}
		return fmt.Errorf("validate: --data-dir %s: %w (want a folder laid out as the repository's testdata/, or leave --data-dir out for the embedded copy)", *data, err)
	}
	raw, err := modelBytes(*modelPath)
	switch {
	case errors.Is(err, metabeta.ErrNoDefaultModel):
		// NUTS alone; the reports say why npe is missing.
	case err != nil:
		return err
	default:
		if cfg.Estimator, err = estimator.Load(bytes.NewReader(raw)); err != nil {
			return fmt.Errorf("model: %w", err)
		}
		sum := sha256.Sum256(raw)
		cfg.ModelID = hex.EncodeToString(sum[:8])
	}
	sh, err := validate.ParseShard(*shard)
	if err != nil {
		return usageError("--shard: %v", err)
	}
	cfg.Shard = sh
	if *seed != 0 {
		cfg.Seed = *seed
	}
	if *n < 0 {
		return usageError("--datasets %d: want ≥ 0", *n)
	} else if *n > 0 {
		cfg.Simulated = *n
	}
	if *realSeeds < 1 {
		return usageError("--real-seeds %d: want ≥ 1", *realSeeds)
	}
	cfg.RealSeeds = *realSeeds
	if *quiet {
		stdout = io.Discard
	}
	start := time.Now()
	bar := newCountBar(stderr, *quiet, "validate")
	recs, err := validate.Run(ctx, cfg, *out, *resume, bar.set)
	bar.finish()
	if err != nil {
		return fmt.Errorf("validate: %w", err)
	}
	res := validate.Aggregate(cfg, recs)
	if err := res.Write(*out); err != nil {
		return fmt.Errorf("validate: writing %s: %w", *out, err)
	}
	if err := res.PrintTables(stdout); err != nil {
		return err
	}
	for _, w := range res.Warnings {
		fmt.Fprintln(stdout, "warning:", w)
	}
	fmt.Fprintf(stdout, "\nwrote %s/{results.json,tables.txt,tables.md,tables.tex,tables.csv,plots/,report.html} in %.1f s\n", *out, time.Since(start).Seconds())
	return nil
}

func runMerge(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("merge", stderr)
	out := fs.String("out", "validate-out", "output directory for the merged run (flags go before the shard directories)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: metabeta merge [--out DIR] SHARD-DIR...")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError("%v", err)
	}
	if fs.NArg() == 0 {
		return usageError("merge: name the shard directories, e.g. metabeta merge --out all out-1 out-2")
	}
	for _, a := range fs.Args() {
		if len(a) > 1 && a[0] == '-' {
			return usageError("merge: %q after the shard directories: flags go first, e.g. metabeta merge --out all out-1 out-2", a)
		}
	}
	recs, cfg, warnings, err := validate.Merge(*out, fs.Args())
	if err != nil {
		return fmt.Errorf("merge: %w", err)
	}
	res := validate.Aggregate(cfg, recs)
	res.Warnings = append(res.Warnings, warnings...)
	if err := res.Write(*out); err != nil {
		return fmt.Errorf("merge: writing %s: %w", *out, err)
	}
	for _, w := range warnings {
		fmt.Fprintln(stderr, "metabeta merge: warning:", w)
	}
	fmt.Fprintf(stdout, "merged %d records from %d directories into %s\n", len(recs), fs.NArg(), *out)
	return nil
}
