package validate

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"slices"

	"github.com/metabeta-go/metabeta/reports"
)

// DefaultZ is the default number of combined standard errors a change must
// exceed to be significant.
const DefaultZ = 3

// DefaultNRMSERelative is the default relative tolerance of NRMSE, which
// has no standard error in the results.
const DefaultNRMSERelative = 0.10

// Names of the gated metrics, the keys of GateOptions.Margins.
const (
	MetricAbsECE      = "|ECE|"
	MetricEACE        = "EACE"
	MetricR           = "1−r"
	MetricNRMSE       = "NRMSE"
	MetricBand        = "SBC band pass"
	MetricLogGamma    = "SBC log-γ"
	MetricConvergence = "convergence rate"
	MetricFailed      = "failed fits"
	MetricTime        = "median time"
	MetricCRPS        = "CRPS"
	MetricLPD         = "LPD"
	MetricPPPWithin   = "share PPP(within SD) < 0.05"
	MetricPPPBetween  = "share PPP(between SD) < 0.05"
	// Agreement of npe and npe-is with NUTS on the same datasets.
	MetricAgreementR = "agreement 1−r"
	MetricMeanDiff   = "|Δmean|/sd"
	MetricW1         = "W1/sd"
)

// GateOptions configures Gate. The zero value gives the defaults.
type GateOptions struct {
	// Z is the number of combined standard errors a change must exceed to
	// be significant; 0 means DefaultZ.
	Z float64
	// Margins adds a practical margin, in the metric's own units, to the
	// tolerance of the metrics it names (keys Metric*): e.g. {"|ECE|": 0.01}
	// ignores coverage changes below one percentage point. Missing keys
	// mean no margin; negative margins are treated as zero.
	Margins map[string]float64
	// NRMSERelative is the relative tolerance of NRMSE; 0 means
	// DefaultNRMSERelative.
	NRMSERelative float64
	// TimingFactor, when > 0, gates the median wall time per dataset: a
	// regression when new > TimingFactor·old. 0 reports timing without
	// gating it.
	TimingFactor float64
}

// GateRow is one compared metric.
type GateRow struct {
	// Metric names the metric: method, parameter kind and metric name, e.g.
	// "nuts beta |ECE|", or a run-level name such as "nuts convergence rate".
	Metric string
	// Old and New are the baseline and current values, OldSE and NewSE
	// their standard errors (0 when none). Old is NaN for a new metric, New
	// for a missing one. For the band test the values are 1 (pass) or 0.
	Old, OldSE, New, NewSE float64
	// Delta is New − Old.
	Delta float64
	// Tolerance is the |Delta| a significant change must exceed (NaN for
	// pass/fail metrics and ungated rows).
	Tolerance float64
	// P is the two-sided p-value of the z test of Δ = 0, 2Φ(−|Δ|/√(SE_old² +
	// SE_new²)), for metrics with standard errors; 0 where none (the margin
	// is not part of it).
	P float64
	// Significant says the change is beyond the tolerance (or a pass/fail
	// test changed its verdict).
	Significant bool
	// Regression says the change is significant and for the worse, or that
	// the metric is missing from the current results.
	Regression bool
	// Gated is false for rows that are only reported (timing by default,
	// metrics new in the current results, metrics NaN in the baseline).
	Gated bool
	// Note explains a special row: missing, new, not gated.
	Note string
	// relative prints Delta relative to Old (timing).
	relative bool
}

// GateReport is the outcome of Gate.
type GateReport struct {
	// Z is the z the report used.
	Z float64
	// Rows holds one row per compared metric, in the order of the
	// baseline's results (kinds, convergence, failed fits, posterior
	// predictive checks, timing), then new metrics.
	Rows []GateRow
	// Warnings are caveats about the comparison, such as differing
	// configurations.
	Warnings []string
}

// Failed reports whether any row is a regression.
func (r GateReport) Failed() bool { return len(r.Regressions()) > 0 }

// Regressions returns the rows that are regressions.
func (r GateReport) Regressions() []GateRow {
	var out []GateRow
	for _, row := range r.Rows {
		if row.Regression {
			out = append(out, row)
		}
	}
	return out
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
	t := reports.ComparisonTable(fmt.Sprintf("Regression gate (z = %g)", r.Z), "baseline", "current", cmp)
	t.Caption = "Significant: |Δ| > z·√(SE_old² + SE_new²) + margin; NRMSE by its relative tolerance; SBC tests by a change of verdict."
	t.Notes = append(t.Notes, r.Warnings...)
	return t
}

// direction says which way a metric improves.
type direction int

const (
	lowerIsBetter direction = iota
	higherIsBetter
)

