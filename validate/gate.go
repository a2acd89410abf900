package validate

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"slices"

	"github.com/metabeta-go/metabeta/fit"
	"github.com/metabeta-go/metabeta/reports"
)

// DefaultFamilyAlpha is the default family-wise false-alarm probability of
// the gate: the chance that two runs of the same code and model, differing
// only in their seed, flag any metric at all.
const DefaultFamilyAlpha = 0.01

// Names of the gated metrics, the keys of GateOptions.Margins.
const (
	MetricAbsECE      = "|ECE|"
	MetricEACE        = "EACE"
	MetricR           = "1−r"
	MetricNRMSE       = "NRMSE"
	MetricBand        = "SBC band pass"
	MetricLogGamma    = "SBC log-γ"
	MetricConvergence = "convergence rate"
	MetricFailed      = "failed-fit rate"
	MetricTime        = "median time"
	MetricCRPS        = "CRPS"
	MetricLPD         = "LPD"
	MetricPPPWithin   = "share PPP(within SD) < 0.05"
	MetricPPPBetween  = "share PPP(between SD) < 0.05"
	// Agreement of npe and npe-is with NUTS on the same datasets.
	MetricAgreementR = "agreement 1−r"
	MetricMeanDiff   = "|Δmean|/sd"
	MetricW1         = "W1/sd"
	// Importance sampling of npe-is: the share of datasets with k̂ > 0.7.
	MetricParetoK = "share k̂ > 0.7"
	// The real suite against its reference posteriors (Table 5), per
	// method: the mean over datasets of the largest |Δmean|/sd_ref and of
	// the largest |log(sd/sd_ref)| over the global parameters.
	MetricRealMeanDiff = "real max |Δmean|/sd_ref"
	MetricRealLogSD    = "real max |log sd ratio|"
)

// GateOptions configures Gate. The zero value gives the defaults.
type GateOptions struct {
	// Z is the number of combined standard errors a change must exceed to
	// be significant; 0 derives it from FamilyAlpha and the number of gated
	// metrics (BonferroniZ).
	Z float64
	// FamilyAlpha is the family-wise false-alarm probability from which Z
	// is derived when Z is 0; 0 means DefaultFamilyAlpha.
	FamilyAlpha float64
	// Margins adds a practical margin, in the metric's own units, to the
	// tolerance of the metrics it names (keys Metric*): e.g. {"|ECE|": 0.01}
	// ignores coverage changes below one percentage point. Missing keys
	// mean no margin; negative margins are treated as zero.
	Margins map[string]float64
	// TimingFactor, when > 0, gates the median wall time per dataset: a
	// regression when new > TimingFactor·old. 0 reports timing without
	// gating it.
	TimingFactor float64
	// AllowMissing reports gated metrics that only one of the two runs has
	// without failing on them. By default they fail the gate: a metric
	// missing from the current results means something stopped running, one
	// missing from the baseline means it would go unchecked.
	AllowMissing bool
}

// GateRow is one compared metric.
type GateRow struct {
	// Metric names the metric: method, parameter kind and metric name, e.g.
	// "nuts beta |ECE|", or a run-level name such as "nuts convergence rate".
	Metric string
	// Old and New are the baseline and current values, OldSE and NewSE
	// their standard errors (0 when none). Old is NaN for a metric missing
	// from the baseline, New for one missing from the current results. For
	// the band test the values are 1 (pass) or 0.
	Old, OldSE, New, NewSE float64
	// Delta is New − Old.
	Delta float64
	// Tolerance is the |Delta| a significant change must exceed (NaN for
	// ungated rows).
	Tolerance float64
	// P is the two-sided p-value of the z test of Δ = 0, 2Φ(−|Δ|/√(SE_old² +
	// SE_new²)), for metrics with standard errors; 0 where none (the margin
	// is not part of it).
	P float64
	// Significant says the change is beyond the tolerance.
	Significant bool
	// Regression says the change is significant and for the worse, or that
	// a gated metric is present in only one of the runs (unless
	// GateOptions.AllowMissing).
	Regression bool
	// Gated is false for rows that are only reported (timing by default,
	// the SBC band test, metrics NaN in the baseline, metrics in one run
	// only under AllowMissing).
	Gated bool
	// Missing says the metric is present in only one of the runs: "baseline"
	// when the baseline lacks it, "current" when the current results do.
	Missing string
	// Note explains a special row: missing, not gated.
	Note string
	// relative prints Delta relative to Old (timing).
	relative bool
}

