package validate

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"

	"github.com/metabeta-go/metabeta/fit"
	"github.com/metabeta-go/metabeta/lmm"
	"github.com/metabeta-go/metabeta/sim"
)

// Suites.
const (
	SuiteSimulated = "simulated"
	SuiteReal      = "real"
)

// task is one (suite, dataset, method) to run.
type task struct {
	suite   string
	dataset int
	method  string
}

func (t task) key() string { return fmt.Sprintf("%s/%d/%s", t.suite, t.dataset, t.method) }

// tasks lists the run's tasks in order, restricted to the shard.
func (c Config) tasks() []task {
	var ts []task
	for i := range c.Simulated {
		if c.Shard.Has(i) {
			for _, m := range c.Methods() {
				ts = append(ts, task{SuiteSimulated, i, m})
			}
		}
	}
	if c.hasEstimator() {
		for i := c.Simulated; i < c.Simulated+c.SBCOnly; i++ {
			if c.Shard.Has(i) {
				ts = append(ts, task{SuiteSimulated, i, fit.MethodNPE})
			}
		}
	}
	for j := range c.Real {
		if c.Shard.Has(j) {
			for _, m := range c.Methods() {
				ts = append(ts, task{SuiteReal, j, m})
			}
		}
	}
	return append(ts, c.misspecTasks()...)
}

// ErrExists reports a run directory that already holds records.
var ErrExists = errors.New("the output directory already holds results")

// Run runs the pending tasks of cfg, appending a record to dir/records.jsonl
// as each finishes. With resume false, a directory that already holds
// records is an error; with resume true, finished tasks are skipped.
// progress, when non-nil, is called after each task with the number done and
// the total. It returns every record in the file, sorted.
func Run(ctx context.Context, cfg Config, dir string, resume bool, progress func(done, total int)) ([]Record, error) {
	if cfg.ModelID != "" && cfg.Estimator == nil {
		return nil, fmt.Errorf("validate: the configuration names model %s but holds no estimator", cfg.ModelID)
	}
	path := filepath.Join(dir, RecordsFile)
	if resume {
		if err := dropPartialLine(path); err != nil {
			return nil, err
		}
	}
	old, lines, err := readRecordsFile(path)
	if err != nil {
		return nil, err
	}
	if len(old) > 0 && !resume {
		return nil, fmt.Errorf("%s: %w (use --resume to continue it, or another --out)", dir, ErrExists)
	}
	if !resume {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, err
		}
	}
	if err := checkIdentity(dir, cfg, resume, len(old)); err != nil {
		return nil, err
	}
	if err := checkRecordsOfRun(cfg, old, lines, path); err != nil {
		return nil, err
	}
	done := map[string]bool{}
	for _, r := range old {
		done[r.key()] = true
	}
	s, err := sim.New(cfg.Sim)
	if err != nil {
		return nil, fmt.Errorf("test prior: %w", err)
	}
	flag := os.O_CREATE | os.O_APPEND | os.O_WRONLY
	if !resume {
		flag |= os.O_TRUNC // no finished record in it, at most a fragment
	}
	f, err := os.OpenFile(path, flag, 0o644)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	ts := cfg.tasks()
	recs := old
	for n, t := range ts {
		if done[t.key()] {
			continue
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		rec, err := runTask(ctx, cfg, s, t)
		if err != nil {
			return nil, err
		}
		if err := appendRecord(f, rec); err != nil {
			return nil, err
		}
		recs = append(recs, rec)
		if progress != nil {
			progress(n+1, len(ts))
		}
	}
	return sortRecords(recs), nil
}

// checkRecordsOfRun requires that every record read from path (at the
// given lines) is a task of cfg and ranks against cfg's L, so that records
// of another run, or of another shard, are not mixed into this one.
func checkRecordsOfRun(cfg Config, recs []Record, lines []int, path string) error {
	want := map[string]bool{}
	for _, t := range cfg.tasks() {
		want[t.key()] = true
	}
	for i, r := range recs {
		if !want[r.key()] {
			return fmt.Errorf("%s line %d: record %s is not a task of the run in %s (%s): records of another run or shard?",
				path, lines[i], r.key(), IdentityFile, cfg.describe())
		}
		if l := r.sbcDraws(); l > 0 && l != cfg.SBCDraws {
			return fmt.Errorf("%s line %d: record %s ranks among l = %d draws, but %s sets sbc_draws %d",
				path, lines[i], r.key(), l, IdentityFile, cfg.SBCDraws)
		}
	}
	return nil
}