// Gate compares the current results of a validation run with a baseline
// run and says whether anything got significantly worse, as benchstat does
// for benchmarks. It modifies neither.
//
// Every gated metric is an estimate over simulated datasets with a Monte
// Carlo standard error (MCSE). A change Δ = new − old is significant when
//
//	|Δ| > z·√(SE_old² + SE_new²) + margin,
//
// the usual two-sample z rule with both runs' errors, plus an optional
// practical margin in the metric's own units (GateOptions.Margins). It is a
// regression when it is significant and in the bad direction; improvements
// and changes within the tolerance pass. With the default z = 3 a single
// metric of two independent replicate runs of the same code fails with
// probability Φ(−3) ≈ 0.13%. Runs with the same seed simulate the same
// datasets, so their difference has a smaller error than the rule assumes:
// the gate is conservative there.
//
// The gated metrics, per method and parameter kind (Results.Kinds):
//
//   - |ECE|, the absolute signed coverage error: lower is better, SE from
//     the results (the SE of ECE is that of |ECE| away from 0);
//   - EACE, the mean absolute coverage error: lower is better;
//   - Pearson r of posterior means with the truth: higher is better, SE by
//     the delta method on Fisher's z (Results). The gate shows 1 − r (lower
//     is better, the same SE), which stays readable when r ≈ 0.9997;
//   - NRMSE: lower is better. Results carry no SE for it, so a rise is a
//     regression when it exceeds GateOptions.NRMSERelative (default 10%) of
//     the baseline value plus the margin;
//   - SBC: the simultaneous ECDF band test (Säilynoja et al. 2022) going from
//     pass to fail, and log-γ (Modrák et al. 2025) going from ≥ 0 to below
//     −margin. Both are tests at the 5% level, so they are regressions only
//     when the baseline passed: a failing baseline cannot get worse. Note
//     that for two independent replicate runs each such test flips with
//     probability up to 5%; runs with the same seed flip far less often.
//
// per method and suite (Results.PPC), the posterior predictive checks:
//
//   - CRPS, the mean continuous ranked probability score of y: lower is
//     better; LPD, the mean log predictive density: higher is better; both
//     with their SE over datasets;
//   - the shares of datasets whose posterior predictive p-value of the
//     within- or between-group SD is below 0.05: lower is better, with
//     their binomial SE;
//
// and for the whole run:
//
//   - the NUTS convergence rate (R̂, ESS and divergence filter): higher is
//     better, with its binomial SE;
//   - the number of failed fits: any increase beyond the margin is a
//     regression (fits do not fail by chance at the baseline's seed);
//   - the median wall time per simulated dataset, per method: reported, but
//     gated only when GateOptions.TimingFactor > 0 (new > factor·old), since
//     wall time varies across machines by more than any useful tolerance.
//
// A metric of the baseline that the current results lack fails the gate
// (something stopped running); a metric new in the current results is
// reported and not gated. A metric whose current value is NaN where the
// baseline had a number fails too; one that was NaN in the baseline is not
// gated. Differences in the runs' configurations (seed, number of datasets,
// L) are reported as warnings: the SEs still apply, but the SBC tests then
// have different power.
//
// Refreshing testdata/baseline.json, the baseline of `metabeta gate` in CI:
// after a deliberate change of the estimators or the simulator, from the
// repository root,
//
//	go build -o bin/metabeta ./cmd/metabeta
//	bin/metabeta validate --quick --out /tmp/baseline-run
//	cp /tmp/baseline-run/results.json testdata/baseline.json
//
// then check the diff of testdata/baseline.json and say in the commit why
// the baseline moved. The quick suite is deterministic for its seed except
// for wall times.
func Gate(baseline, current *Results, opts GateOptions) GateReport {
	z := opts.Z
	if z <= 0 {
		z = DefaultZ
	}
	nrmseRel := opts.NRMSERelative
	if nrmseRel <= 0 {
		nrmseRel = DefaultNRMSERelative
	}
	margin := func(metric string) float64 { return math.Max(opts.Margins[metric], 0) }
	g := gater{z: z}
	rep := GateReport{Z: z, Warnings: configWarnings(baseline.Config, current.Config)}

	kindRows := func(name string, o, c GroupResult) []GateRow { return g.kindRows(name, o, c, margin, nrmseRel) }
	ppcRows := func(name string, o, c PPCResult) []GateRow { return g.ppcRows(name, o, c, margin) }
	agreementRows := func(name string, o, c AgreementResult) []GateRow { return g.agreementRows(name, o, c, margin) }
	kinds, newKinds := pairRows(baseline.Kinds, current.Kinds, func(k GroupResult) string { return k.Method + " " + k.Group }, kindRows)
	rep.Rows = append(rep.Rows, kinds...)

	rep.Rows = append(rep.Rows, g.estimateRow("nuts "+MetricConvergence, higherIsBetter,
		float64(baseline.Convergence.Value), float64(baseline.Convergence.SE),
		float64(current.Convergence.Value), float64(current.Convergence.SE), margin(MetricConvergence)))

	failed := GateRow{Metric: MetricFailed, Old: float64(baseline.Failed), New: float64(current.Failed), Gated: true}
	failed.Delta = failed.New - failed.Old
	failed.Tolerance = margin(MetricFailed)
	failed.Significant = math.Abs(failed.Delta) > failed.Tolerance
	failed.Regression = failed.Significant && failed.Delta > 0
	rep.Rows = append(rep.Rows, failed)

	ppc, newPPC := pairRows(baseline.PPC, current.PPC, func(p PPCResult) string { return p.Method + " " + p.Suite }, ppcRows)
	rep.Rows = append(rep.Rows, ppc...)
	agree, newAgree := pairRows(baseline.Agreement, current.Agreement, func(a AgreementResult) string { return a.Method + " " + a.Kind }, agreementRows)
	rep.Rows = append(rep.Rows, agree...)

	seen := map[string]bool{}
	curTime := map[string]TimingResult{}
	for _, t := range current.Timing {
		curTime[t.Method+" "+t.Suite] = t
	}
	for _, old := range baseline.Timing {
		name := old.Method + " " + MetricTime
		seen[old.Method+" "+old.Suite] = true
		cur, ok := curTime[old.Method+" "+old.Suite]
		if !ok {
			rep.Rows = append(rep.Rows, goneRows([]GateRow{{Metric: name, Old: float64(old.Median), relative: true}})...)
			continue
		}
		rep.Rows = append(rep.Rows, timeRow(name, float64(old.Median), float64(cur.Median), opts.TimingFactor))
	}

	rep.Rows = append(rep.Rows, newKinds...)
	rep.Rows = append(rep.Rows, newPPC...)
	rep.Rows = append(rep.Rows, newAgree...)
	for _, cur := range current.Timing {
		if !seen[cur.Method+" "+cur.Suite] {
			rep.Rows = append(rep.Rows, newRow(GateRow{Metric: cur.Method + " " + MetricTime, New: float64(cur.Median), relative: true}))
		}
	}
	return rep
}