// GateReport is the outcome of Gate.
type GateReport struct {
	// Z is the z the report used; FamilyAlpha the family-wise level it was
	// derived from (0 when GateOptions.Z was given).
	Z, FamilyAlpha float64
	// Rows holds one row per compared metric, in the order of the
	// baseline's results (kinds, convergence, failed fits, posterior
	// predictive checks, agreement, timing), then the metrics only the
	// current results have.
	Rows []GateRow
	// Warnings are caveats about the comparison, such as differing
	// configurations.
	Warnings []string
}

// Failed reports whether any row is a regression.
func (r GateReport) Failed() bool { return len(r.Regressions()) > 0 }

// Regressions returns the rows that are regressions, missing metrics
// included.
func (r GateReport) Regressions() []GateRow {
	var out []GateRow
	for _, row := range r.Rows {
		if row.Regression {
			out = append(out, row)
		}
	}
	return out
}

// Unpaired returns the names of the metrics, gated or not, that only the
// baseline (missing from the current results) or only the current results
// (missing from the baseline) have.
func (r GateReport) Unpaired() (notInCurrent, notInBaseline []string) {
	for _, row := range r.Rows {
		switch row.Missing {
		case "current":
			notInCurrent = append(notInCurrent, row.Metric)
		case "baseline":
			notInBaseline = append(notInBaseline, row.Metric)
		}
	}
	return notInCurrent, notInBaseline
}

// GatedCount returns the number of gated rows.
func (r GateReport) GatedCount() int {
	n := 0
	for _, row := range r.Rows {
		if row.Gated {
			n++
		}
	}
	return n
}

// Table returns the benchstat-like comparison table: old ± SE, new ± SE,
// the absolute change (relative for timing), "~" where not significant,
// and a footnote on every regression and special row.
func (r GateReport) Table() *reports.Table {
	cmp := make([]reports.Comparison, 0, len(r.Rows))
	for _, row := range r.Rows {
		c := reports.Comparison{
			Metric: row.Metric, Old: reports.Estimate{Center: row.Old, Err: row.OldSE},
			New: reports.Estimate{Center: row.New, Err: row.NewSE}, Delta: row.Delta, AbsoluteDelta: true,
			Significant: row.Significant, P: row.P,
		}
		if row.relative {
			c.Unit = "s"
			if row.Old != 0 {
				c.Delta, c.AbsoluteDelta = row.Delta/row.Old, false
			}
		}
		if row.Regression {
			c.Warnings = append(c.Warnings, "regression")
		}
		if row.Note != "" {
			c.Warnings = append(c.Warnings, row.Note)
		}
		cmp = append(cmp, c)
	}
	title := fmt.Sprintf("Regression gate (z = %.3g)", r.Z)
	if r.FamilyAlpha > 0 {
		title = fmt.Sprintf("Regression gate (z = %.3g: family-wise false-alarm rate %g over %d gated metrics)", r.Z, r.FamilyAlpha, r.GatedCount())
	}
	t := reports.ComparisonTable(title, "baseline", "current", cmp)
	t.Caption = "Significant: |Δ| > z·√(SE_old² + SE_new²) + margin, with bootstrap SEs over datasets; timing by its factor when gated."
	t.Notes = append(t.Notes, r.Warnings...)
	return t
}

// direction says which way a metric improves.
type direction int

const (
	lowerIsBetter direction = iota
	higherIsBetter
)

// gateRule says how a metric is compared.
type gateRule int

const (
	// ruleZ is the two-sample z rule on the metric and its SE.
	ruleZ gateRule = iota
	// ruleTiming compares wall times by a factor (GateOptions.TimingFactor).
	ruleTiming
	// ruleReport shows the metric without gating it.
	ruleReport
)

