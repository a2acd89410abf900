package validate

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"sync"

	"github.com/metabeta-go/metabeta/calibration"
	"github.com/metabeta-go/metabeta/fit"
)

// Estimate is a metric with its Monte Carlo standard error (NaN when none
// is defined).
type Estimate struct {
	Value fit.Num `json:"value"`
	SE    fit.Num `json:"se"`
}

func est(v, se float64) Estimate { return Estimate{fit.Num(v), fit.Num(se)} }

// GroupResult holds the calibration and recovery metrics of one method on
// one group of parameters: a kind (beta, sigma_b, sigma, cor, b) or a single
// parameter name.
type GroupResult struct {
	Method string `json:"method"`
	Group  string `json:"group"`
	N      int    `json:"n"`
	// Datasets is the number of records (datasets) behind the N
	// parameters, the units of the bootstrap (0 in results written before
	// it was recorded).
	Datasets int `json:"datasets,omitempty"`
	// Recovery: Pearson r of posterior means against truths, with its 95%
	// interval on Fisher's z scale, NRMSE, mean posterior contraction.
	// The SEs of r, NRMSE, MeanZ, ECE, EACE and log-γ are bootstrap SEs
	// over the records (datasets) of the group (BootstrapReplicates);
	// that of log-γ is at least its SD under uniform ranks.
	R           Estimate  `json:"r"`
	RLo         fit.Num   `json:"r_lo"`
	RHi         fit.Num   `json:"r_hi"`
	NRMSE       Estimate  `json:"nrmse"`
	Contraction fit.Num   `json:"contraction"`
	MeanZ       Estimate  `json:"mean_z"`
	ECE         Estimate  `json:"ece"`
	EACE        Estimate  `json:"eace"`
	Levels      []float64 `json:"levels"`
	Coverage    []fit.Num `json:"coverage"`
	CoverageSE  []fit.Num `json:"coverage_se"`
	// SBC: log-γ (negative rejects uniformity at 5%), the simultaneous
	// ECDF band test, and the χ² p-value of the rank histogram.
	LogGamma Estimate `json:"log_gamma"`
	BandPass bool     `json:"band_pass"`
	// BandP is the band test's p-value (calibration.RankECDF.PValue),
	// which SBCFamily combines across a method's tests.
	BandP  fit.Num `json:"band_p"`
	ChiSqP fit.Num `json:"chisq_p"`
	L      int     `json:"l"`
	// ranks are kept for the plots, not written.
	ranks []int
	truth []float64
	mean  []float64
	cov   calibration.Coverage
}

// TimingResult summarizes the wall time of one method per dataset.
type TimingResult struct {
	Method       string  `json:"method"`
	Suite        string  `json:"suite"`
	N            int     `json:"n"`
	Median       fit.Num `json:"median_seconds"`
	P95          fit.Num `json:"p95_seconds"`
	MeanSlowest5 fit.Num `json:"mean_slowest5_seconds"`
	Max          fit.Num `json:"max_seconds"`
	// Speed-up over NUTS on the same datasets (NaN for NUTS itself):
	// median and worst 5% of the per-dataset ratios, and NUTS's total time
	// on converged fits over this method's total time.
	SpeedupMedian       fit.Num `json:"speedup_median"`
	SpeedupWorst5       fit.Num `json:"speedup_worst5"`
	SpeedupPerConverged fit.Num `json:"speedup_per_converged"`
	seconds             []float64
}

// PPCResult summarizes the posterior predictive checks of one method on
// one suite: the mean over datasets of the per-observation CRPS and log
// predictive density (± SE over datasets), and the share of datasets whose
// posterior predictive p-value of the within- or between-group SD is below
// 0.05 (model misfit flags; for data simulated from the model they are rare,
// as PPPs are conservative).
type PPCResult struct {
	Method        string   `json:"method"`
	Suite         string   `json:"suite"`
	N             int      `json:"n"`
	CRPS          Estimate `json:"crps"`
	LPD           Estimate `json:"lpd"`
	PPPWithinLow  Estimate `json:"ppp_within_below_0.05"`
	PPPBetweenLow Estimate `json:"ppp_between_below_0.05"`
	crps, lpd     []float64
	pppW, pppB    []float64
}