// pairRows compares a baseline list with a current one, pairing entries by
// key: it returns the rows of the baseline's entries (compared, or gone
// when the current list lacks them) and, apart, the rows of the entries
// only the current list has (new).
func pairRows[T any](old, cur []T, key func(T) string, rows func(name string, o, c T) []GateRow) (paired, added []GateRow) {
	var zero T
	byKey := map[string]T{}
	for _, c := range cur {
		byKey[key(c)] = c
	}
	seen := map[string]bool{}
	for _, o := range old {
		k := key(o)
		seen[k] = true
		if c, ok := byKey[k]; ok {
			paired = append(paired, rows(k, o, c)...)
		} else {
			paired = append(paired, goneRows(rows(k, o, zero))...)
		}
	}
	for _, c := range cur {
		if k := key(c); !seen[k] {
			for _, r := range rows(k, zero, c) {
				added = append(added, newRow(r))
			}
		}
	}
	return paired, added
}

// gater builds rows with one z.
type gater struct{ z float64 }

// kindRows compares the metrics of one method × parameter kind.
func (g gater) kindRows(name string, old, cur GroupResult, margin func(string) float64, nrmseRel float64) []GateRow {
	abs := func(v float64) float64 { return math.Abs(v) }
	rows := []GateRow{
		g.estimateRow(name+" "+MetricAbsECE, lowerIsBetter, abs(float64(old.ECE.Value)), float64(old.ECE.SE),
			abs(float64(cur.ECE.Value)), float64(cur.ECE.SE), margin(MetricAbsECE)),
		g.estimateRow(name+" "+MetricEACE, lowerIsBetter, float64(old.EACE.Value), float64(old.EACE.SE),
			float64(cur.EACE.Value), float64(cur.EACE.SE), margin(MetricEACE)),
		g.estimateRow(name+" "+MetricR, lowerIsBetter, 1-float64(old.R.Value), float64(old.R.SE),
			1-float64(cur.R.Value), float64(cur.R.SE), margin(MetricR)),
		relativeRow(name+" "+MetricNRMSE, float64(old.NRMSE), float64(cur.NRMSE), nrmseRel, margin(MetricNRMSE)),
		passRow(name+" "+MetricBand, old.BandPass, cur.BandPass),
		logGammaRow(name+" "+MetricLogGamma, float64(old.LogGamma), float64(cur.LogGamma), margin(MetricLogGamma)),
	}
	return rows
}

