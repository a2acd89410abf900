package validate

import (
	"math"
	"slices"
	"sort"

	"github.com/metabeta-go/metabeta/calibration"
	"github.com/metabeta-go/metabeta/diagnostics"
	"github.com/metabeta-go/metabeta/fit"
)

// AgreementResult measures how far one method's posteriors agree with
// NUTS's on the same datasets, for one parameter kind: the Pearson r of the
// posterior means, the mean |Δmean|/sd_NUTS, the median log(sd/sd_NUTS) and
// the mean Wasserstein-1 distance in NUTS-SD units, computed from the 19
// recorded quantiles as the mean absolute difference of the quantile
// functions (exact for the distance between the quantile sketches). The
// SEs are bootstrap SEs over the paired datasets (BootstrapReplicates).
// Kind is a parameter kind or the stratum KindSigmaBNearZero, which follows
// sigma_b.
type AgreementResult struct {
	Method string `json:"method"`
	Kind   string `json:"kind"`
	N      int    `json:"n"`
	// Datasets is the number of paired datasets behind the N parameters,
	// the units of the bootstrap (0 in results written before it was
	// recorded).
	Datasets        int      `json:"datasets,omitempty"`
	R               Estimate `json:"r"`
	MeanAbsDiff     Estimate `json:"mean_abs_dmean_over_sd"`
	MedianLogSDRate fit.Num  `json:"median_log_sd_ratio"`
	W1              Estimate `json:"w1_over_sd"`
	// RecoveryR and NUTSRecoveryR are the Pearson r of this method's and
	// of NUTS's posterior means against the truths on these same
	// posteriors, so that their difference compares recovery on equal
	// datasets (Table 1 pools each method's own datasets).
	RecoveryR     fit.Num `json:"recovery_r"`
	NUTSRecoveryR fit.Num `json:"nuts_recovery_r"`
	approx, ref   []float64
}

// ISResult summarizes the importance-sampling diagnostics of npe-is.
type ISResult struct {
	Method           string   `json:"method"`
	N                int      `json:"n"`
	MedianK          fit.Num  `json:"median_pareto_k"`
	ShareAbove       Estimate `json:"share_k_above_0.7"`
	MedianEfficiency fit.Num  `json:"median_is_efficiency"`
	// Redrawn counts the datasets whose first k̂ exceeded its threshold,
	// so that k̂ and the efficiency come from fit.ISRetryFactor times the
	// proposal draws.
	Redrawn int `json:"redrawn"`
}

// agreement pairs every method's simulated records with NUTS's on the same
// dataset and measures their agreement per parameter kind, with SEs from a
// bootstrap over the paired datasets seeded from seed.
func agreement(seed uint64, methods []string, recs []Record) []AgreementResult {
	nuts := map[int]Record{}
	for _, r := range recs {
		if r.Suite == SuiteSimulated && r.Method == fit.MethodNUTS && r.Error == "" {
			nuts[r.Dataset] = r
		}
	}
	var out []AgreementResult
	for _, m := range methods {
		if m == fit.MethodNUTS {
			continue
		}
		type acc struct {
			approx, ref, truth, absDiff, logSD, w1 []float64
			// start[i] is where dataset i's parameters begin.
			start []int
		}
		byKind := map[string]*acc{}
		for _, r := range recs {
			ref, ok := nuts[r.Dataset]
			if r.Suite != SuiteSimulated || r.Method != m || r.Error != "" || !ok {
				continue
			}
			refParams := map[string]ParamRecord{}
			for _, p := range ref.Params {
				refParams[p.Name] = p
			}
			for _, a := range byKind {
				if n := len(a.approx); a.start[len(a.start)-1] != n {
					a.start = append(a.start, n)
				}
			}
			for _, p := range r.Params {
				q, ok := refParams[p.Name]
				if !ok || !(q.SD > 0) {
					continue
				}
				kinds := []string{p.Kind}
				if p.Kind == KindSigmaB && q.SD > NearZeroCV*q.Mean {
					kinds = append(kinds, KindSigmaBNearZero)
				}
				for _, k := range kinds {
					a := byKind[k]
					if a == nil {
						a = &acc{start: []int{0}}
						byKind[k] = a
					}
					a.approx = append(a.approx, p.Mean)
					a.ref = append(a.ref, q.Mean)
					a.truth = append(a.truth, p.Truth)
					a.absDiff = append(a.absDiff, math.Abs(p.Mean-q.Mean)/q.SD)
					a.logSD = append(a.logSD, math.Log(p.SD/q.SD))
					a.w1 = append(a.w1, quantileW1(p.Quantiles, q.Quantiles)/q.SD)
				}
			}
		}
		for _, k := range agreementKinds {
			a := byKind[k]
			if a == nil {
				continue
			}
			if n := len(a.approx); a.start[len(a.start)-1] != n {
				a.start = append(a.start, n)
			}
			// Bootstrap over datasets: resample the paired datasets and
			// recompute r, mean |Δmean|/sd and W1/sd.
			var x, y, d, w []float64
			se := bootstrapSD(bootstrapRNG(seed, "agreement", m, k), len(a.start)-1, BootstrapReplicates, 3, func(idx []int, dst []float64) {
				x, y, d, w = x[:0], y[:0], d[:0], w[:0]
				for _, i := range idx {
					lo, hi := a.start[i], a.start[i+1]
					x, y = append(x, a.approx[lo:hi]...), append(y, a.ref[lo:hi]...)
					d, w = append(d, a.absDiff[lo:hi]...), append(w, a.w1[lo:hi]...)
				}
				dst[0] = calibration.Pearson(x, y).R
				dst[1], _ = calibration.MeanSD(d)
				dst[2], _ = calibration.MeanSD(w)
			})
			mad, _ := calibration.MeanSD(a.absDiff)
			w1, _ := calibration.MeanSD(a.w1)
			out = append(out, AgreementResult{
				Method: m, Kind: k, N: len(a.approx), Datasets: len(a.start) - 1,
				R:               est(calibration.Pearson(a.approx, a.ref).R, se[0]),
				MeanAbsDiff:     est(mad, se[1]),
				MedianLogSDRate: fit.Num(median(a.logSD)),
				W1:              est(w1, se[2]),
				RecoveryR:       fit.Num(calibration.Pearson(a.approx, a.truth).R),
				NUTSRecoveryR:   fit.Num(calibration.Pearson(a.ref, a.truth).R),
				approx:          a.approx, ref: a.ref,
			})
		}
	}
	return out
}

