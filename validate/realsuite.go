package validate

import (
	"bytes"
	"cmp"
	"encoding/csv"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/metabeta-go/metabeta/fit"
	"github.com/metabeta-go/metabeta/lmm"
	"github.com/metabeta-go/metabeta/lmm/frame"
	"github.com/metabeta-go/metabeta/npe/estimator"
)

// RealDataset names a CSV file, the formula to fit to it, its prior and its
// reference posterior. Paths are inside Config.Data, or on disk when Data is
// nil.
type RealDataset struct {
	Name    string `json:"name"`
	Path    string `json:"path"`
	Formula string `json:"formula"`
	// Prior is a prior-spec JSON file; "" means lmm.DefaultPrior.
	Prior string `json:"prior,omitempty"`
	// ReferenceFile is a posterior summary CSV (R posterior's
	// summarise_draws layout: variable, mean, sd, ...) of the global
	// parameters; "" means the run's own NUTS fit is the reference.
	ReferenceFile string `json:"reference_file,omitempty"`
	// Reference holds ReferenceFile's figures, read by LoadReal, so that a
	// merged run aggregates without the files.
	Reference *Reference `json:"reference,omitempty"`
}

// Reference is a reference posterior of a real dataset's global parameters.
type Reference struct {
	// Source says how the reference was made.
	Source string     `json:"source"`
	Params []RefParam `json:"params"`
}

// RefParam is the reference posterior mean and SD of one global parameter,
// under the design's brms name.
type RefParam struct {
	Name string  `json:"name"`
	Mean float64 `json:"mean"`
	SD   float64 `json:"sd"`
}

// RstanSource describes how the shipped references were made (see
// testdata/realdata/README.md).
const RstanSource = "rstan 2.21: 4 chains × (1000 warmup + 2000 draws), seed 11"

// realRefName is what the tables call a reference that is the run's own
// NUTS fit.
const realRefNUTS = "nuts"

// Real-suite pass criterion: every global posterior mean within PassMeanSD
// reference SDs of the reference mean, and every SD within ±PassSDRel of
// the reference SD (issue 10's targets).
const (
	PassMeanSD = 0.15
	PassSDRel  = 0.15
)

// RealSuite returns the real datasets of `make validate`, with paths inside
// the repository's testdata/ folder (what metabeta.Datasets embeds): the four
// datasets of testdata/datasets and the nine of testdata/realdata, every one
// under its reference prior (the recipe of testdata/realdata/README.md),
// and sleepstudy once more with correlated random effects,
// Reaction ~ Days + (Days | Subject), as sleepstudy-cor. All but
// mathachieve have rstan references (testdata/reference and
// testdata/realdata); mathachieve is measured against the run's NUTS fit.
func RealSuite() []RealDataset {
	classic := func(name, formula string) RealDataset {
		return RealDataset{Name: name, Path: "datasets/" + name + ".csv", Formula: formula, Prior: "reference/" + name + ".prior.json"}
	}
	real := func(name, formula string) RealDataset {
		return RealDataset{Name: name, Path: "realdata/" + name + ".csv", Formula: formula,
			Prior: "realdata/" + name + ".prior.json", ReferenceFile: "realdata/" + name + ".summary.csv"}
	}
	withRef := func(rd RealDataset) RealDataset {
		rd.ReferenceFile = "reference/" + rd.Name + ".summary.csv"
		return rd
	}
	return []RealDataset{
		withRef(classic("sleepstudy", "Reaction ~ Days + (1 + Days || Subject)")),
		classic("mathachieve", "MathAch ~ SES + Sex + Minority + MEANSES + (1 + SES || School)"),
		withRef(classic("exam", "normexam ~ standLRT + sex + schgend + (1 + standLRT || school)")),
		withRef(classic("gcsemv", "written ~ course + gender + (1 | school)")),
		// testdata/realdata/index.csv, in its order.
		real("loblolly", "height ~ age + (1 + age || Seed)"),
		real("co2", "uptake ~ conc + (1 + conc || Plant)"),
		real("pixel", "pixel ~ day + (1 + day || Dog)"),
		real("dialyzer", "rate ~ pressure + (1 + pressure || Subject)"),
		real("ovary", "follicles ~ Time + (1 + Time || Mare)"),
		real("milk", "protein ~ Time + (1 + Time || Cow)"),
		real("spruce", "logSize ~ days + (1 + days || Tree)"),
		real("earthquake", "accel ~ distance + (1 + distance || Quake)"),
		real("remifentanil", "conc ~ Time + (1 + Time || ID)"),
		// Correlated random effects, (1 + Days | Subject), under the same
		// prior with LKJ(1) on the correlation (the prior spec has no "cor",
		// whose default is 1); last, so that the others keep their dataset
		// indices and seeds.
		{Name: "sleepstudy-cor", Path: "datasets/sleepstudy.csv", Formula: "Reaction ~ Days + (Days | Subject)",
			Prior: "reference/sleepstudy.cor.prior.json", ReferenceFile: "reference/sleepstudy.cor.summary.csv"},
	}
}