// RealResult is one method on one real dataset.
type RealResult struct {
	Dataset     string  `json:"dataset"`
	Method      string  `json:"method"`
	NObs        int     `json:"n_obs"`
	NGroups     int     `json:"n_groups"`
	Seconds     float64 `json:"seconds"`
	MaxRhat     fit.Num `json:"max_rhat"`
	MinESS      fit.Num `json:"min_ess"`
	Divergences int     `json:"divergences"`
	// MaxAbsDiff is the largest |Δmean|/sd_NUTS over the global
	// parameters against NUTS on the same dataset (NaN for NUTS).
	MaxAbsDiff fit.Num   `json:"max_abs_dmean_over_sd"`
	ParetoK    *fit.Num  `json:"pareto_k,omitempty"`
	Params     []string  `json:"params"`
	Means      []float64 `json:"means"`
	SDs        []float64 `json:"sds"`
	Error      string    `json:"error,omitempty"`
	Warnings   []string  `json:"warnings,omitempty"`
}

// ResultsSchema is the version of the layout of results.json. Version 2
// gives every gated metric a standard error (NRMSE and log-γ became
// Estimates, the failed fits a rate) from a bootstrap over datasets.
const ResultsSchema = 2

// Results are the aggregated metrics of a run: what results.json holds.
type Results struct {
	Schema   int               `json:"schema"`
	Config   Config            `json:"config"`
	Methods  []string          `json:"methods"`
	Missing  map[string]string `json:"missing_methods"`
	Datasets int               `json:"simulated_datasets"`
	Kinds    []GroupResult     `json:"by_kind"`
	Params   []GroupResult     `json:"by_parameter"`
	// SBCFamily counts each method's band tests, per parameter and
	// pooled by kind, as one family (sbcFamilies).
	SBCFamily   []SBCFamilyResult `json:"sbc_family"`
	Timing      []TimingResult    `json:"timing"`
	Convergence Estimate          `json:"nuts_convergence_rate"`
	Failed      int               `json:"failed_fits"`
	// Fits is the number of records (fits attempted) and FailedRate the
	// share of them that failed, with its binomial SE (binomialRate).
	Fits       int               `json:"fits"`
	FailedRate Estimate          `json:"failed_fit_rate"`
	Agreement  []AgreementResult `json:"agreement"`
	Importance []ISResult        `json:"importance"`
	PPC        []PPCResult       `json:"ppc"`
	Real       []RealResult      `json:"real"`
	// RealSuite compares the real suite with its references (Table 5,
	// realsuite.go); Misspec is Table 7 (misspec.go).
	RealSuite RealSuiteResult `json:"real_suite"`
	Misspec   []MisspecResult `json:"misspec"`
	Warnings  []string        `json:"warnings"`
}

// kindOrder is the order of the kinds in tables.
var kindOrder = []string{KindBeta, KindSigmaB, KindSigma, KindCor, KindB}

// Aggregate computes the run's metrics from its records: it pools the
// records by method and parameter group (poolRecords), then computes each
// section of the results from its pool.
func Aggregate(cfg Config, recs []Record) *Results {
	recs = sortRecords(recs)
	res := &Results{Schema: ResultsSchema, Config: cfg, Methods: cfg.Methods(), Missing: cfg.Missing()}
	p := poolRecords(recs)
	res.Datasets = len(p.datasets)
	res.Fits, res.Failed = len(recs), p.failed
	res.FailedRate = binomialRate(p.failed, len(recs))
	res.Kinds, res.Params = p.groupResults(cfg.Seed, res.Methods)
	res.SBCFamily = sbcFamilies(res.Methods, res.Params, res.Kinds)
	res.Timing = timingResults(res.Methods, p.times, speedups(res.Methods, recs))
	res.Agreement = agreement(cfg.Seed, res.Methods, recs)
	res.Importance = importance(recs)
	res.Real = p.real
	realAgreement(res.Real)
	res.PPC = p.ppcResults()
	conv := calibration.NewConvergence(calibration.StrictConvergence, p.fits)
	passed := 0
	for _, ok := range conv.Passed {
		if ok {
			passed++
		}
	}
	res.Convergence = binomialRate(passed, len(conv.Passed))
	res.Warnings = append(p.warnings, conv.Warnings...)
	var realW, misW []string
	res.RealSuite, realW = realSuite(cfg, res.Methods, recs)
	res.Misspec, misW = misspecResults(cfg, res.Methods, recs)
	res.Warnings = append(append(res.Warnings, realW...), misW...)
	for m, why := range res.Missing {
		res.Warnings = append(res.Warnings, fmt.Sprintf("%s: not run: %s", m, why))
	}
	sort.Strings(res.Warnings)
	return res
}