// agreementKinds are the rows of the agreement table: kindOrder with
// KindSigmaBNearZero after sigma_b.
var agreementKinds = func() []string {
	i := slices.Index(kindOrder, KindSigmaB)
	return slices.Insert(slices.Clone(kindOrder), i+1, KindSigmaBNearZero)
}()

// quantileW1 is the mean absolute difference of two quantile sketches
// (NaN when either is missing).
func quantileW1(a, b []float64) float64 {
	if len(a) == 0 || len(a) != len(b) {
		return math.NaN()
	}
	s := 0.0
	for i := range a {
		s += math.Abs(a[i] - b[i])
	}
	return s / float64(len(a))
}

func median(x []float64) float64 {
	if len(x) == 0 {
		return math.NaN()
	}
	s := slices.Clone(x)
	sort.Float64s(s)
	return diagnostics.SortedQuantile(s, 0.5)
}

// importance summarizes the k̂ and efficiency of the records that carry
// them, per method and suite "simulated".
func importance(recs []Record) []ISResult {
	byMethod := map[string][][2]float64{}
	redrawn := map[string]int{}
	var methods []string
	for _, r := range recs {
		if r.Suite != SuiteSimulated || r.ParetoK == nil || r.Error != "" {
			continue
		}
		if _, ok := byMethod[r.Method]; !ok {
			methods = append(methods, r.Method)
		}
		eff := math.NaN()
		if r.ISEfficiency != nil {
			eff = float64(*r.ISEfficiency)
		}
		byMethod[r.Method] = append(byMethod[r.Method], [2]float64{float64(*r.ParetoK), eff})
		if r.ProposalDraws > r.Draws {
			redrawn[r.Method]++
		}
	}
	var out []ISResult
	for _, m := range methods {
		ks, effs := []float64{}, []float64{}
		for _, v := range byMethod[m] {
			ks = append(ks, v[0])
			effs = append(effs, v[1])
		}
		above := make([]float64, len(ks))
		for i, k := range ks {
			above[i] = -k // shareBelow(−k, −0.7) is the share of k > 0.7
		}
		out = append(out, ISResult{Method: m, N: len(ks), MedianK: fit.Num(median(ks)),
			ShareAbove: shareBelow(above, -0.7), MedianEfficiency: fit.Num(median(effs)), Redrawn: redrawn[m]})
	}
	return out
}

// speedups returns, for every method but NUTS, its speed-up over NUTS on
// the simulated datasets both fitted: median and worst 5% of the per-dataset
// ratios, and NUTS's total time on converged fits over the method's time.
func speedups(methods []string, recs []Record) map[string]calibration.Speedup {
	nuts := map[int]Record{}
	for _, r := range recs {
		if r.Suite == SuiteSimulated && r.Method == fit.MethodNUTS && r.Error == "" {
			nuts[r.Dataset] = r
		}
	}
	out := map[string]calibration.Speedup{}
	for _, m := range methods {
		if m == fit.MethodNUTS {
			continue
		}
		var ta, tb []float64
		var conv []bool
		for _, r := range recs {
			ref, ok := nuts[r.Dataset]
			if r.Suite != SuiteSimulated || r.Method != m || r.Error != "" || !ok {
				continue
			}
			ta = append(ta, r.Seconds)
			tb = append(tb, ref.Seconds)
			conv = append(conv, calibration.StrictConvergence.Pass(calibration.FitDiagnostics{
				MaxRhat: float64(ref.MaxRhat), MinESS: float64(ref.MinESS), Divergences: ref.Divergences, Draws: ref.Draws}))
		}
		if len(ta) > 0 {
			out[m] = calibration.NewSpeedup(ta, tb, conv)
		}
	}
	return out
}