// ErrRealData marks a real dataset of the suite that cannot be read.
var ErrRealData = errors.New("real dataset")

// LoadReal reads every real dataset of c, with its prior and reference,
// before anything is fitted: a missing or malformed file is reported at
// once, naming the dataset and the file. It fills each Reference from its
// ReferenceFile.
func (c *Config) LoadReal() error {
	for i := range c.Real {
		rd := &c.Real[i]
		d, _, err := c.loadReal(*rd)
		if err != nil {
			return err
		}
		if rd.ReferenceFile == "" {
			rd.Reference = nil
			continue
		}
		raw, err := c.readData(rd.ReferenceFile)
		if err != nil {
			return fmt.Errorf("%w %s: %w", ErrRealData, rd.Name, err)
		}
		ref, err := parseReference(raw, d)
		if err != nil {
			return fmt.Errorf("%w %s: %s: %w", ErrRealData, rd.Name, rd.ReferenceFile, err)
		}
		rd.Reference = ref
	}
	return nil
}

// readData reads a file of the real suite from c.Data, or from disk when
// Data is nil.
func (c Config) readData(path string) ([]byte, error) {
	if c.Data == nil {
		return os.ReadFile(path)
	}
	return fs.ReadFile(c.Data, path)
}

// loadReal builds the design of a real dataset and resolves its prior.
func (c Config) loadReal(rd RealDataset) (*lmm.Design, lmm.Prior, error) {
	fail := func(err error) (*lmm.Design, lmm.Prior, error) {
		return nil, lmm.Prior{}, fmt.Errorf("%w %s: %w", ErrRealData, rd.Name, err)
	}
	f, err := frame.ParseFormula(rd.Formula)
	if err != nil {
		return fail(err)
	}
	raw, err := c.readData(rd.Path)
	if err != nil {
		return fail(err)
	}
	fr, err := frame.ReadCSV(bytes.NewReader(raw))
	if err != nil {
		return fail(fmt.Errorf("%s: %w", rd.Path, err))
	}
	d, err := frame.Build(fr, f)
	if err != nil {
		return fail(fmt.Errorf("%s: %w", rd.Path, err))
	}
	if _, err := lmm.CheckDesign(d); err != nil { // a singular design, before any fit
		return fail(fmt.Errorf("%s: %w", rd.Path, err))
	}
	var prior lmm.Prior
	if rd.Prior == "" {
		prior, err = lmm.DefaultPrior(d)
	} else if raw, err = c.readData(rd.Prior); err == nil {
		if prior, err = lmm.ParsePrior(raw, d); err != nil {
			err = fmt.Errorf("%s: %w", rd.Prior, err)
		}
	}
	if err != nil {
		return fail(err)
	}
	return d, prior, nil
}

