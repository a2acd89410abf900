package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync"

	"github.com/metabeta-go/metabeta"
	"github.com/metabeta-go/metabeta/fit"
	"github.com/metabeta-go/metabeta/npe/estimator"
	"github.com/metabeta-go/metabeta/reports"
)

// Limits on the sampler's flags: generous, but they catch typos such as a
// missing "k" turning into a 100-chain run.
const (
	maxChains     = 64
	maxIterations = 1_000_000
)

func runFit(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	fs := newFlagSet("fit", stderr)
	data := fs.String("data", "", "CSV file with a header row")
	formula := fs.String("formula", "", `lme4 formula, e.g. "y ~ x + (1 + x || g)"`)
	method := fs.String("method", "nuts", "estimator: nuts, npe (neural posterior estimator), npe-is (npe with Pareto-smoothed importance sampling), laplace (Laplace approximation of the collapsed posterior) or laplace-is (laplace with Pareto-smoothed importance sampling)")
	modelPath := fs.String("model", "", "trained NPE model file (default: the model embedded in the binary)")
	fallbackTo := fs.String("fallback", "nuts", "for npe, npe-is, laplace and laplace-is: run nuts when the dataset is outside the trained range (npe), the estimate fails or k̂ is too high, or none")
	target := fs.String("target", fit.TargetCollapsed, "NUTS target: collapsed (random effects integrated out) or joint")
	priorPath := fs.String("prior", "", "prior spec JSON (omitted entries take the defaults)")
	chains := fs.Int("chains", 4, "number of chains, run in parallel")
	warmup := fs.Int("warmup", 1000, "warmup iterations per chain")
	draws := fs.Int("draws", 1000, "kept draws per chain")
	seed := fs.Uint64("seed", 1, "random seed; the same seed gives the same draws")
	dense := fs.Bool("dense", false, "adapt a dense metric instead of a diagonal one")
	jsonOut := fs.String("json", "", "write the posterior summary as JSON to this file")
	drawsOut := fs.String("draws-csv", "", "write the draws as CSV (R posterior's draws_df layout) to this file")
	quiet := fs.Bool("quiet", false, "print nothing but errors")
	prof := fs.String("profile", "", "write a cpu or mem profile to the current directory")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	switch {
	case !slices.Contains(fit.Methods(), *method):
		return usageError("--method %q: unknown method (want %s)", *method, strings.Join(fit.Methods(), ", "))
	case *fallbackTo != "nuts" && *fallbackTo != "none":
		return usageError("--fallback %q: want nuts or none", *fallbackTo)
	case *target != fit.TargetCollapsed && *target != fit.TargetJoint:
		return usageError("--target %q: unknown target (want collapsed or joint)", *target)
	case *chains < 1 || *chains > maxChains:
		return usageError("--chains %d: out of range 1..%d", *chains, maxChains)
	case *warmup < 1 || *warmup > maxIterations:
		return usageError("--warmup %d: out of range 1..%d", *warmup, maxIterations)
	case *draws < 1 || *draws > maxIterations:
		return usageError("--draws %d: out of range 1..%d", *draws, maxIterations)
	}
	stop, err := startProfile(*prof)
	if err != nil {
		return err
	}
	defer stop()

	d, prior, err := loadModel(*data, *formula, *priorPath)
	if err != nil {
		return err
	}
	if *quiet {
		stdout = io.Discard
	}
	opt := fit.Options{
		Method:   *method,
		NUTS:     fit.NUTSOptions{Target: *target, Chains: *chains, Warmup: *warmup, Draws: *draws, Seed: *seed, Dense: *dense},
		NPE:      fit.NPEOptions{Draws: *draws, Seed: *seed},
		Fallback: *fallbackTo == "nuts",
	}
	if *method == fit.MethodNPE || *method == fit.MethodNPEIS {
		if opt.Model, err = loadNPEModel(*modelPath); err != nil {
			return err
		}
	}
	bar := newProgress(stderr, *quiet, int64(*chains)*int64(*warmup+*draws), "NUTS")
	opt.NUTS.Progress = bar.tick
	res, err := fit.Fit(ctx, d, prior, opt)
	bar.finish()
	if err != nil {
		return fmt.Errorf("fit %s: %w", *data, err)
	}
	if err := printFit(stdout, res); err != nil {
		return err
	}
	if *jsonOut != "" {
		if err := writeFile(*jsonOut, func(w io.Writer) error {
			enc := json.NewEncoder(w)
			enc.SetIndent("", "  ")
			return enc.Encode(res)
		}); err != nil {
			return fmt.Errorf("--json: %w", err)
		}
	}
	if *drawsOut != "" {
		if err := writeFile(*drawsOut, func(w io.Writer) error { return fit.WriteDrawsCSV(w, res.Draws) }); err != nil {
			return fmt.Errorf("--draws-csv: %w", err)
		}
	}
	return nil
}

