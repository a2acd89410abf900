package validate

import (
	"hash/fnv"
	"math"
	"math/rand/v2"
	"sync"

	"github.com/metabeta-go/metabeta/calibration"
)

// BootstrapReplicates is B, the number of resamples of the datasets behind
// the Monte Carlo standard error of every pooled metric. With B = 200 the
// SE itself has a relative error of about 1/√(2B) = 5% (Efron & Tibshirani
// 1993, §6.4), well below the error of any z rule that uses it.
const BootstrapReplicates = 200

// bootstrapRNG returns the generator of one bootstrap: seeded from the
// run's seed and the name of the metric group, so that the SEs are the same
// whatever the order, sharding or concurrency of the aggregation.
func bootstrapRNG(seed uint64, names ...string) *rand.Rand {
	h := fnv.New64a()
	for _, n := range names {
		h.Write([]byte(n))
		h.Write([]byte{0})
	}
	return rand.New(rand.NewPCG(seed, h.Sum64()))
}

// bootstrapSD returns the standard deviation over b bootstrap replicates of
// k statistics of n units (datasets): every replicate draws n unit indices
// with replacement into idx and calls stat(idx, dst) to write the k
// statistics of that resample into dst. NaN replicates (a resample too
// degenerate for a statistic, e.g. constant truths) are skipped; a
// statistic with fewer than two finite replicates, or a group of fewer than
// two units, gets NaN.
//
// Resampling whole datasets counts datasets, not parameters, as the
// independent units: the parameters of one dataset share its design and its
// posterior's errors, so pooled metrics vary across runs by more than their
// per-parameter formulas say, and heavy-tailed ones (r and NRMSE, which
// a few datasets with extreme truths dominate) by more still.
func bootstrapSD(rng *rand.Rand, n, b, k int, stat func(idx []int, dst []float64)) []float64 {
	sd := make([]float64, k)
	if n < 2 {
		for j := range sd {
			sd[j] = math.NaN()
		}
		return sd
	}
	idx := make([]int, n)
	vals := make([]float64, k)
	sum, sum2 := make([]float64, k), make([]float64, k)
	cnt := make([]int, k)
	for range b {
		for i := range idx {
			idx[i] = rng.IntN(n)
		}
		stat(idx, vals)
		for j, v := range vals {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				continue
			}
			cnt[j]++
			sum[j] += v
			sum2[j] += v * v
		}
	}
	for j := range sd {
		if cnt[j] < 2 {
			sd[j] = math.NaN()
			continue
		}
		c := float64(cnt[j])
		m := sum[j] / c
		sd[j] = math.Sqrt(math.Max(sum2[j]/c-m*m, 0) * c / (c - 1))
	}
	return sd
}

// units are the parameter records of one group, split by the record
// (dataset × method) they came from: unit i holds the records
// ps[start[i]:start[i+1]].
type units struct {
	ps    []ParamRecord
	start []int
}

// add appends the parameters of one record as a unit.
func (u *units) add(ps []ParamRecord) {
	if len(ps) == 0 {
		return
	}
	if len(u.start) == 0 {
		u.start = append(u.start, 0)
	}
	u.ps = append(u.ps, ps...)
	u.start = append(u.start, len(u.ps))
}

// n is the number of units.
func (u *units) n() int { return max(len(u.start)-1, 0) }

// resample returns the parameter records of the units idx, in that order,
// appended to dst[:0].
func (u *units) resample(dst []ParamRecord, idx []int) []ParamRecord {
	dst = dst[:0]
	for _, i := range idx {
		dst = append(dst, u.ps[u.start[i]:u.start[i+1]]...)
	}
	return dst
}

// groupStats are the pooled metrics of a group of parameter records that
// carry a standard error: the statistic of one resample.
type groupStats struct {
	r, nrmse, meanZ, ece, eace, logGamma float64
}

// Indices of groupStats in a bootstrap's statistics vector.
const (
	statR = iota
	statNRMSE
	statMeanZ
	statECE
	statEACE
	statLogGamma
	nGroupStats
)