// gateMetric is one metric of a results.json as the gate sees it.
type gateMetric struct {
	// name is the row's name, margin the key of its margin (Metric*).
	name, margin string
	value, se    float64
	dir          direction
	rule         gateRule
	// note explains a ruleReport metric.
	note string
}

// MinGateDatasets is the fewest datasets behind a metric for the gate to
// compare it: a standard error estimated from fewer (a bootstrap, or a
// sample SD, over 4 to 6 misspecified datasets in the quick suite) is too
// unreliable to test on, and such rows are only reported.
const MinGateDatasets = 10

// gateMetrics lists the metrics of r that the gate compares, in table
// order. It is the one place that says what is gated: a new section of
// Results gets gated by adding its metrics here.
func gateMetrics(r *Results) []gateMetric {
	var out []gateMetric
	add := func(name, margin string, e Estimate, dir direction) {
		out = append(out, gateMetric{name: name + " " + margin, margin: margin, value: float64(e.Value), se: float64(e.SE), dir: dir})
	}
	oneMinus := func(e Estimate) Estimate { return Estimate{1 - e.Value, e.SE} }
	for _, k := range r.Kinds {
		name := k.Method + " " + k.Group
		start := len(out)
		// The SE of ECE is that of |ECE| away from 0.
		add(name, MetricAbsECE, Estimate{Value: fit.Num(math.Abs(float64(k.ECE.Value))), SE: k.ECE.SE}, lowerIsBetter)
		add(name, MetricEACE, k.EACE, lowerIsBetter)
		add(name, MetricR, oneMinus(k.R), lowerIsBetter)
		add(name, MetricNRMSE, k.NRMSE, lowerIsBetter)
		band := 0.0
		if k.BandPass {
			band = 1
		}
		out = append(out, gateMetric{name: name + " " + MetricBand, margin: MetricBand, value: band, dir: higherIsBetter,
			rule: ruleReport, note: "not gated: a pass/fail test, gated through log-γ"})
		add(name, MetricLogGamma, k.LogGamma, higherIsBetter)
		reportIfFew(out[start:], k.Datasets)
	}
	add("nuts", MetricConvergence, r.Convergence, higherIsBetter)
	out = append(out, gateMetric{name: MetricFailed, margin: MetricFailed, value: float64(r.FailedRate.Value), se: float64(r.FailedRate.SE), dir: lowerIsBetter})
	for _, p := range r.PPC {
		name := p.Method + " " + p.Suite
		start := len(out)
		add(name, MetricCRPS, p.CRPS, lowerIsBetter)
		add(name, MetricLPD, p.LPD, higherIsBetter)
		add(name, MetricPPPWithin, p.PPPWithinLow, lowerIsBetter)
		add(name, MetricPPPBetween, p.PPPBetweenLow, lowerIsBetter)
		reportIfFew(out[start:], p.N)
	}
	for _, a := range r.Agreement {
		name := a.Method + " " + a.Kind
		add(name, MetricAgreementR, oneMinus(a.R), lowerIsBetter)
		add(name, MetricMeanDiff, a.MeanAbsDiff, lowerIsBetter)
		add(name, MetricW1, a.W1, lowerIsBetter)
		reportIfFew(out[len(out)-3:], a.Datasets)
	}
	for _, is := range r.Importance {
		add(is.Method, MetricParetoK, is.ShareAbove, lowerIsBetter)
	}
	for _, s := range r.RealSuite.ByMethod {
		if s.N >= 2 { // an SE over datasets needs two
			add(s.Method, MetricRealMeanDiff, s.MeanMaxAbsDMean, lowerIsBetter)
			add(s.Method, MetricRealLogSD, s.MeanMaxAbsLogSD, lowerIsBetter)
		}
	}
	for _, t := range r.Timing {
		out = append(out, gateMetric{name: t.Method + " " + MetricTime, margin: MetricTime, value: float64(t.Median), dir: lowerIsBetter, rule: ruleTiming})
	}
	return out
}