// ppcRows compares the posterior predictive checks of one method × suite.
func (g gater) ppcRows(name string, old, cur PPCResult, margin func(string) float64) []GateRow {
	row := func(metric string, dir direction, o, c Estimate) GateRow {
		return g.estimateRow(name+" "+metric, dir, float64(o.Value), float64(o.SE), float64(c.Value), float64(c.SE), margin(metric))
	}
	return []GateRow{
		row(MetricCRPS, lowerIsBetter, old.CRPS, cur.CRPS),
		row(MetricLPD, higherIsBetter, old.LPD, cur.LPD),
		row(MetricPPPWithin, lowerIsBetter, old.PPPWithinLow, cur.PPPWithinLow),
		row(MetricPPPBetween, lowerIsBetter, old.PPPBetweenLow, cur.PPPBetweenLow),
	}
}

// agreementRows compares the agreement of one method × kind with NUTS.
func (g gater) agreementRows(name string, old, cur AgreementResult, margin func(string) float64) []GateRow {
	row := func(metric string, o, c Estimate) GateRow {
		return g.estimateRow(name+" "+metric, lowerIsBetter, float64(o.Value), float64(o.SE), float64(c.Value), float64(c.SE), margin(metric))
	}
	oneMinus := func(e Estimate) Estimate { return Estimate{1 - e.Value, e.SE} }
	return []GateRow{
		row(MetricAgreementR, oneMinus(old.R), oneMinus(cur.R)),
		row(MetricMeanDiff, old.MeanAbsDiff, cur.MeanAbsDiff),
		row(MetricW1, old.W1, cur.W1),
	}
}

// estimateRow applies the two-sample rule |Δ| > z·√(se₁² + se₂²) + margin.
// A NaN SE counts as zero.
func (g gater) estimateRow(metric string, dir direction, old, oldSE, cur, curSE, margin float64) GateRow {
	oldSE, curSE = zeroIfNaN(oldSE), zeroIfNaN(curSE)
	tol := g.z*math.Hypot(oldSE, curSE) + margin
	row := GateRow{Metric: metric, Old: old, OldSE: oldSE, New: cur, NewSE: curSE, Delta: cur - old, Tolerance: tol, Gated: true}
	if se := math.Hypot(oldSE, curSE); se > 0 && !math.IsNaN(row.Delta) {
		row.P = math.Erfc(math.Abs(row.Delta) / se / math.Sqrt2) // 2Φ(−|Δ|/se)
	}
	return judge(row, dir)
}

// relativeRow gates a metric without SE by a relative tolerance
// rel·|old| + margin.
func relativeRow(metric string, old, cur, rel, margin float64) GateRow {
	row := GateRow{Metric: metric, Old: old, New: cur, Delta: cur - old, Tolerance: rel*math.Abs(old) + margin, Gated: true}
	return judge(row, lowerIsBetter)
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

// passRow compares a pass/fail test: a regression when it passed and now
// fails.
func passRow(metric string, old, cur bool) GateRow {
	b := func(v bool) float64 {
		if v {
			return 1
		}
		return 0
	}
	row := GateRow{Metric: metric, Old: b(old), New: b(cur), Delta: b(cur) - b(old), Tolerance: math.NaN(), Gated: true}
	row.Significant = old != cur
	row.Regression = old && !cur
	return row
}

// logGammaRow compares log-γ: a change of verdict is significant, and a
// regression when the baseline passed (log-γ ≥ 0) and the current value is
// below −margin.
func logGammaRow(metric string, old, cur, margin float64) GateRow {
	row := GateRow{Metric: metric, Old: old, New: cur, Delta: cur - old, Tolerance: math.NaN(), Gated: true}
	switch {
	case math.IsNaN(old):
		row.Gated, row.Note = false, "not gated: NaN in the baseline"
	case math.IsNaN(cur):
		row.Significant, row.Regression, row.Note = true, true, "NaN in the current results"
	default:
		row.Significant = (old >= 0) != (cur >= 0)
		row.Regression = old >= 0 && cur < -margin
	}
	return row
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

// goneRows turns rows of baseline metrics that the current results lack
// into regressions, keeping the baseline's values.
func goneRows(rows []GateRow) []GateRow {
	out := make([]GateRow, len(rows))
	for i, r := range rows {
		out[i] = GateRow{Metric: r.Metric, Old: r.Old, OldSE: r.OldSE, New: math.NaN(), Delta: math.NaN(), Tolerance: math.NaN(),
			Gated: true, Significant: true, Regression: true, Note: "missing from the current results", relative: r.relative}
	}
	return out
}

// newRow turns a row of a metric only the current results have into an
// ungated report.
func newRow(row GateRow) GateRow {
	return GateRow{Metric: row.Metric, Old: math.NaN(), New: row.New, NewSE: row.NewSE, Delta: math.NaN(),
		Tolerance: math.NaN(), Note: "new: not in the baseline, not gated", relative: row.relative}
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
// trips, NaN (JSON null) included.
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
	return &r, nil
}
