package fit

import (
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"

	"github.com/metabeta-go/metabeta/diagnostics"
)

// Thresholds for the convergence warnings, from Vehtari et al. (2021): R̂
// above 1.01, or bulk or tail ESS below 100 per chain.
const (
	RhatThreshold        = 1.01
	ESSPerChainThreshold = 100
)

// MinDrawsPerChain is the fewest kept draws per chain for which package
// diagnostics computes every convergence statistic: split-R̂ and the bulk
// and tail ESS cut each chain in two halves, and the ESS (Geyer's
// autocorrelation sums) needs at least 3 draws per half, so 6 per chain;
// with fewer they are NaN.
const MinDrawsPerChain = 6

// summarize fills the summaries of the nGlobal global quantities and the
// random effects from the draws. With mcmc false (independent draws) R̂ and
// ESS are NaN.
func summarize(d *Draws, nGlobal int, mcmc bool) (globals, random []Summary) {
	out := make([]Summary, len(d.Names))
	// Quantities are independent: summarize them on every core.
	var wg sync.WaitGroup
	next := make(chan int, len(d.Names))
	for j := range d.Names {
		next <- j
	}
	close(next)
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range next {
				out[j] = summarizeOne(d, j, mcmc)
			}
		}()
	}
	wg.Wait()
	return out[:nGlobal], out[nGlobal:]
}

// summarizeOne summarizes quantity j of the draws.
func summarizeOne(d *Draws, j int, mcmc bool) Summary {
	col := d.Column(j)
	s := Summary{Name: d.Names[j]}
	if mcmc {
		ds := diagnostics.Summarize(col)
		s.Mean, s.SD, s.Q5, s.Q50, s.Q95 = Num(ds.Mean), Num(ds.SD), Num(ds.Q5), Num(ds.Q50), Num(ds.Q95)
		s.Rhat, s.ESSBulk, s.ESSTail = Num(ds.Rhat), Num(ds.ESSBulk), Num(ds.ESSTail)
		return s
	}
	all := make([]float64, 0, len(col)*len(col[0]))
	for _, c := range col {
		all = append(all, c...)
	}
	mean, sd := meanSD(all)
	s.Mean, s.SD = Num(mean), Num(sd)
	// The three quantiles by selection rather than a sort per quantile
	// (diagnostics.Quantile copies and sorts): the same values. NaN draws
	// give NaN quantiles, as Quantile does.
	if slices.ContainsFunc(all, math.IsNaN) {
		s.Q5, s.Q50, s.Q95 = Num(math.NaN()), Num(math.NaN()), Num(math.NaN())
	} else {
		placeQuantiles(all, summaryProbs[:])
		s.Q5 = Num(diagnostics.SortedQuantile(all, summaryProbs[0]))
		s.Q50 = Num(diagnostics.SortedQuantile(all, summaryProbs[1]))
		s.Q95 = Num(diagnostics.SortedQuantile(all, summaryProbs[2]))
	}
	s.Rhat, s.ESSBulk, s.ESSTail = Num(math.NaN()), Num(math.NaN()), Num(math.NaN())
	return s
}

// summaryProbs are the probabilities of the summaries' quantiles.
var summaryProbs = [3]float64{0.05, 0.5, 0.95}

// placeQuantiles rearranges the NaN-free draws x so that
// diagnostics.SortedQuantile(x, p) is exact for each p in ps (ascending): it
// puts at positions ⌊h⌋−1 and ⌈h⌉−1, h = 1 + (n−1)p (R's type 7, the
// only entries SortedQuantile reads), the order statistics of those ranks,
// by selection in O(n) for each rank instead of an O(n log n) sort.
func placeQuantiles(x []float64, ps []float64) {
	start := 0
	for _, p := range ps {
		h := 1 + float64(len(x)-1)*p
		for _, r := range [2]int{int(math.Floor(h)) - 1, int(math.Ceil(h)) - 1} {
			if r < start {
				continue // placed already
			}
			if r == start {
				// The smallest of the rest (the upper neighbour of the
				// rank just placed): one scan.
				k := start
				for i := start + 1; i < len(x); i++ {
					if x[i] < x[k] {
						k = i
					}
				}
				x[start], x[k] = x[k], x[start]
			} else {
				selectRank(x[start:], r-start)
			}
			start = r + 1
		}
	}
}

// selectRank rearranges the NaN-free x so that x[k] is its (k+1)-th
// smallest value, x[:k] holds values ≤ x[k] and x[k+1:] values ≥ x[k]
// (Hoare's FIND with a median-of-three pivot; Wirth 1976, §2.3.4).
func selectRank(x []float64, k int) {
	lo, hi := 0, len(x)-1
	for lo < hi {
		mid := lo + (hi-lo)/2
		if x[mid] < x[lo] {
			x[mid], x[lo] = x[lo], x[mid]
		}
		if x[hi] < x[lo] {
			x[hi], x[lo] = x[lo], x[hi]
		}
		if x[hi] < x[mid] {
			x[hi], x[mid] = x[mid], x[hi]
		}
		pivot := x[mid]
		i, j := lo, hi
		for i <= j {
			for x[i] < pivot {
				i++
			}
			for pivot < x[j] {
				j--
			}
			if i <= j {
				x[i], x[j] = x[j], x[i]
				i++
				j--
			}
		}
		switch {
		case k <= j:
			hi = j
		case k >= i:
			lo = i
		default:
			return // j < k < i: x[k] equals the pivot
		}
	}
}

// meanSD returns the mean and sample standard deviation of x.
func meanSD(x []float64) (mean, sd float64) {
	for _, v := range x {
		mean += v
	}
	mean /= float64(len(x))
	for _, v := range x {
		sd += (v - mean) * (v - mean)
	}
	return mean, math.Sqrt(sd / float64(len(x)-1))
}

// convergenceWarnings returns the R̂ and ESS warnings for the global
// parameters, one line per problem, naming the worst parameter. A quantity
// whose R̂ or ESS is NaN (constant or non-finite draws, or too few draws per
// chain: see MinDrawsPerChain) gets a warning of its own rather than a
// number.
func convergenceWarnings(globals, random []Summary, chains int) []string {
	var w []string
	check := func(kind string, ss []Summary) {
		worstR, worstRName := 0.0, ""
		worstE, worstEName := math.Inf(1), ""
		var undefined []string
		for _, s := range ss {
			r, e := float64(s.Rhat), math.Min(float64(s.ESSBulk), float64(s.ESSTail))
			if math.IsNaN(r) || math.IsNaN(e) {
				undefined = append(undefined, s.Name)
				continue
			}
			if r > worstR {
				worstR, worstRName = r, s.Name
			}
			if e < worstE {
				worstE, worstEName = e, s.Name
			}
		}
		if len(undefined) > 0 {
			w = append(w, fmt.Sprintf("R-hat and ESS cannot be computed for %d of the %s (first %s): their draws are constant or not finite, or too few", len(undefined), kind, undefined[0]))
		}
		if worstR > RhatThreshold {
			w = append(w, fmt.Sprintf("R-hat above %.2f for %s (%.3f, worst of the %s): the chains have not mixed; run longer", RhatThreshold, worstRName, worstR, kind))
		}
		if worstE < ESSPerChainThreshold*float64(chains) {
			w = append(w, fmt.Sprintf("ESS below %d per chain for %s (%.0f, lowest of the %s): estimates are unreliable; run longer", ESSPerChainThreshold, worstEName, worstE, kind))
		}
	}
	check("global parameters", globals)
	if len(random) > 0 {
		check("random effects", random)
	}
	return w
}