func (s groupStats) vector(dst []float64) {
	dst[statR], dst[statNRMSE], dst[statMeanZ] = s.r, s.nrmse, s.meanZ
	dst[statECE], dst[statEACE], dst[statLogGamma] = s.ece, s.eace, s.logGamma
}

// poolBuffers are the caller-owned buffers of computeGroupStats.
type poolBuffers struct {
	truth, mean, pits, zs []float64
	ranks                 []int
}

// computeGroupStats computes the pooled metrics of ps: the Pearson r of
// posterior means with the truth, the NRMSE, the mean z-score, ECE and EACE
// from the PITs and, when the records carry SBC ranks of l > 0 draws,
// log γ_obs (the log-γ statistic before the constant null quantile is
// divided out; NaN without ranks).
func computeGroupStats(ps []ParamRecord, buf *poolBuffers) groupStats {
	buf.truth, buf.mean, buf.pits, buf.zs = buf.truth[:0], buf.mean[:0], buf.pits[:0], buf.zs[:0]
	buf.ranks = buf.ranks[:0]
	l := 0
	for _, p := range ps {
		buf.truth = append(buf.truth, p.Truth)
		buf.mean = append(buf.mean, p.Mean)
		buf.pits = append(buf.pits, p.PIT)
		buf.zs = append(buf.zs, calibration.ZScore(p.Truth, p.Mean, p.SD))
		if p.L > 0 {
			buf.ranks = append(buf.ranks, p.Rank)
			l = p.L
		}
	}
	s := groupStats{logGamma: math.NaN()}
	s.r = calibration.Pearson(buf.mean, buf.truth).R
	s.nrmse = calibration.NRMSE(buf.mean, buf.truth)
	s.meanZ, _ = calibration.MeanSD(buf.zs)
	cov := calibration.NewPITCoverage(buf.pits, calibration.DefaultCoverageLevels)
	s.ece, s.eace = cov.ECE, cov.EACE
	if len(buf.ranks) >= 2 && l > 0 {
		s.logGamma = math.Log(calibration.GammaStatistic(buf.ranks, l))
	}
	return s
}

// groupSEs returns the bootstrap SEs over units of the statistics of
// computeGroupStats, indexed by stat*.
func groupSEs(rng *rand.Rand, u *units) []float64 {
	var buf poolBuffers
	var ps []ParamRecord
	return bootstrapSD(rng, u.n(), BootstrapReplicates, nGroupStats, func(idx []int, dst []float64) {
		ps = u.resample(ps, idx)
		computeGroupStats(ps, &buf).vector(dst)
	})
}

// logGammaNullReplicates is the number of uniform rank sets that estimate
// the null SD of log γ.
const logGammaNullReplicates = 400

// logGammaNullSD returns the standard deviation of log γ_obs for n uniform
// ranks in 0..l, by simulation with a generator fixed per (n, l): the
// sampling spread of log-γ for a calibrated method. It is cached per
// (n, l) and safe for concurrent use.
func logGammaNullSD(n, l int) float64 {
	k := [2]int{n, l}
	if v, ok := logGammaNullCache.Load(k); ok {
		return v.(float64)
	}
	rng := rand.New(rand.NewPCG(uint64(n), uint64(l)))
	g := calibration.SimulateGammaNull(rng, n, l, logGammaNullReplicates)
	logs := make([]float64, len(g))
	for i, v := range g {
		logs[i] = math.Log(v)
	}
	_, sd := calibration.MeanSD(logs)
	logGammaNullCache.Store(k, sd)
	return sd
}

var logGammaNullCache sync.Map // [2]int → float64

// binomialRate returns the rate k/n with the Agresti–Coull standard error
// √(p̃(1 − p̃)/(n + 4)), p̃ = (k + 2)/(n + 4) (Agresti & Coull 1998, Am.
// Stat. 52(2)): close to the binomial √(p(1 − p)/n) inside (0, 1), and not
// 0 at k = 0 or k = n, where a zero SE would make any change look
// significant. n = 0 gives NaN.
func binomialRate(k, n int) Estimate {
	if n == 0 {
		return est(math.NaN(), math.NaN())
	}
	pt := float64(k+2) / float64(n+4)
	return est(float64(k)/float64(n), math.Sqrt(pt*(1-pt)/float64(n+4)))
}
