package calibration

import (
	"fmt"
	"math"
	"time"

	"github.com/metabeta-go/metabeta/diagnostics"
)

// TimingSummary summarises heavy-tailed wall-clock times in seconds as
// metabeta reports runtimes (experiments/evaluation/runtimes.py): the
// median, the 95th percentile, the mean of the slowest 5% and the maximum.
type TimingSummary struct {
	// N is the number of times.
	N int
	// Median and P95 are type-7 quantiles.
	Median, P95 float64
	// MeanSlowest5 is the mean of the ⌈0.05·N⌉ largest times.
	MeanSlowest5 float64
	// Max is the largest time.
	Max float64
	// Total is the sum of the times.
	Total float64
	// Warnings lists caveats (fewer than 20 times, so that the slowest 5%
	// is a single run).
	Warnings []string
}

// SummarizeSeconds summarises times in seconds. Empty input gives NaNs.
func SummarizeSeconds(seconds []float64) TimingSummary {
	s := sortedCopy(nil, seconds)
	t := TimingSummary{N: len(s)}
	if len(s) == 0 {
		t.Median, t.P95, t.MeanSlowest5, t.Max = math.NaN(), math.NaN(), math.NaN(), math.NaN()
		return t
	}
	t.Median = diagnostics.SortedQuantile(s, 0.5)
	t.P95 = diagnostics.SortedQuantile(s, 0.95)
	t.Max = s[len(s)-1]
	k := int(math.Ceil(0.05 * float64(len(s))))
	for _, v := range s[len(s)-k:] {
		t.MeanSlowest5 += v
	}
	t.MeanSlowest5 /= float64(k)
	for _, v := range s {
		t.Total += v
	}
	if len(s) < 20 {
		t.Warnings = append(t.Warnings, fmt.Sprintf("only %d times: the slowest 5%% is one run", len(s)))
	}
	return t
}

// Seconds converts durations to seconds.
func Seconds(d []time.Duration) []float64 {
	s := make([]float64, len(d))
	for i, v := range d {
		s[i] = v.Seconds()
	}
	return s
}

// SummarizeDurations is SummarizeSeconds on durations.
func SummarizeDurations(d []time.Duration) TimingSummary {
	return SummarizeSeconds(Seconds(d))
}

// Speedup is the speed-up of a fast method A (e.g. NPE) over a slow
// method B (e.g. NUTS) on the same datasets, the three columns of
// metabeta's runtime table.
type Speedup struct {
	// Median is the median over datasets of t_B/t_A.
	Median float64
	// Worst5 is the 5% quantile of the per-dataset speed-ups t_B/t_A: the
	// speed-up on the datasets least favourable to A.
	Worst5 float64
	// PerConverged is (Σ t_B / #converged B fits) / mean t_A: the cost of
	// one usable B fit against one A fit. +Inf when no B fit converged.
	PerConverged float64
	// N is the number of datasets and Converged the number of converged
	// B fits.
	N, Converged int
	// Warnings lists caveats (no converged fit, few datasets).
	Warnings []string
}

// NewSpeedup returns the speed-up of A over B from per-dataset times in
// seconds and the convergence of each B fit (see Convergence). It panics
// if the lengths differ.
func NewSpeedup(timeA, timeB []float64, convergedB []bool) Speedup {
	if len(timeA) != len(timeB) || len(timeB) != len(convergedB) {
		panic(fmt.Sprintf("calibration: speed-up of %d, %d times and %d flags", len(timeA), len(timeB), len(convergedB)))
	}
	n := len(timeA)
	s := Speedup{N: n}
	ratio := make([]float64, n)
	var sumA, sumB float64
	for i := range timeA {
		ratio[i] = timeB[i] / timeA[i]
		sumA += timeA[i]
		sumB += timeB[i]
		if convergedB[i] {
			s.Converged++
		}
	}
	ratio = sortedCopy(nil, ratio)
	s.Median = diagnostics.SortedQuantile(ratio, 0.5)
	s.Worst5 = diagnostics.SortedQuantile(ratio, 0.05)
	if s.Converged == 0 {
		s.PerConverged = math.Inf(1)
		s.Warnings = append(s.Warnings, "no converged fit of the slower method")
	} else {
		s.PerConverged = (sumB / float64(s.Converged)) / (sumA / float64(n))
	}
	if n < 20 {
		s.Warnings = append(s.Warnings, fmt.Sprintf("only %d datasets: the worst 5%% rests on one", n))
	}
	return s
}