// reportIfFew makes the metrics ms report-only when they rest on fewer
// than MinGateDatasets datasets (n > 0: a count of 0 is one that results
// written before the count was recorded lack, and their metrics stay
// gated). The band test is report-only already and keeps its note.
func reportIfFew(ms []gateMetric, n int) {
	if n <= 0 || n >= MinGateDatasets {
		return
	}
	for i := range ms {
		if ms[i].rule != ruleReport {
			ms[i].rule = ruleReport
			ms[i].note = fmt.Sprintf("not gated: %d datasets, fewer than %d", n, MinGateDatasets)
		}
	}
}

// Gate compares the current results of a validation run with a baseline
// run and says whether anything got significantly worse, as benchstat does
// for benchmarks. It modifies neither.
//
// Every gated metric is an estimate over simulated datasets with a Monte
// Carlo standard error (MCSE) stored in results.json. A change
// Δ = new − old is significant when
//
//	|Δ| > z·√(SE_old² + SE_new²) + margin,
//
// the two-sample z rule with both runs' errors, plus an optional practical
// margin in the metric's own units (GateOptions.Margins). It is a
// regression when it is significant and in the bad direction; improvements
// and changes within the tolerance pass.
//
// Two runs of the same code that differ only in their seed are two samples
// of the same quantities, and the gate must pass between them. Three
// things make it so:
//
//   - the SEs count datasets, not parameters, as the independent units:
//     the pooled metrics (r, NRMSE, ECE, EACE, log-γ, the agreement with
//     NUTS) get their SEs from a bootstrap over datasets (Aggregate), which
//     also covers the heavy tails of r and NRMSE;
//   - binary outcomes are gated through a continuous statistic with an SE:
//     the SBC band test through log-γ (whose SE is at least its spread
//     under uniform ranks), the failed fits as a rate with its binomial SE;
//     the band test itself is only reported;
//   - z controls the family-wise false-alarm rate: with m gated metrics
//     and GateOptions.FamilyAlpha = α, z = Φ⁻¹(1 − α/(2m)) (Bonferroni),
//     so that two replicate runs flag any metric, either way, with
//     probability at most about α (z = 3.9 for α = 1% and m = 100, 4.1
//     for m = 200).
//
// Runs with the same seed simulate the same datasets, so their difference
// has a smaller error than the rule assumes: the gate is conservative
// there.
//
// The gated metrics (gateMetrics), per method and parameter kind
// (Results.Kinds): |ECE| (lower is better; the SE of ECE is that of |ECE|
// away from 0), EACE (lower), 1 − r of posterior means against the truth
// (lower; readable when r ≈ 0.9997), NRMSE (lower) and SBC log-γ (higher,
// Modrák et al. 2025); per method and suite (Results.PPC), the mean CRPS
// (lower) and log predictive density (higher), and the shares of datasets
// whose posterior predictive p-value of the within- or between-group SD is
// below 0.05 (lower); per method and kind (Results.Agreement), the
// agreement of npe and npe-is with NUTS: 1 − r, mean |Δmean|/sd and W1/sd
// (all lower); per importance-sampled method (Results.Importance), the
// share of datasets with Pareto k̂ > 0.7 (lower); and for the whole run the
// NUTS convergence rate (higher) and the failed-fit rate (lower). The median wall time per simulated dataset
// is reported, and gated only when GateOptions.TimingFactor > 0
// (new > factor·old), since wall time varies across machines by more than
// any useful tolerance.
//
// Metrics over fewer than MinGateDatasets datasets (the predictive checks
// of the misspecified variants of the quick suite, the correlations of the
// few correlated datasets of a quick suite) are reported, not gated.
//
// A gated metric that only one of the runs has fails the gate, reported by
// name, unless GateOptions.AllowMissing: missing from the current results,
// something stopped running; missing from the baseline, it would go
// unchecked (an old or hand-edited baseline). A metric whose current value
// is NaN where the baseline had a number fails too; one that was NaN in the
// baseline is not gated. Differences in the runs' configurations (seed,
// number of datasets, L) are reported as warnings.
//
// Refreshing testdata/baseline.json, the baseline of `metabeta gate` in CI:
// after a deliberate change of the estimators, the simulator or the layout
// of results.json (ResultsSchema), from the repository root,
//
//	make build
//	bin/metabeta validate --quick --out /tmp/baseline-run
//	cp /tmp/baseline-run/results.json testdata/baseline.json
//
// then check the diff of testdata/baseline.json and say in the commit why
// the baseline moved. The quick suite is deterministic for its seed except
// for wall times.
func Gate(baseline, current *Results, opts GateOptions) GateReport {
	margin := func(metric string) float64 { return math.Max(opts.Margins[metric], 0) }
	old, cur := gateMetrics(baseline), gateMetrics(current)
	byName := map[string]gateMetric{}
	for _, c := range cur {
		byName[c.name] = c
	}
	inOld := map[string]bool{}
	for _, o := range old {
		inOld[o.name] = true
	}
	gatedRule := func(m gateMetric) bool {
		return m.rule == ruleZ || (m.rule == ruleTiming && opts.TimingFactor > 0)
	}
	rep := GateReport{Z: opts.Z, Warnings: configWarnings(baseline.Config, current.Config)}
	if rep.Z <= 0 {
		m := 0
		for _, o := range old {
			if c, ok := byName[o.name]; ok && gatedRule(o) && gatedRule(c) {
				m++
			}
		}
		rep.FamilyAlpha = opts.FamilyAlpha
		if rep.FamilyAlpha <= 0 {
			rep.FamilyAlpha = DefaultFamilyAlpha
		}
		rep.Z = BonferroniZ(rep.FamilyAlpha, m)
	}
	for _, o := range old {
		c, ok := byName[o.name]
		switch {
		case !ok:
			rep.Rows = append(rep.Rows, unpairedRow(o, "current", gatedRule(o) && !opts.AllowMissing))
		case o.rule == ruleReport:
			rep.Rows = append(rep.Rows, reportRow(o, c))
		case o.rule == ruleTiming:
			rep.Rows = append(rep.Rows, timeRow(o.name, o.value, c.value, opts.TimingFactor))
		default:
			rep.Rows = append(rep.Rows, estimateRow(rep.Z, o.name, o.dir, o.value, o.se, c.value, c.se, margin(o.margin)))
		}
	}
	for _, c := range cur {
		if !inOld[c.name] {
			rep.Rows = append(rep.Rows, unpairedRow(c, "baseline", gatedRule(c) && !opts.AllowMissing))
		}
	}
	return rep
}