// pool holds a run's records sorted into what each section of the results
// is computed from.
type pool struct {
	// failed counts the failed fits; warnings says which they were.
	failed   int
	warnings []string
	// datasets are the simulated datasets seen.
	datasets map[int]bool
	// byKind and byName are the parameter records of the successful
	// simulated fits per method × kind and method × parameter name (random
	// effects only by kind), one unit per record; names lists the
	// parameter names.
	byKind, byName map[string]*units
	names          []string
	// times are the wall times of the successful simulated fits per method,
	// fits NUTS's convergence diagnostics on them.
	times map[string][]float64
	fits  []calibration.FitDiagnostics
	// ppc accumulates the predictive checks per suite × method, in the
	// order of ppcKeys.
	ppc     map[string]*PPCResult
	ppcKeys []string
	// real are the results on the real datasets.
	real []RealResult
}

// poolRecords sorts sorted records into a pool.
func poolRecords(recs []Record) *pool {
	p := &pool{datasets: map[int]bool{}, byKind: map[string]*units{}, byName: map[string]*units{},
		times: map[string][]float64{}, ppc: map[string]*PPCResult{}}
	seenName := map[string]bool{}
	unit := func(m map[string]*units, key string) *units {
		u := m[key]
		if u == nil {
			u = &units{}
			m[key] = u
		}
		return u
	}
	for _, r := range recs {
		if r.PPC != nil && r.Error == "" {
			p.addPPC(r)
		}
		if r.Error != "" {
			p.failed++
			p.warnings = append(p.warnings, fmt.Sprintf("%s dataset %d (%s): %s", r.Suite, r.Dataset, r.Method, r.Error))
		}
		if r.Suite == SuiteReal {
			p.real = append(p.real, realResult(r))
			continue
		}
		if isMisspecSuite(r.Suite) {
			continue // Table 7: misspecResults
		}
		p.datasets[r.Dataset] = true
		if r.Error != "" {
			continue
		}
		p.times[r.Method] = append(p.times[r.Method], r.Seconds)
		if r.Method == fit.MethodNUTS {
			p.fits = append(p.fits, calibration.FitDiagnostics{MaxRhat: nanIfNull(r.MaxRhat), MinESS: nanIfNull(r.MinESS), Divergences: r.Divergences, Draws: r.Draws})
		}
		byKind, byName := map[string][]ParamRecord{}, map[string][]ParamRecord{}
		var kinds, names []string
		for _, q := range r.Params {
			if _, ok := byKind[q.Kind]; !ok {
				kinds = append(kinds, q.Kind)
			}
			byKind[q.Kind] = append(byKind[q.Kind], q)
			if q.Kind == KindB {
				continue
			}
			if _, ok := byName[q.Name]; !ok {
				names = append(names, q.Name)
			}
			byName[q.Name] = append(byName[q.Name], q)
			if !seenName[q.Name] {
				seenName[q.Name] = true
				p.names = append(p.names, q.Name)
			}
		}
		for _, k := range kinds {
			unit(p.byKind, r.Method+"\x00"+k).add(byKind[k])
		}
		for _, n := range names {
			unit(p.byName, r.Method+"\x00"+n).add(byName[n])
		}
	}
	sort.Slice(p.names, func(i, j int) bool { return nameLess(p.names[i], p.names[j]) })
	return p
}

// addPPC adds the predictive checks of a successful record.
func (p *pool) addPPC(r Record) {
	key := r.Suite + "\x00" + r.Method
	pr, ok := p.ppc[key]
	if !ok {
		pr = &PPCResult{Method: r.Method, Suite: r.Suite}
		p.ppc[key] = pr
		p.ppcKeys = append(p.ppcKeys, key)
	}
	pr.crps = append(pr.crps, r.PPC.CRPS)
	pr.lpd = append(pr.lpd, r.PPC.LPD)
	pr.pppW = append(pr.pppW, float64(r.PPC.PPPWithin))
	pr.pppB = append(pr.pppB, float64(r.PPC.PPPBetween))
}

// groupResults computes the metrics per method and kind, and per method and
// parameter name, in table order.
func (p *pool) groupResults(seed uint64, methods []string) (kinds, params []GroupResult) {
	for _, m := range methods {
		for _, k := range kindOrder {
			if u := p.byKind[m+"\x00"+k]; u != nil {
				kinds = append(kinds, groupResult(m, k, u, bootstrapRNG(seed, "kind", m, k)))
			}
		}
		for _, n := range p.names {
			if u := p.byName[m+"\x00"+n]; u != nil {
				params = append(params, groupResult(m, n, u, bootstrapRNG(seed, "parameter", m, n)))
			}
		}
	}
	return kinds, params
}