// parseReference reads a posterior summary CSV with at least the columns
// variable, mean and sd, one row per global parameter of d. A variable
// "sd_<term>" stands for "sd_<group>__<term>" (the layout of
// testdata/reference/sleepstudy.summary.csv). Every global parameter of d
// must be there, once.
func parseReference(raw []byte, d *lmm.Design) (*Reference, error) {
	rows, err := csv.NewReader(bytes.NewReader(raw)).ReadAll()
	if err != nil {
		return nil, err
	}
	if len(rows) < 2 {
		return nil, errors.New("no rows: want a header and one row per global parameter")
	}
	col := map[string]int{}
	for j, h := range rows[0] {
		col[strings.TrimPrefix(h, "\ufeff")] = j
	}
	for _, h := range []string{"variable", "mean", "sd"} {
		if _, ok := col[h]; !ok {
			return nil, fmt.Errorf("no column %q in the header %q", h, strings.Join(rows[0], ","))
		}
	}
	names := d.Names()
	want := map[string]int{}
	alias := map[string]string{}
	for j, n := range names {
		want[n] = j
		if rest, ok := strings.CutPrefix(n, "sd_"+d.Group+"__"); ok {
			alias["sd_"+rest] = n
		}
	}
	ref := &Reference{Source: RstanSource, Params: make([]RefParam, len(names))}
	seen := make([]bool, len(names))
	for i, row := range rows[1:] {
		line := i + 2
		if len(row) != len(rows[0]) {
			return nil, fmt.Errorf("line %d: %d fields, the header has %d", line, len(row), len(rows[0]))
		}
		name := row[col["variable"]]
		if a, ok := alias[name]; ok {
			name = a
		}
		j, ok := want[name]
		if !ok {
			return nil, fmt.Errorf("line %d: variable %s is not a global parameter of %s (want %s)",
				line, lmm.QuoteShort(row[col["variable"]]), d.Formula, strings.Join(names, ", "))
		}
		if seen[j] {
			return nil, fmt.Errorf("line %d: variable %s appears twice", line, name)
		}
		mean, err1 := strconv.ParseFloat(row[col["mean"]], 64)
		sd, err2 := strconv.ParseFloat(row[col["sd"]], 64)
		if err1 != nil || err2 != nil || math.IsNaN(mean) || math.IsInf(mean, 0) || !(sd > 0) || math.IsInf(sd, 0) {
			return nil, fmt.Errorf("line %d: %s: want a finite mean and a positive sd, got %s and %s",
				line, name, lmm.QuoteShort(row[col["mean"]]), lmm.QuoteShort(row[col["sd"]]))
		}
		ref.Params[j], seen[j] = RefParam{Name: name, Mean: mean, SD: sd}, true
	}
	for j, ok := range seen {
		if !ok {
			return nil, fmt.Errorf("no row for %s", names[j])
		}
	}
	return ref, nil
}

// fallbackReason returns why fit.Fit would have replaced this npe, npe-is
// (or other importance-sampled) result by NUTS, or "" when it keeps it: the
// dataset or prior outside the estimator's trained range, or k̂ above its
// threshold. The rule is fit.Fit's.
func fallbackReason(method string, model *estimator.Model, d *lmm.Design, prior lmm.Prior, res *fit.Result) string {
	var why []string
	if method == fit.MethodNPE || method == fit.MethodNPEIS {
		why = append(why, fit.RangeFallback(method, model, d, prior)...)
	}
	if k := fit.KFallback(res); k != "" {
		why = append(why, k)
	}
	return strings.Join(why, "; ")
}

// RefComparison measures a posterior's global parameters against a
// reference: the largest |mean − mean_ref|/sd_ref and the largest
// |log(sd/sd_ref)|, the parameters where each is reached, and whether every
// mean lies within PassMeanSD reference SDs and every SD within ±PassSDRel.
type RefComparison struct {
	MaxAbsDMean   fit.Num `json:"max_abs_dmean_over_ref_sd"`
	WorstMean     string  `json:"worst_mean"`
	MaxAbsLogSD   fit.Num `json:"max_abs_log_sd_ratio"`
	WorstSD       string  `json:"worst_sd"`
	Pass          bool    `json:"pass"`
	sdRatioMinMax [2]float64
}

// compareToReference compares the posterior summaries (name, mean, sd) with
// the reference. Parameters absent from the posterior are an error.
func compareToReference(names []string, means, sds []float64, ref []RefParam) (RefComparison, error) {
	idx := map[string]int{}
	for i, n := range names {
		idx[n] = i
	}
	c := RefComparison{Pass: true, sdRatioMinMax: [2]float64{math.Inf(1), math.Inf(-1)}}
	for _, r := range ref {
		i, ok := idx[r.Name]
		if !ok {
			return RefComparison{}, fmt.Errorf("the posterior has no %s", r.Name)
		}
		dm := math.Abs(means[i]-r.Mean) / r.SD
		ratio := sds[i] / r.SD
		ls := math.Abs(math.Log(ratio))
		if dm > float64(c.MaxAbsDMean) || c.WorstMean == "" {
			c.MaxAbsDMean, c.WorstMean = fit.Num(dm), r.Name
		}
		if ls > float64(c.MaxAbsLogSD) || c.WorstSD == "" {
			c.MaxAbsLogSD, c.WorstSD = fit.Num(ls), r.Name
		}
		c.sdRatioMinMax[0] = math.Min(c.sdRatioMinMax[0], ratio)
		c.sdRatioMinMax[1] = math.Max(c.sdRatioMinMax[1], ratio)
		if !(dm <= PassMeanSD) || !(math.Abs(ratio-1) <= PassSDRel) {
			c.Pass = false
		}
	}
	return c, nil
}

