package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
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
	draws := fs.Int("draws", 1000, "kept draws per chain (at least 6, for split-R̂ and the ESS); for npe and npe-is, the number of draws")
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
	case *draws < fit.MinDrawsPerChain || *draws > maxIterations:
		return usageError("--draws %d: out of range %d..%d: split-R̂ and the ESS need at least %d draws per chain (1000 gives reliable diagnostics)",
			*draws, fit.MinDrawsPerChain, maxIterations, fit.MinDrawsPerChain)
	}
	if err := checkOutputs(
		[]pathFlag{{"--json", *jsonOut}, {"--draws-csv", *drawsOut}},
		[]pathFlag{{"--data", *data}, {"--prior", *priorPath}, {"--model", *modelPath}},
	); err != nil {
		return err
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
		fmt.Fprintf(w, "Pareto k̂ %.3f (threshold %.2f), importance-sampling efficiency %.3f, from %d proposal draws\n",
			float64(*dg.ParetoK), float64(*dg.KThreshold), float64(*dg.ISEfficiency), dg.ProposalDraws)
	}
	if r.Method == fit.MethodNUTS {
		fmt.Fprintf(w, "wall time %.3f s (warmup %.3f s, sampling %.3f s)\n", r.Timing.Wall, r.Timing.Warmup, r.Timing.Sampling)
	} else {
		fmt.Fprintf(w, "wall time %.3f s\n", r.Timing.Wall)
	}
	if f := r.Design; f != nil {
		fmt.Fprintf(w, "design: X of rank %d of %d, condition number %.3g; %s\n", f.Rank, f.Columns, float64(f.Cond), zFacts(f.GroupsZDeficient, f.Groups))
	}
	if len(r.Warnings) == 0 {
		fmt.Fprintln(w, "no warnings")
	}
	for _, msg := range r.Warnings {
		fmt.Fprintln(w, "warning:", msg)
	}
	return nil
}

// pathFlag is a file named by a flag.
type pathFlag struct{ flag, path string }

// checkOutputs refuses, before anything is read or fitted, output files
// that would overwrite an input or each other (usage errors), and output
// files that cannot be written: a missing directory, a directory, no
// permission. Empty paths are skipped.
func checkOutputs(outputs, inputs []pathFlag) error {
	for i, o := range outputs {
		if o.path == "" {
			continue
		}
		for _, other := range append(slices.Clone(outputs[:i]), inputs...) {
			if other.path != "" && samePath(o.path, other.path) {
				if slices.Contains(inputs, other) {
					return usageError("%s %s is the %s file: writing it would overwrite the input; choose another path", o.flag, o.path, other.flag)
				}
				return usageError("%s and %s both name %s: give them different files", other.flag, o.flag, o.path)
			}
		}
		if err := checkWritable(o.path); err != nil {
			return fmt.Errorf("%s %s: %w", o.flag, o.path, err)
		}
	}
	return nil
}

// samePath reports whether a and b name the same file: the same cleaned
// absolute path, or, when both exist, the same file by os.SameFile (links).
func samePath(a, b string) bool {
	aa, errA := filepath.Abs(a)
	bb, errB := filepath.Abs(b)
	if errA == nil && errB == nil && aa == bb {
		return true
	}
	sa, errA := os.Stat(a)
	sb, errB := os.Stat(b)
	return errA == nil && errB == nil && os.SameFile(sa, sb)
}

// checkWritable checks that path can be written without changing it: its
// directory exists, it is not a directory, and it can be opened for
// writing (an existing file, left untruncated) or created (then removed).
func checkWritable(path string) error {
	dir := filepath.Dir(path)
	if st, err := os.Stat(dir); err != nil {
		return fmt.Errorf("directory %s does not exist: create it first", dir)
	} else if !st.IsDir() {
		return fmt.Errorf("%s is not a directory", dir)
	}
	if st, err := os.Stat(path); err == nil {
		if st.IsDir() {
			return errors.New("is a directory: give a file name")
		}
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			return fmt.Errorf("cannot be written: %w", err)
		}
		return f.Close()
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("cannot be created: %w", err)
	}
	f.Close()
	return os.Remove(path)
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
	m, err := estimator.LoadBytes(raw)
	if err != nil {
		if path == "" {
			return nil, fmt.Errorf("embedded model: %w", err)
		}
		return nil, fmt.Errorf("--model %s: %w", path, err)
	}
	return m, nil
}
