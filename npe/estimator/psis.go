package estimator

import (
	"math"
	"slices"
)

// paretoSmooth replaces the largest log importance weights by the expected
// order statistics of a generalized Pareto distribution fitted to them
// (Pareto-smoothed importance sampling, Vehtari, Simpson, Gelman, Yao &
// Gabry 2024, "Pareto smoothed importance sampling", JMLR 25(72)), writes
// the normalized log weights into dst and returns the Pareto shape k̂. The
// tail holds the M = ⌈min(n/5, 3√n)⌉ largest weights; k̂ is the Zhang &
// Stephens (2009) estimate with the weakly informative prior of the paper
// (shrinking toward 0.5 with weight 10). It follows the reference
// implementation of loo (psis, R package 2.5.1) step for step. A tail of fewer than 5
// weights gives k̂ = +Inf and the weights unsmoothed.
func paretoSmooth(dst, logw []float64) float64 {
	n := len(logw)
	copy(dst, logw)
	mx := math.Inf(-1)
	for _, v := range dst {
		mx = math.Max(mx, v)
	}
	for i := range dst {
		dst[i] -= mx
	}
	k := math.Inf(1)
	tail := int(math.Ceil(math.Min(0.2*float64(n), 3*math.Sqrt(float64(n)))))
	if tail >= 5 && tail < n {
		order := make([]int, n)
		for i := range order {
			order[i] = i
		}
		slices.SortStableFunc(order, func(a, b int) int {
			switch {
			case dst[a] < dst[b]:
				return -1
			case dst[a] > dst[b]:
				return 1
			}
			return 0
		})
		idx := order[n-tail:]
		cutoff := dst[order[n-tail-1]]
		expCut := math.Exp(cutoff)
		if dst[idx[len(idx)-1]]-dst[idx[0]] >= 2.220446049250313e-16/100 {
			x := make([]float64, len(idx))
			for j, i := range idx {
				x[j] = math.Exp(dst[i]) - expCut
			}
			var sigma float64
			k, sigma = gpdFit(x)
			if isFinite(k) {
				m := float64(len(idx))
				for j, i := range idx {
					p := (float64(j) + 0.5) / m
					dst[i] = math.Log(gpdQuantile(p, k, sigma) + expCut)
				}
				for i := range dst {
					if dst[i] > 0 {
						dst[i] = 0
					}
				}
			}
		} else {
			k = math.Inf(1)
		}
	}
	lse := logSumExp(dst)
	for i := range dst {
		dst[i] -= lse
	}
	return k
}

// gpdFit estimates the generalized Pareto shape k and scale σ of the
// ascending exceedances x by the profile-posterior method of Zhang &
// Stephens (2009, Technometrics 51(3)), with the prior adjustment
// k ← (n·k + 10·0.5)/(n + 10) of Vehtari et al. (2024, Appendix C).
func gpdFit(x []float64) (k, sigma float64) {
	n := len(x)
	const prior = 3
	m := 30 + int(math.Sqrt(float64(n)))
	xstar := x[int(float64(n)/4+0.5)-1]
	b := make([]float64, m)
	lx := make([]float64, m)
	for j := range b {
		b[j] = 1/x[n-1] + (1-math.Sqrt(float64(m)/(float64(j+1)-0.5)))/prior/xstar
		kj := 0.0
		for _, v := range x {
			kj += math.Log1p(-b[j] * v)
		}
		kj /= float64(n)
		lx[j] = float64(n) * (math.Log(-b[j]/kj) - kj - 1)
	}
	bPost, wsum := 0.0, 0.0
	w := make([]float64, m)
	for j := range w {
		s := 0.0
		for i := range lx {
			s += math.Exp(lx[i] - lx[j])
		}
		w[j] = 1 / s
		wsum += w[j]
	}
	for j := range w {
		bPost += b[j] * w[j] / wsum
	}
	kPost := 0.0
	for _, v := range x {
		kPost += math.Log1p(-bPost * v)
	}
	kPost /= float64(n)
	sigma = -kPost / bPost
	k = (float64(n)*kPost + 10*0.5) / (float64(n) + 10)
	return k, sigma
}

// gpdQuantile is the p-quantile of the generalized Pareto distribution
// with shape k and scale σ (location 0).
func gpdQuantile(p, k, sigma float64) float64 {
	if k == 0 {
		return -sigma * math.Log1p(-p)
	}
	return sigma * math.Expm1(-k*math.Log1p(-p)) / k
}

// logSumExp returns log Σ exp(x_i).
func logSumExp(x []float64) float64 {
	mx := math.Inf(-1)
	for _, v := range x {
		mx = math.Max(mx, v)
	}
	if math.IsInf(mx, 0) {
		return mx
	}
	s := 0.0
	for _, v := range x {
		s += math.Exp(v - mx)
	}
	return mx + math.Log(s)
}