// BonferroniZ returns the z of a two-sided test at level α/m, Φ⁻¹(1 −
// α/(2m)): m such tests flag anything with probability at most α. m < 1
// counts as 1.
func BonferroniZ(alpha float64, m int) float64 {
	p := alpha / (2 * float64(max(m, 1)))
	return math.Sqrt2 * math.Erfinv(1-2*p) // Φ⁻¹(1 − p)
}

// estimateRow applies the two-sample rule |Δ| > z·√(se₁² + se₂²) + margin.
// A NaN SE counts as zero.
func estimateRow(z float64, metric string, dir direction, old, oldSE, cur, curSE, margin float64) GateRow {
	oldSE, curSE = zeroIfNaN(oldSE), zeroIfNaN(curSE)
	tol := z*math.Hypot(oldSE, curSE) + margin
	row := GateRow{Metric: metric, Old: old, OldSE: oldSE, New: cur, NewSE: curSE, Delta: cur - old, Tolerance: tol, Gated: true}
	if se := math.Hypot(oldSE, curSE); se > 0 && !math.IsNaN(row.Delta) {
		row.P = math.Erfc(math.Abs(row.Delta) / se / math.Sqrt2) // 2Φ(−|Δ|/se)
	}
	return judge(row, dir)
}

// judge sets Significant and Regression from Delta and Tolerance, handling
// NaN values.
func judge(row GateRow, dir direction) GateRow {
	switch {
	case math.IsNaN(row.Old):
		row.Gated, row.Note = false, "not gated: NaN in the baseline"
		return row
	case math.IsNaN(row.New):
		row.Significant, row.Regression, row.Note = true, true, "NaN in the current results"
		return row
	}
	row.Significant = math.Abs(row.Delta) > row.Tolerance
	worse := row.Delta > 0
	if dir == higherIsBetter {
		worse = row.Delta < 0
	}
	row.Regression = row.Significant && worse
	return row
}

