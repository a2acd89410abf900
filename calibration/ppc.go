package calibration

import (
	"fmt"
	"math"
)

// GroupSDs returns two LMM test quantities of the response y with group
// labels groups[i] ∈ 0..g−1 (metabeta/evaluation/predictive.py):
//
//   - within, the pooled within-group SD √(Σ_g Σ_{i∈g} (yᵢ − ȳ_g)² / (n − G)),
//     with G the number of non-empty groups;
//   - between, the sample SD (n−1 denominator) of the non-empty group means.
//
// Apply it to the observed y and to each replicated y, then compare with
// PPP. work must have length ≥ 2g (group sums and counts) or be nil,
// in which case it allocates. It panics if len(groups) ≠ len(y), a label
// is outside 0..g−1 or work is too short.
func GroupSDs(y []float64, groups []int, g int, work []float64) (within, between float64) {
	if len(groups) != len(y) {
		panic(fmt.Sprintf("calibration: %d group labels for %d observations", len(groups), len(y)))
	}
	if work == nil {
		work = make([]float64, 2*g)
	}
	if len(work) < 2*g {
		panic("calibration: GroupSDs work shorter than 2g")
	}
	sum, cnt := work[:g], work[g:2*g]
	clear(sum)
	clear(cnt)
	for i, k := range groups {
		if k < 0 || k >= g {
			panic(fmt.Sprintf("calibration: group label %d outside 0..%d", k, g-1))
		}
		sum[k] += y[i]
		cnt[k]++
	}
	nonEmpty := 0
	var grand float64
	for k := range sum {
		if cnt[k] > 0 {
			sum[k] /= cnt[k] // now the group mean
			grand += sum[k]
			nonEmpty++
		}
	}
	var ss float64
	for i, k := range groups {
		d := y[i] - sum[k]
		ss += d * d
	}
	within = math.Sqrt(ss / float64(len(y)-nonEmpty))
	if nonEmpty < 2 {
		return within, math.NaN()
	}
	grand /= float64(nonEmpty)
	var sb float64
	for k := range sum {
		if cnt[k] > 0 {
			d := sum[k] - grand
			sb += d * d
		}
	}
	return within, math.Sqrt(sb / float64(nonEmpty-1))
}

// PPP returns the two-sided posterior predictive p-value of a test
// quantity, 2·min(P(T_rep ≤ T_obs), P(T_rep ≥ T_obs)) capped at 1
// (metabeta/evaluation/predictive.py), from the replicated values rep.
// Small values flag a misfit. An empty rep gives NaN.
func PPP(obs float64, rep []float64) float64 {
	if len(rep) == 0 {
		return math.NaN()
	}
	var le, ge int
	for _, r := range rep {
		if r <= obs {
			le++
		}
		if r >= obs {
			ge++
		}
	}
	s := float64(len(rep))
	return min(1, 2*min(float64(le)/s, float64(ge)/s))
}