// RealRow is one method on one real dataset (a row of Table 5).
type RealRow struct {
	Dataset string `json:"dataset"`
	Method  string `json:"method"`
	// Reference is "rstan" or "nuts" (the run's own NUTS fit; its NUTS
	// row then carries no comparison).
	Reference   string  `json:"reference"`
	NObs        int     `json:"n_obs"`
	NGroups     int     `json:"n_groups"`
	Seconds     float64 `json:"seconds"`
	MaxRhat     fit.Num `json:"max_rhat"`
	MinESS      fit.Num `json:"min_ess"`
	Divergences int     `json:"divergences"`
	RefComparison
	ParetoK      *fit.Num `json:"pareto_k,omitempty"`
	ISEfficiency *fit.Num `json:"is_efficiency,omitempty"`
	// Fallback says why fit.Fit would have replaced the result by NUTS
	// ("" when it keeps it).
	Fallback string   `json:"fallback,omitempty"`
	Error    string   `json:"error,omitempty"`
	Warnings []string `json:"warnings,omitempty"`
	// Seeds counts the compared fits of this dataset and method, the
	// first and those of Record.Seeds; SeedsPassed those that pass, and
	// SeedsFellBack those that fit.Fit would have replaced by NUTS (a
	// failed fit counts as both failing and falling back).
	Seeds         int `json:"seeds,omitempty"`
	SeedsPassed   int `json:"seeds_passed,omitempty"`
	SeedsFellBack int `json:"seeds_fell_back,omitempty"`
}

// RealMethodSummary pools one method's compared rows of the real suite:
// the number of datasets N, how many pass and how many would fall back to
// NUTS (counts: binary outcomes, not gated), the same over every fit seed
// (Config.RealSeeds), the mean over datasets of the per-dataset maxima with
// its standard error over datasets (the continuous statistics a gate
// compares), and the median k̂ and IS efficiency.
type RealMethodSummary struct {
	Method    string `json:"method"`
	N         int    `json:"n"`
	Passed    int    `json:"passed"`
	Fallbacks int    `json:"fallbacks"`
	// SeedFits counts the compared fits over every seed, SeedsPassed and
	// SeedsFellBack those that pass and fall back; PassedEverySeed and
	// KeptEverySeed count the datasets that pass, and keep their own
	// result, at every seed.
	SeedFits           int      `json:"seed_fits"`
	SeedsPassed        int      `json:"seeds_passed"`
	SeedsFellBack      int      `json:"seeds_fell_back"`
	PassedEverySeed    int      `json:"passed_every_seed"`
	KeptEverySeed      int      `json:"kept_every_seed"`
	MeanMaxAbsDMean    Estimate `json:"mean_max_abs_dmean_over_ref_sd"`
	MeanMaxAbsLogSD    Estimate `json:"mean_max_abs_log_sd_ratio"`
	MedianParetoK      fit.Num  `json:"median_pareto_k"`
	MedianISEfficiency fit.Num  `json:"median_is_efficiency"`
}

// RealSuiteResult is the real suite against its references: results.json's
// "real_suite".
type RealSuiteResult struct {
	Rows     []RealRow           `json:"rows"`
	ByMethod []RealMethodSummary `json:"by_method"`
}