// reportRow shows a metric that is not gated.
func reportRow(old, cur gateMetric) GateRow {
	return GateRow{Metric: old.name, Old: old.value, OldSE: old.se, New: cur.value, NewSE: cur.se, Delta: cur.value - old.value,
		Tolerance: math.NaN(), Note: old.note}
}

// timeRow reports the median time, gated only when factor > 0.
func timeRow(metric string, old, cur, factor float64) GateRow {
	row := GateRow{Metric: metric, Old: old, New: cur, Delta: cur - old, Tolerance: math.NaN(), relative: true}
	if factor <= 0 {
		row.Note = "not gated: wall time varies across machines"
		return row
	}
	row.Gated = true
	row.Tolerance = (factor - 1) * old
	row.Significant = cur > factor*old || cur*factor < old
	row.Regression = cur > factor*old
	return row
}

// unpairedRow is the row of a metric that only one run has: missing names
// the run that lacks it ("baseline" or "current"). It fails the gate when
// fail is set.
func unpairedRow(m gateMetric, missing string, fail bool) GateRow {
	row := GateRow{Metric: m.name, Old: m.value, OldSE: m.se, New: math.NaN(), Delta: math.NaN(), Tolerance: math.NaN(),
		Missing: missing, relative: m.rule == ruleTiming}
	if missing == "baseline" {
		row.Old, row.OldSE, row.New, row.NewSE = math.NaN(), 0, m.value, m.se
	}
	row.Note = "missing from the " + map[string]string{"baseline": "baseline", "current": "current results"}[missing]
	switch {
	case fail:
		row.Gated, row.Significant, row.Regression = true, true, true
	case m.rule == ruleZ:
		row.Note += ": allowed, not gated"
	}
	return row
}

func zeroIfNaN(v float64) float64 {
	if math.IsNaN(v) {
		return 0
	}
	return v
}

// configWarnings lists the differences between two runs' configurations
// that change what the metrics mean.
func configWarnings(old, cur Config) []string {
	var w []string
	add := func(what string, a, b any) {
		w = append(w, fmt.Sprintf("baseline and current differ in %s (%v vs %v)", what, a, b))
	}
	if old.Seed != cur.Seed {
		add("seed", old.Seed, cur.Seed)
	}
	if old.Simulated != cur.Simulated {
		add("simulated datasets", old.Simulated, cur.Simulated)
	}
	if old.SBCDraws != cur.SBCDraws {
		add("SBC draws L", old.SBCDraws, cur.SBCDraws)
	}
	if old.RandomEffectGroups != cur.RandomEffectGroups {
		add("random-effect groups", old.RandomEffectGroups, cur.RandomEffectGroups)
	}
	names := func(rs []RealDataset) []string {
		var out []string
		for _, r := range rs {
			out = append(out, r.Name)
		}
		return out
	}
	if a, b := names(old.Real), names(cur.Real); !slices.Equal(a, b) {
		add("real datasets", a, b)
	}
	if old.Shard.Of > 1 || cur.Shard.Of > 1 {
		w = append(w, "a run is a single shard: merge the shards before gating")
	}
	return w
}

// ReadResults reads a results.json written by Results.Write. Fields that
// are not written (the simulator's and the sampler's configuration, the
// ranks kept for plots) are zero in the result; everything Gate uses round
// trips, NaN (JSON null) included. A file of another layout version
// (ResultsSchema) is refused: its standard errors would not be comparable.
func ReadResults(path string) (*Results, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("results: %w", err)
	}
	var r Results
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("results %s: %w", path, err)
	}
	if len(r.Methods) == 0 {
		return nil, fmt.Errorf("results %s: no methods: not a results.json of metabeta validate", path)
	}
	if r.Schema != ResultsSchema {
		return nil, fmt.Errorf("results %s: layout version %d, this metabeta reads version %d (standard errors from a bootstrap over datasets): regenerate it with this version's metabeta validate", path, r.Schema, ResultsSchema)
	}
	return &r, nil
}
