package calibration

import (
	"fmt"
	"math"

	"github.com/metabeta-go/metabeta/diagnostics"
)

// Wasserstein1 returns the 1-Wasserstein distance between the empirical
// distributions of the sorted samples a and b, ∫₀¹ |F_a⁻¹(u) − F_b⁻¹(u)| du
// with the step quantile functions F⁻¹(u) = x₍⌈un⌉₎. For equal sizes this is
// meanᵢ |a₍ᵢ₎ − b₍ᵢ₎|; unequal sizes merge the breakpoints i/len(a) and
// j/len(b). Both must be sorted ascending and non-empty (else NaN). It does
// not allocate.
func Wasserstein1(a, b []float64) float64 {
	na, nb := len(a), len(b)
	if na == 0 || nb == 0 {
		return math.NaN()
	}
	// Walk u from 0 to 1; i, j index the current order statistics and
	// the next breakpoints are (i+1)/na and (j+1)/nb, compared exactly as
	// (i+1)·nb versus (j+1)·na.
	var w float64
	i, j := 0, 0
	prev := 0 // current u times na·nb
	for i < na && j < nb {
		ea, eb := (i+1)*nb, (j+1)*na
		next := min(ea, eb)
		w += float64(next-prev) * math.Abs(a[i]-b[j])
		prev = next
		if ea == next {
			i++
		}
		if eb == next {
			j++
		}
	}
	return w / (float64(na) * float64(nb))
}

// Agreement compares an approximate posterior (e.g. NPE) with a reference
// posterior (e.g. NUTS) for one scalar over N datasets, in reference-SD
// units (metabeta experiments/evaluation/posterior_disagreement.py;
// sbibm metrics/moments.py).
type Agreement struct {
	// MeanCorrelation is Pearson r of approximate against reference
	// posterior means.
	MeanCorrelation Correlation
	// MeanAbsDiff is meanₙ |μ_approx − μ_ref|/σ_ref, with its Monte Carlo
	// SE over datasets in MeanAbsDiffSE.
	MeanAbsDiff, MeanAbsDiffSE float64
	// MedianLogSDRatio is medianₙ log(σ_approx/σ_ref): > 0 means the
	// approximation is wider.
	MedianLogSDRatio float64
	// MeanW1 is meanₙ W₁(approx, ref)/σ_ref with its SE over datasets.
	MeanW1, MeanW1SE float64
	// W1 holds the per-dataset Wasserstein-1 distances in reference-SD
	// units.
	W1 []float64
	// Warnings lists caveats (few datasets).
	Warnings []string
}

// NewAgreement compares approx[n] with ref[n], the draws of one scalar
// for dataset n under the two methods. Sample sizes may differ. It panics
// if the number of datasets differs.
func NewAgreement(approx, ref [][]float64) Agreement {
	if len(approx) != len(ref) {
		panic(fmt.Sprintf("calibration: %d approximate and %d reference draw sets", len(approx), len(ref)))
	}
	n := len(ref)
	ma, mr := make([]float64, n), make([]float64, n)
	absDiff, logRatio := make([]float64, n), make([]float64, n)
	g := Agreement{W1: make([]float64, n)}
	var sa, sr []float64
	for i := range ref {
		sa = sortedCopy(sa, approx[i])
		sr = sortedCopy(sr, ref[i])
		var sda, sdr float64
		ma[i], sda = MeanSD(sa)
		mr[i], sdr = MeanSD(sr)
		absDiff[i] = math.Abs(ma[i]-mr[i]) / sdr
		logRatio[i] = math.Log(sda / sdr)
		g.W1[i] = Wasserstein1(sa, sr) / sdr
	}
	g.MeanCorrelation = Pearson(ma, mr)
	var v float64
	g.MeanAbsDiff, v = meanVar(absDiff)
	g.MeanAbsDiffSE = math.Sqrt(v / float64(n))
	g.MedianLogSDRatio = diagnostics.SortedQuantile(sortedCopy(nil, logRatio), 0.5)
	g.MeanW1, v = meanVar(g.W1)
	g.MeanW1SE = math.Sqrt(v / float64(n))
	if n < MinReplicates {
		g.Warnings = append(g.Warnings, fmt.Sprintf("fewer than %d datasets (N = %d)", MinReplicates, n))
	}
	return g
}