// printFit prints the summary table, the diagnostics, the timing and the
// warnings of a fit.
func printFit(w io.Writer, r *fit.Result) error {
	if r.Target != "" {
		fmt.Fprintf(w, "method %s (%s target), %d observations in %d groups\n\n", r.Method, r.Target, r.NObs, r.NGroups)
	} else {
		fmt.Fprintf(w, "method %s, %d observations in %d groups\n\n", r.Method, r.NObs, r.NGroups)
	}
	if err := (reports.TextRenderer{}).Render(w, r.SummaryTable()); err != nil {
		return err
	}
	dg := r.Diagnostics
	if r.Method == fit.MethodNUTS {
		ebfmi := make([]string, len(dg.EBFMI))
		for i, e := range dg.EBFMI {
			ebfmi[i] = fmt.Sprintf("%.2f", float64(e))
		}
		fmt.Fprintf(w, "\ndivergences %d, tree-depth hits %d, E-BFMI per chain %s\n", dg.Divergences, dg.TreedepthHits, strings.Join(ebfmi, " "))
		fmt.Fprintf(w, "mean tree depth %.2f, mean leapfrog steps %.1f per draw\n", dg.MeanTreeDepth, dg.MeanLeapfrog)
	} else {
		fmt.Fprintln(w)
	}
	if dg.ParetoK != nil {
		fmt.Fprintf(w, "Pareto k̂ %.3f (threshold %.2f), importance-sampling efficiency %.3f\n", float64(*dg.ParetoK), float64(*dg.KThreshold), float64(*dg.ISEfficiency))
	}
	if r.Method == fit.MethodNUTS {
		fmt.Fprintf(w, "wall time %.3f s (warmup %.3f s, sampling %.3f s)\n", r.Timing.Wall, r.Timing.Warmup, r.Timing.Sampling)
	} else {
		fmt.Fprintf(w, "wall time %.3f s\n", r.Timing.Wall)
	}
	if len(r.Warnings) == 0 {
		fmt.Fprintln(w, "no warnings")
	}
	for _, msg := range r.Warnings {
		fmt.Fprintln(w, "warning:", msg)
	}
	return nil
}

// writeFile creates path and writes it with fn, reporting the first error
// of writing or closing.
func writeFile(path string, fn func(io.Writer) error) (err error) {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}()
	return fn(f)
}

// progress draws a progress bar on a terminal; it does nothing otherwise.
type progress struct {
	mu  sync.Mutex
	add func()
	end func()
}

func (p *progress) tick(chain, iter int) {
	if p.add == nil {
		return
	}
	p.mu.Lock()
	p.add()
	p.mu.Unlock()
}

func (p *progress) finish() {
	if p.end != nil {
		p.end()
	}
}

// modelBytes reads a trained model file, or the embedded default when path
// is empty (metabeta.ErrNoDefaultModel when the build has none).
func modelBytes(path string) ([]byte, error) {
	if path == "" {
		return metabeta.DefaultModel()
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("--model: %w", err)
	}
	return raw, nil
}

// loadNPEModel loads a trained model from path, or the embedded default when
// path is empty.
func loadNPEModel(path string) (*estimator.Model, error) {
	raw, err := modelBytes(path)
	if err != nil {
		return nil, err
	}
	m, err := estimator.Load(bytes.NewReader(raw))
	if err != nil {
		if path == "" {
			return nil, fmt.Errorf("embedded model: %w", err)
		}
		return nil, fmt.Errorf("--model %s: %w", path, err)
	}
	return m, nil
}