// ppcResults summarizes the predictive checks per suite and method.
func (p *pool) ppcResults() []PPCResult {
	keys := slices.Clone(p.ppcKeys)
	sort.Strings(keys)
	out := make([]PPCResult, 0, len(keys))
	for _, k := range keys {
		pr := p.ppc[k]
		pr.N = len(pr.crps)
		pr.CRPS, pr.LPD = meanSE(pr.crps), meanSE(pr.lpd)
		pr.PPPWithinLow, pr.PPPBetweenLow = shareBelow(pr.pppW, 0.05), shareBelow(pr.pppB, 0.05)
		out = append(out, *pr)
	}
	return out
}

// timingResults summarizes the wall times per method, with the speed-ups
// over NUTS (NaN for NUTS itself).
func timingResults(methods []string, times map[string][]float64, sp map[string]calibration.Speedup) []TimingResult {
	var out []TimingResult
	for _, m := range methods {
		ts := times[m]
		if len(ts) == 0 {
			continue
		}
		s := calibration.SummarizeSeconds(ts)
		t := TimingResult{Method: m, Suite: SuiteSimulated, N: s.N,
			Median: fit.Num(s.Median), P95: fit.Num(s.P95), MeanSlowest5: fit.Num(s.MeanSlowest5), Max: fit.Num(s.Max), seconds: ts}
		t.SpeedupMedian, t.SpeedupWorst5, t.SpeedupPerConverged = fit.Num(math.NaN()), fit.Num(math.NaN()), fit.Num(math.NaN())
		if s, ok := sp[m]; ok {
			t.SpeedupMedian, t.SpeedupWorst5, t.SpeedupPerConverged = fit.Num(s.Median), fit.Num(s.Worst5), fit.Num(s.PerConverged)
		}
		out = append(out, t)
	}
	return out
}

// groupResult computes the metrics of one group of parameter records, with
// standard errors from a bootstrap over its units (records) drawn with rng.
func groupResult(method, group string, u *units, rng *rand.Rand) GroupResult {
	ps := u.ps
	g := GroupResult{Method: method, Group: group, N: len(ps), Datasets: u.n()}
	var buf poolBuffers
	s := computeGroupStats(ps, &buf)
	se := groupSEs(rng, u)
	truth, mean, pits, ranks := buf.truth, buf.mean, buf.pits, buf.ranks
	for _, p := range ps {
		if p.L > 0 {
			g.L = p.L
		}
	}
	g.R = est(s.r, se[statR])
	// The 95% interval of r on Fisher's z scale, with the bootstrap SE
	// carried over by the delta method, d atanh r / dr = 1/(1 − r²).
	zr, zse := math.Atanh(s.r), se[statR]/(1-s.r*s.r)
	g.RLo, g.RHi = fit.Num(math.Tanh(zr-1.959963984540054*zse)), fit.Num(math.Tanh(zr+1.959963984540054*zse))
	g.NRMSE = est(s.nrmse, se[statNRMSE])
	g.Contraction = fit.Num(contraction(ps))
	g.MeanZ = est(s.meanZ, se[statMeanZ])
	cov := calibration.NewPITCoverage(pits, calibration.DefaultCoverageLevels)
	g.cov = cov
	g.ECE, g.EACE = est(cov.ECE, se[statECE]), est(cov.EACE, se[statEACE])
	g.Levels = cov.Levels
	for j := range cov.Levels {
		g.Coverage = append(g.Coverage, fit.Num(cov.Coverage[j]))
		g.CoverageSE = append(g.CoverageSE, fit.Num(cov.SE[j]))
	}
	g.LogGamma, g.ChiSqP, g.BandP = est(math.NaN(), math.NaN()), fit.Num(math.NaN()), fit.Num(math.NaN())
	if len(ranks) >= 2 && g.L > 0 {
		bands := calibration.SimultaneousBands(len(ranks), calibration.DefaultECDFPoints(len(ranks), g.L), 1-SBCFamilyLevel)
		e := calibration.NewRankECDF(ranks, g.L, bands)
		g.BandPass, g.BandP = e.Pass, fit.Num(e.PValue())
		lg := calibration.NewLogGamma(ranks, g.L, gammaNull(len(ranks), g.L), 0.05)
		// log-γ = log γ_obs − log q_α: its SE is that of log γ_obs, the
		// larger of its bootstrap SD (the spread of a miscalibrated
		// method) and its SD under uniform ranks (the spread of a
		// calibrated one, which resampling understates for few datasets).
		g.LogGamma = est(lg.Value, math.Max(zeroIfNaN(se[statLogGamma]), logGammaNullSD(len(ranks), g.L)))
		g.ChiSqP = fit.Num(calibration.NewRankHistogram(ranks, g.L, histBins(len(ranks), g.L), 0.95).ChiSquare().P)
	}
	g.ranks, g.truth, g.mean = ranks, truth, mean
	return g
}