// describe summarizes the tasks of cfg for a message.
func (c Config) describe() string {
	s := fmt.Sprintf("%d simulated datasets", c.Simulated)
	if c.hasEstimator() && c.SBCOnly > 0 {
		s += fmt.Sprintf(" and %d more for npe", c.SBCOnly)
	}
	s += fmt.Sprintf(", %d real, methods %s", len(c.Real), strings.Join(c.Methods(), ", "))
	if c.Shard.Of > 1 {
		s += fmt.Sprintf(", shard %d/%d", c.Shard.Index+1, c.Shard.Of)
	}
	return s
}

// runTask fits one dataset with one method. A failed fit becomes a record
// with Error set, so one bad dataset does not stop the run; a cancelled
// context is returned as an error.
func runTask(ctx context.Context, cfg Config, s *sim.Simulator, t task) (Record, error) {
	var (
		d     *lmm.Design
		prior lmm.Prior
		truth []float64
		name  string
		err   error
	)
	switch t.suite {
	case SuiteSimulated:
		smp, serr := s.Sample(cfg.Seed, t.dataset)
		if serr != nil {
			return Record{}, fmt.Errorf("simulated dataset %d: %w", t.dataset, serr)
		}
		d, prior = smp.Design, smp.Prior
		for _, nv := range sim.Truth(smp) {
			truth = append(truth, nv.Value)
		}
	case SuiteReal:
		name = cfg.Real[t.dataset].Name
		if d, prior, err = cfg.loadReal(cfg.Real[t.dataset]); err != nil {
			return Record{}, err
		}
	default:
		if d, prior, truth, err = cfg.misspecDataset(t.suite, t.dataset); err != nil {
			return Record{}, err
		}
	}
	// Every method through fit.Fit without fallback: the records measure
	// the method itself, and Record.Fallback says when Fit would fall back.
	opt := fit.Options{Method: t.method, Model: cfg.Estimator, NUTS: cfg.NUTS,
		NPE: fit.NPEOptions{Draws: cfg.NPEDraws, Seed: fitSeed(cfg.Seed, t)}}
	opt.NUTS.Seed = fitSeed(cfg.Seed, t)
	res, err := fit.Fit(ctx, d, prior, opt)
	if ctx.Err() != nil {
		return Record{}, ctx.Err()
	}
	base := Record{Suite: t.suite, Dataset: t.dataset, Name: name, Method: t.method, NObs: d.N(), NGroups: d.M()}
	if err != nil {
		base.Error = err.Error()
		return base, nil
	}
	rng := rand.New(rand.NewPCG(cfg.Seed^0x5bc0ffee, uint64(t.dataset)))
	rec := newRecord(res, d, prior, truth, cfg.SBCDraws, cfg.RandomEffectGroups, rng)
	rec.Suite, rec.Dataset, rec.Name = t.suite, t.dataset, name
	rec.Fallback = fallbackReason(t.method, cfg.Estimator, d, prior, res)
	if t.suite == SuiteReal && t.method != fit.MethodNUTS {
		first := opt.NPE.Seed
		for r := 1; r < cfg.RealSeeds; r++ {
			opt.NPE.Seed = first + uint64(r)*0x9e3779b97f4a7c15
			rec.Seeds = append(rec.Seeds, seedFit(ctx, cfg, d, prior, opt))
		}
		if ctx.Err() != nil {
			return Record{}, ctx.Err()
		}
	}
	return rec, nil
}

// seedFit fits a real dataset once more with opt (a proposal method and
// another seed) and keeps what Table 5 compares.
func seedFit(ctx context.Context, cfg Config, d *lmm.Design, prior lmm.Prior, opt fit.Options) SeedFit {
	s := SeedFit{Seed: opt.NPE.Seed}
	res, err := fit.Fit(ctx, d, prior, opt)
	if err != nil {
		s.Error = err.Error()
		return s
	}
	for _, p := range res.Parameters {
		s.Params = append(s.Params, RefParam{Name: p.Name, Mean: float64(p.Mean), SD: float64(p.SD)})
	}
	s.ParetoK = res.Diagnostics.ParetoK
	s.Fallback = fallbackReason(opt.Method, cfg.Estimator, d, prior, res)
	return s
}

// fitSeed derives the sampler's seed for a task, distinct from the
// simulator's streams (which use the run seed with the dataset index).
func fitSeed(seed uint64, t task) uint64 {
	x := seed*0x9e3779b97f4a7c15 + uint64(t.dataset)*0xbf58476d1ce4e5b9
	if t.suite == SuiteReal {
		x ^= 0x94d049bb133111eb
	}
	return x
}
