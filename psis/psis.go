package psis

import (
	"cmp"
	"fmt"
	"math"
	"slices"
)

// Result describes one Pareto smoothing.
type Result struct {
	K         float64 // Pareto k̂ of the weight tail; +Inf when not estimable
	Threshold float64 // min(1 − 1/log10 S, 0.7): k̂ above it is unreliable
	ESS       float64 // 1/Σ w̃² of the normalized smoothed weights
	TailLen   int     // M, the number of smoothed weights
	Warnings  []string
}

// Reliable reports whether k̂ is below the threshold.
func (r Result) Reliable() bool { return r.K <= r.Threshold }

// Smoother Pareto-smooths vectors of S log-ratios without allocating: it
// holds the sort order and GPD scratch space. It is not safe for concurrent
// use.
type Smoother struct {
	s     int
	order []int
	tail  []float64
	grid  []float64
}

// NewSmoother returns a smoother for vectors of length s ≥ 1.
func NewSmoother(s int) *Smoother {
	if s < 1 {
		panic("psis: NewSmoother: need at least one log-ratio")
	}
	m := TailLen(s)
	return &Smoother{
		s:     s,
		order: make([]int, s),
		tail:  make([]float64, m),
		grid:  make([]float64, 2*(gpdMinGrid+int(math.Sqrt(float64(m)))+1)),
	}
}

// TailLen returns M = ⌈min(S/5, 3√S)⌉, the number of largest weights
// smoothed.
func TailLen(s int) int {
	return int(math.Ceil(math.Min(0.2*float64(s), 3*math.Sqrt(float64(s)))))
}

// Threshold returns the k̂ reliability threshold min(1 − 1/log10 S, 0.7)
// for S draws (Vehtari et al. 2024, §3.2.3).
func Threshold(s int) float64 {
	return math.Min(1-1/math.Log10(float64(s)), 0.7)
}

// minTail is the smallest tail loo fits a GPD to.
const minTail = 5

// Smooth writes the Pareto-smoothed log-weights for logRatios into dst
// (both of length S; dst may be logRatios) and returns k̂, the ESS and
// warnings. The weights are unnormalized, on the scale of the input (loo's
// weights(…, normalize = FALSE)); Normalize turns them into probabilities.
// A log-ratio of −Inf is a zero weight; NaN or +Inf log-ratios give
// k̂ = +Inf, dst a copy of the input and a warning. It panics on a length
// mismatch. It does not allocate unless it warns.
func (sm *Smoother) Smooth(dst, logRatios []float64) Result {
	s := sm.s
	if len(dst) != s || len(logRatios) != s {
		panic("psis: Smooth: length mismatch")
	}
	res := Result{K: math.Inf(1), Threshold: Threshold(s), TailLen: TailLen(s)}
	maxLR := math.Inf(-1)
	for _, v := range logRatios {
		if math.IsNaN(v) || math.IsInf(v, 1) {
			copy(dst, logRatios)
			res.ESS = math.NaN()
			res.Warnings = append(res.Warnings, "psis: log-ratios contain NaN or +Inf")
			return res
		}
		maxLR = math.Max(maxLR, v)
	}
	if math.IsInf(maxLR, -1) {
		copy(dst, logRatios)
		res.ESS = math.NaN()
		res.Warnings = append(res.Warnings, "psis: every log-ratio is −Inf")
		return res
	}
	for i, v := range logRatios {
		dst[i] = v - maxLR
	}
	m := res.TailLen
	if m >= minTail && s > m {
		sm.smoothTail(dst, &res)
	} else {
		res.Warnings = append(res.Warnings, fmt.Sprintf("psis: %d draws give a tail of %d < %d: no smoothing", s, m, minTail))
	}
	for i, v := range dst {
		dst[i] = math.Min(v, 0) + maxLR
	}
	res.ESS = ESS(dst)
	if !(res.K <= res.Threshold) && len(res.Warnings) == 0 {
		res.Warnings = append(res.Warnings, fmt.Sprintf("psis: Pareto k̂ = %.2f exceeds %.2f: importance-sampling estimates are unreliable", res.K, res.Threshold))
	}
	return res
}

// smoothTail fits the GPD to the M largest entries of lw (shifted so that
// the maximum is 0) and replaces them by the fitted expected order
// statistics.
func (sm *Smoother) smoothTail(lw []float64, res *Result) {
	s, m := sm.s, res.TailLen
	for i := range sm.order {
		sm.order[i] = i
	}
	// Ascending by value, ties by index: the order of a stable sort (R's
	// sort.int), with pattern-defeating quicksort.
	slices.SortFunc(sm.order, func(a, b int) int {
		if c := cmp.Compare(lw[a], lw[b]); c != 0 {
			return c
		}
		return a - b
	})
	tailIdx := sm.order[s-m:]
	lo, hi := lw[tailIdx[0]], lw[tailIdx[m-1]]
	if math.Abs(hi-lo) < 2.220446049250313e-16/100 {
		res.Warnings = append(res.Warnings, "psis: all tail log-ratios are equal: cannot fit a generalized Pareto distribution")
		return
	}
	cutoff := lw[sm.order[s-m-1]]
	expCut := math.Exp(cutoff)
	x := sm.tail[:m]
	for j, i := range tailIdx {
		x[j] = math.Exp(lw[i]) - expCut
	}
	k, sigma := FitGPD(x, sm.grid)
	res.K = k
	if math.IsInf(k, 0) {
		return
	}
	for j, i := range tailIdx {
		p := (float64(j) + 0.5) / float64(m)
		lw[i] = math.Log(gpdQuantile(p, k, sigma) + expCut)
	}
}

// Smooth is Smoother.Smooth with a fresh smoother and result slice.
func Smooth(logRatios []float64) ([]float64, Result) {
	dst := make([]float64, len(logRatios))
	return dst, NewSmoother(len(logRatios)).Smooth(dst, logRatios)
}

// Normalize writes the self-normalized weights exp(lw_s)/Σ exp(lw) into dst
// (dst may be logWeights) and returns dst. It panics on a length mismatch.
func Normalize(dst, logWeights []float64) []float64 {
	if len(dst) != len(logWeights) {
		panic("psis: Normalize: length mismatch")
	}
	lse := logSumExp(logWeights)
	for i, v := range logWeights {
		dst[i] = math.Exp(v - lse)
	}
	return dst
}

// ESS returns 1/Σ w̃² for the normalized weights w̃ of the log-weights lw.
func ESS(lw []float64) float64 {
	lse := logSumExp(lw)
	ss := 0.0
	for _, v := range lw {
		w := math.Exp(v - lse)
		ss += w * w
	}
	return 1 / ss
}

// logSumExp returns log Σ exp(x) without overflow.
func logSumExp(x []float64) float64 {
	m := math.Inf(-1)
	for _, v := range x {
		m = math.Max(m, v)
	}
	if math.IsInf(m, 0) {
		return m
	}
	s := 0.0
	for _, v := range x {
		s += math.Exp(v - m)
	}
	return m + math.Log(s)
}