// realSuite compares every real-suite record with its dataset's reference:
// rstan's where the configuration holds one, else the run's NUTS fit.
func realSuite(cfg Config, methods []string, recs []Record) (RealSuiteResult, []string) {
	refs := map[string]*Reference{}
	datasetIndex := map[string]int{}
	for i, rd := range cfg.Real {
		refs[rd.Name] = rd.Reference
		datasetIndex[rd.Name] = i
	}
	nuts := map[string]*Reference{}
	for _, r := range recs {
		if r.Suite == SuiteReal && r.Method == fit.MethodNUTS && r.Error == "" {
			ref := &Reference{Source: realRefNUTS}
			for _, p := range r.Params {
				if p.Kind != KindB {
					ref.Params = append(ref.Params, RefParam{Name: p.Name, Mean: p.Mean, SD: p.SD})
				}
			}
			nuts[r.Name] = ref
		}
	}
	var res RealSuiteResult
	var warnings []string
	for _, r := range recs {
		if r.Suite != SuiteReal {
			continue
		}
		row := RealRow{Dataset: r.Name, Method: r.Method, Reference: "rstan", NObs: r.NObs, NGroups: r.NGroups,
			Seconds: r.Seconds, MaxRhat: r.MaxRhat, MinESS: r.MinESS, Divergences: r.Divergences,
			ParetoK: r.ParetoK, ISEfficiency: r.ISEfficiency, Fallback: r.Fallback, Error: r.Error, Warnings: r.Warnings}
		row.MaxAbsDMean, row.MaxAbsLogSD = fit.Num(math.NaN()), fit.Num(math.NaN())
		ref := refs[r.Name]
		if ref == nil {
			row.Reference, ref = realRefNUTS, nuts[r.Name]
		}
		if r.Error == "" && ref != nil && !(row.Reference == realRefNUTS && r.Method == fit.MethodNUTS) {
			var names []string
			var means, sds []float64
			for _, p := range r.Params {
				names, means, sds = append(names, p.Name), append(means, p.Mean), append(sds, p.SD)
			}
			c, err := compareToReference(names, means, sds, ref.Params)
			if err != nil {
				warnings = append(warnings, fmt.Sprintf("real dataset %s (%s): %v", r.Name, r.Method, err))
			} else {
				row.RefComparison = c
				row.countSeed(c.Pass, r.Fallback != "")
				for _, s := range r.Seeds {
					row.countSeed(s.Error == "" && seedPasses(s, ref), s.Error != "" || s.Fallback != "")
				}
			}
		}
		res.Rows = append(res.Rows, row)
	}
	// Rows in suite order, each dataset's methods in table order.
	rank := func(r RealRow) int {
		if i := slices.Index(methods, r.Method); i >= 0 {
			return i
		}
		return len(methods)
	}
	slices.SortStableFunc(res.Rows, func(a, b RealRow) int {
		if c := cmp.Compare(datasetIndex[a.Dataset], datasetIndex[b.Dataset]); c != 0 {
			return c
		}
		return cmp.Compare(rank(a), rank(b))
	})
	for _, m := range methods {
		res.ByMethod = append(res.ByMethod, summarizeReal(m, res.Rows))
	}
	return res, warnings
}

// countSeed counts one compared fit of the row's dataset and method.
func (r *RealRow) countSeed(pass, fellBack bool) {
	r.Seeds++
	if pass {
		r.SeedsPassed++
	}
	if fellBack {
		r.SeedsFellBack++
	}
}

// seedPasses reports whether a seed fit passes against the reference; a
// fit that lacks a reference parameter does not.
func seedPasses(s SeedFit, ref *Reference) bool {
	names, means, sds := make([]string, len(s.Params)), make([]float64, len(s.Params)), make([]float64, len(s.Params))
	for i, p := range s.Params {
		names[i], means[i], sds[i] = p.Name, p.Mean, p.SD
	}
	c, err := compareToReference(names, means, sds, ref.Params)
	return err == nil && c.Pass
}

// summarizeReal pools the compared rows of one method.
func summarizeReal(method string, rows []RealRow) RealMethodSummary {
	s := RealMethodSummary{Method: method}
	var dm, ls, ks, effs []float64
	for _, r := range rows {
		if r.Method != method || r.Error != "" || math.IsNaN(float64(r.MaxAbsDMean)) {
			continue
		}
		s.N++
		if r.Pass {
			s.Passed++
		}
		if r.Fallback != "" {
			s.Fallbacks++
		}
		s.SeedFits += r.Seeds
		s.SeedsPassed += r.SeedsPassed
		s.SeedsFellBack += r.SeedsFellBack
		if r.SeedsPassed == r.Seeds {
			s.PassedEverySeed++
		}
		if r.SeedsFellBack == 0 {
			s.KeptEverySeed++
		}
		dm = append(dm, float64(r.MaxAbsDMean))
		ls = append(ls, float64(r.MaxAbsLogSD))
		if r.ParetoK != nil {
			ks = append(ks, float64(*r.ParetoK))
		}
		if r.ISEfficiency != nil {
			effs = append(effs, float64(*r.ISEfficiency))
		}
	}
	s.MeanMaxAbsDMean, s.MeanMaxAbsLogSD = est(math.NaN(), math.NaN()), est(math.NaN(), math.NaN())
	if s.N > 0 {
		s.MeanMaxAbsDMean, s.MeanMaxAbsLogSD = meanSE(dm), meanSE(ls)
	}
	s.MedianParetoK, s.MedianISEfficiency = fit.Num(median(ks)), fit.Num(median(effs))
	return s
}
