package validate

import (
	"fmt"
	"math"
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
// one group of parameters: a kind (beta, sigma_b, sigma, b) or a single
// parameter name.
type GroupResult struct {
	Method string `json:"method"`
	Group  string `json:"group"`
	N      int    `json:"n"`
	// Recovery: Pearson r of posterior means against truths (SE by the
	// delta method on Fisher's z), NRMSE, mean posterior contraction.
	R           Estimate  `json:"r"`
	RLo         fit.Num   `json:"r_lo"`
	RHi         fit.Num   `json:"r_hi"`
	NRMSE       fit.Num   `json:"nrmse"`
	Contraction fit.Num   `json:"contraction"`
	MeanZ       Estimate  `json:"mean_z"`
	ECE         Estimate  `json:"ece"`
	EACE        Estimate  `json:"eace"`
	Levels      []float64 `json:"levels"`
	Coverage    []fit.Num `json:"coverage"`
	CoverageSE  []fit.Num `json:"coverage_se"`
	// SBC: log-γ (negative rejects uniformity at 5%), the simultaneous
	// ECDF band test, and the χ² p-value of the rank histogram.
	LogGamma fit.Num `json:"log_gamma"`
	BandPass bool    `json:"band_pass"`
	ChiSqP   fit.Num `json:"chisq_p"`
	L        int     `json:"l"`
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

// Results are the aggregated metrics of a run: what results.json holds.
type Results struct {
	Config      Config            `json:"config"`
	Methods     []string          `json:"methods"`
	Missing     map[string]string `json:"missing_methods"`
	Datasets    int               `json:"simulated_datasets"`
	Kinds       []GroupResult     `json:"by_kind"`
	Params      []GroupResult     `json:"by_parameter"`
	Timing      []TimingResult    `json:"timing"`
	Convergence Estimate          `json:"nuts_convergence_rate"`
	Failed      int               `json:"failed_fits"`
	Agreement   []AgreementResult `json:"agreement"`
	Importance  []ISResult        `json:"importance"`
	PPC         []PPCResult       `json:"ppc"`
	Real        []RealResult      `json:"real"`
	Warnings    []string          `json:"warnings"`
}

// kindOrder is the order of the kinds in tables.
var kindOrder = []string{KindBeta, KindSigmaB, KindSigma, KindB}

// Aggregate computes the run's metrics from its records.
func Aggregate(cfg Config, recs []Record) *Results {
	recs = sortRecords(recs)
	res := &Results{Config: cfg, Methods: cfg.Methods(), Missing: cfg.Missing()}
	var fits []calibration.FitDiagnostics
	byMethodKind := map[string][]ParamRecord{}
	byMethodName := map[string][]ParamRecord{}
	var names []string
	seenName := map[string]bool{}
	times := map[string][]float64{}
	seenDataset := map[int]bool{}
	ppc := map[string]*PPCResult{}
	var ppcKeys []string
	for _, r := range recs {
		if r.PPC != nil && r.Error == "" {
			key := r.Suite + "\x00" + r.Method
			pr, ok := ppc[key]
			if !ok {
				pr = &PPCResult{Method: r.Method, Suite: r.Suite}
				ppc[key] = pr
				ppcKeys = append(ppcKeys, key)
			}
			pr.crps = append(pr.crps, r.PPC.CRPS)
			pr.lpd = append(pr.lpd, r.PPC.LPD)
			pr.pppW = append(pr.pppW, float64(r.PPC.PPPWithin))
			pr.pppB = append(pr.pppB, float64(r.PPC.PPPBetween))
		}
		if r.Error != "" {
			res.Failed++
			res.Warnings = append(res.Warnings, fmt.Sprintf("%s dataset %d (%s): %s", r.Suite, r.Dataset, r.Method, r.Error))
		}
		if r.Suite == SuiteReal {
			res.Real = append(res.Real, realResult(r))
			continue
		}
		seenDataset[r.Dataset] = true
		if r.Error != "" {
			continue
		}
		times[r.Method] = append(times[r.Method], r.Seconds)
		if r.Method == "nuts" {
			fits = append(fits, calibration.FitDiagnostics{MaxRhat: nanIfNull(r.MaxRhat), MinESS: nanIfNull(r.MinESS), Divergences: r.Divergences, Draws: r.Draws})
		}
		for _, p := range r.Params {
			byMethodKind[r.Method+"\x00"+p.Kind] = append(byMethodKind[r.Method+"\x00"+p.Kind], p)
			if p.Kind != KindB {
				byMethodName[r.Method+"\x00"+p.Name] = append(byMethodName[r.Method+"\x00"+p.Name], p)
				if !seenName[p.Name] {
					seenName[p.Name] = true
					names = append(names, p.Name)
				}
			}
		}
	}
	res.Datasets = len(seenDataset)
	sort.Slice(names, func(i, j int) bool { return nameLess(names[i], names[j]) })
	for _, m := range res.Methods {
		for _, k := range kindOrder {
			if ps := byMethodKind[m+"\x00"+k]; len(ps) > 0 {
				res.Kinds = append(res.Kinds, groupResult(m, k, ps))
			}
		}
		for _, n := range names {
			if ps := byMethodName[m+"\x00"+n]; len(ps) > 0 {
				res.Params = append(res.Params, groupResult(m, n, ps))
			}
		}
		if ts := times[m]; len(ts) > 0 {
			s := calibration.SummarizeSeconds(ts)
			res.Timing = append(res.Timing, TimingResult{Method: m, Suite: SuiteSimulated, N: s.N,
				Median: fit.Num(s.Median), P95: fit.Num(s.P95), MeanSlowest5: fit.Num(s.MeanSlowest5), Max: fit.Num(s.Max), seconds: ts})
		}
	}
	res.Agreement = agreement(res.Methods, recs)
	res.Importance = importance(recs)
	sp := speedups(res.Methods, recs)
	for i := range res.Timing {
		t := &res.Timing[i]
		t.SpeedupMedian, t.SpeedupWorst5, t.SpeedupPerConverged = fit.Num(math.NaN()), fit.Num(math.NaN()), fit.Num(math.NaN())
		if s, ok := sp[t.Method]; ok {
			t.SpeedupMedian, t.SpeedupWorst5, t.SpeedupPerConverged = fit.Num(s.Median), fit.Num(s.Worst5), fit.Num(s.PerConverged)
		}
	}
	realAgreement(res.Real)
	sort.Strings(ppcKeys)
	for _, k := range ppcKeys {
		pr := ppc[k]
		pr.N = len(pr.crps)
		pr.CRPS, pr.LPD = meanSE(pr.crps), meanSE(pr.lpd)
		pr.PPPWithinLow, pr.PPPBetweenLow = shareBelow(pr.pppW, 0.05), shareBelow(pr.pppB, 0.05)
		res.PPC = append(res.PPC, *pr)
	}
	conv := calibration.NewConvergence(calibration.StrictConvergence, fits)
	res.Convergence = est(conv.Rate, conv.RateSE)
	res.Warnings = append(res.Warnings, conv.Warnings...)
	for m, why := range res.Missing {
		res.Warnings = append(res.Warnings, fmt.Sprintf("%s: not run: %s", m, why))
	}
	sort.Strings(res.Warnings)
	return res
}

// groupResult computes the metrics of one group of parameter records.
func groupResult(method, group string, ps []ParamRecord) GroupResult {
	g := GroupResult{Method: method, Group: group, N: len(ps)}
	truth := make([]float64, len(ps))
	mean := make([]float64, len(ps))
	pits := make([]float64, len(ps))
	ranks := make([]int, 0, len(ps))
	zs := make([]float64, len(ps))
	contraction, nc := 0.0, 0
	for i, p := range ps {
		truth[i], mean[i], pits[i] = p.Truth, p.Mean, p.PIT
		zs[i] = calibration.ZScore(p.Truth, p.Mean, p.SD)
		if p.L > 0 {
			ranks = append(ranks, p.Rank)
			g.L = p.L
		}
		if p.PriorSD > 0 {
			contraction += calibration.Contraction(p.SD*p.SD, p.PriorSD*p.PriorSD)
			nc++
		}
	}
	r := calibration.Pearson(mean, truth)
	g.R = est(r.R, r.ZSE*(1-r.R*r.R))
	g.RLo, g.RHi = fit.Num(r.Lo), fit.Num(r.Hi)
	g.NRMSE = fit.Num(calibration.NRMSE(mean, truth))
	g.Contraction = fit.Num(math.NaN())
	if nc > 0 {
		g.Contraction = fit.Num(contraction / float64(nc))
	}
	mz, sz := calibration.MeanSD(zs)
	g.MeanZ = est(mz, sz/math.Sqrt(float64(len(zs))))
	cov := calibration.NewPITCoverage(pits, calibration.DefaultCoverageLevels)
	g.cov = cov
	g.ECE, g.EACE = est(cov.ECE, cov.ECESE), est(cov.EACE, cov.EACESE)
	g.Levels = cov.Levels
	for j := range cov.Levels {
		g.Coverage = append(g.Coverage, fit.Num(cov.Coverage[j]))
		g.CoverageSE = append(g.CoverageSE, fit.Num(cov.SE[j]))
	}
	g.LogGamma, g.ChiSqP = fit.Num(math.NaN()), fit.Num(math.NaN())
	if len(ranks) >= 2 && g.L > 0 {
		bands := calibration.SimultaneousBands(len(ranks), calibration.DefaultECDFPoints(len(ranks), g.L), 0.95)
		g.BandPass = calibration.NewRankECDF(ranks, g.L, bands).Pass
		lg := calibration.NewLogGamma(ranks, g.L, gammaNull(len(ranks), g.L), 0.05)
		g.LogGamma = fit.Num(lg.Value)
		g.ChiSqP = fit.Num(calibration.NewRankHistogram(ranks, g.L, histBins(len(ranks), g.L), 0.95).ChiSquare().P)
	}
	g.ranks, g.truth, g.mean = ranks, truth, mean
	return g
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

// nameLess orders parameter names b_*, sd_*, sigma, each in name order with
// b_Intercept first.
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
// binomial standard error.
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
	p := float64(k) / float64(n)
	return est(p, math.Sqrt(p*(1-p)/float64(n)))
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