// contraction returns the mean posterior contraction of the records that
// carry a prior SD (NaN when none does).
func contraction(ps []ParamRecord) float64 {
	sum, n := 0.0, 0
	for _, p := range ps {
		if p.PriorSD > 0 {
			sum += calibration.Contraction(p.SD*p.SD, p.PriorSD*p.PriorSD)
			n++
		}
	}
	if n == 0 {
		return math.NaN()
	}
	return sum / float64(n)
}

// gammaNull caches the exact null quantile of γ per (N, L): it is the same
// for every parameter group of that size. The cache is safe for concurrent
// Aggregate calls.
var gammaNullCache sync.Map // [2]int → float64

func gammaNull(n, l int) float64 {
	k := [2]int{n, l}
	if v, ok := gammaNullCache.Load(k); ok {
		return v.(float64)
	}
	v := calibration.GammaNullQuantile(n, l, 0.05)
	gammaNullCache.Store(k, v)
	return v
}

// histBins picks the rank histogram's bin count: a divisor of L+1 with at
// least 5 expected counts per bin, at most 20 bins.
func histBins(n, l int) int {
	best := 1
	for j := 1; j <= 20; j++ {
		if (l+1)%j == 0 && float64(n)/float64(j) >= 5 {
			best = j
		}
	}
	return best
}

func nanIfNull(v fit.Num) float64 { return float64(v) }

// nameLess orders parameter names b_*, sd_*, sigma, cor_*, each in name
// order with b_Intercept first.
func nameLess(a, b string) bool {
	ka, kb := kindRank(a), kindRank(b)
	if ka != kb {
		return ka < kb
	}
	ia, ib := a == "b_Intercept", b == "b_Intercept"
	if ia != ib {
		return ia
	}
	return a < b
}

func kindRank(name string) int {
	for i, k := range kindOrder {
		if kindOf(name) == k {
			return i
		}
	}
	return len(kindOrder)
}

func realResult(r Record) RealResult {
	rr := RealResult{Dataset: r.Name, Method: r.Method, NObs: r.NObs, NGroups: r.NGroups, Seconds: r.Seconds,
		MaxRhat: r.MaxRhat, MinESS: r.MinESS, Divergences: r.Divergences, ParetoK: r.ParetoK, Error: r.Error, Warnings: r.Warnings}
	for _, p := range r.Params {
		if p.Kind != KindB {
			rr.Params = append(rr.Params, p.Name)
			rr.Means = append(rr.Means, p.Mean)
			rr.SDs = append(rr.SDs, p.SD)
		}
	}
	return rr
}

// meanSE returns the mean of x and its standard error.
func meanSE(x []float64) Estimate {
	m, sd := calibration.MeanSD(x)
	return est(m, sd/math.Sqrt(float64(len(x))))
}

// shareBelow returns the share of the non-NaN values below t, with its
// binomial standard error (binomialRate).
func shareBelow(x []float64, t float64) Estimate {
	n, k := 0, 0
	for _, v := range x {
		if math.IsNaN(v) {
			continue
		}
		n++
		if v < t {
			k++
		}
	}
	if n == 0 {
		return est(math.NaN(), math.NaN())
	}
	return binomialRate(k, n)
}

// realAgreement sets MaxAbsDiff of every non-NUTS real result against the
// NUTS fit of the same dataset.
func realAgreement(rs []RealResult) {
	nuts := map[string]RealResult{}
	for _, r := range rs {
		if r.Method == fit.MethodNUTS && r.Error == "" {
			nuts[r.Dataset] = r
		}
	}
	for i := range rs {
		r := &rs[i]
		r.MaxAbsDiff = fit.Num(math.NaN())
		ref, ok := nuts[r.Dataset]
		if r.Method == fit.MethodNUTS || !ok || r.Error != "" || len(ref.Means) != len(r.Means) {
			continue
		}
		worst := 0.0
		for j := range r.Means {
			worst = math.Max(worst, math.Abs(r.Means[j]-ref.Means[j])/ref.SDs[j])
		}
		r.MaxAbsDiff = fit.Num(worst)
	}
}
