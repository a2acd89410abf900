package diagnostics

import (
	"math"
	"slices"
)

// ESSBulk returns the bulk effective sample size: the ESS of the
// rank-normalized split chains (posterior::ess_bulk).
func ESSBulk(chains [][]float64) float64 {
	if shouldReturnNaN(chains) {
		return math.NaN()
	}
	return ess(zScale(splitChains(chains)))
}

// ESSTail returns the tail effective sample size: the smaller of the ESS of
// the 5% and 95% quantile indicators (posterior::ess_tail).
func ESSTail(chains [][]float64) float64 {
	return math.Min(ESSQuantile(chains, 0.05), ESSQuantile(chains, 0.95))
}

// ESSMean returns the effective sample size of the split chains themselves,
// without rank normalization, which governs the MCSE of the mean
// (posterior::ess_mean).
func ESSMean(chains [][]float64) float64 {
	if shouldReturnNaN(chains) {
		return math.NaN()
	}
	return ess(splitChains(chains))
}

// ESSQuantile returns the effective sample size for the p-quantile: the ESS
// of the split indicators 1[x ≤ q̂_p], q̂_p the type-7 quantile of all draws
// (posterior::ess_quantile). For p = 1 it uses p = (S − 1/2)/S as posterior
// does. It panics if p is outside [0, 1].
func ESSQuantile(chains [][]float64, p float64) float64 {
	if !(p >= 0 && p <= 1) {
		panic(errProb)
	}
	if shouldReturnNaN(chains) {
		return math.NaN()
	}
	sorted := slices.Sorted(slices.Values(flatten(chains)))
	return essQuantileSorted(chains, sorted, p)
}

// essQuantileSorted is ESSQuantile with the draws already checked and sorted.
func essQuantileSorted(chains [][]float64, sorted []float64, p float64) float64 {
	if p == 1 {
		s := float64(len(sorted))
		p = (s - 0.5) / s
	}
	q := sortedQuantile(sorted, p)
	indicator := mapChains(chains, func(v float64) float64 {
		if v <= q {
			return 1
		}
		return 0
	})
	return ess(splitChains(indicator))
}

// ess is posterior's .ess on chains that are already split (and possibly
// transformed): the Geyer-truncated autocorrelation time and S/τ̂. It returns
// NaN for fewer than 3 draws per chain, non-finite or constant draws.
func ess(chains [][]float64) float64 {
	n := checkShape(chains)
	m := len(chains)
	if n < 3 || shouldReturnNaN(chains) {
		return math.NaN()
	}

	// Mean autocovariance over chains, and the chain means.
	acf := newAutocovariance(n)
	acov := make([]float64, n)
	acovMean := make([]float64, n)
	chainMeans := make([]float64, m)
	for c, x := range chains {
		acf.compute(acov, x)
		for t, v := range acov {
			acovMean[t] += v
		}
		chainMeans[c] = mean(x)
	}
	for t := range acovMean {
		acovMean[t] /= float64(m)
	}

	nf := float64(n)
	meanVar := acovMean[0] * nf / (nf - 1)
	varPlus := meanVar * (nf - 1) / nf
	if m > 1 {
		varPlus += variance(chainMeans)
	}

	// Geyer's initial positive sequence: pairs are added while the sum of
	// the previous pair is positive; a negative pair stays zero.
	rho := make([]float64, n)
	t := 0
	rhoEven := 1.0
	rho[t] = rhoEven
	rhoOdd := 1 - (meanVar-acovMean[t+1])/varPlus
	rho[t+1] = rhoOdd
	for t < n-5 && !math.IsNaN(rhoEven+rhoOdd) && rhoEven+rhoOdd > 0 {
		t += 2
		rhoEven = 1 - (meanVar-acovMean[t])/varPlus
		rhoOdd = 1 - (meanVar-acovMean[t+1])/varPlus
		if rhoEven+rhoOdd >= 0 {
			rho[t] = rhoEven
			rho[t+1] = rhoOdd
		}
	}
	maxT := t
	// The last even autocorrelation is used only if positive.
	if rhoEven > 0 {
		rho[maxT] = rhoEven
	}

	// Geyer's initial monotone sequence: no pair may exceed the one before.
	for t = 0; t <= maxT-4; {
		t += 2
		if rho[t]+rho[t+1] > rho[t-2]+rho[t-1] {
			rho[t] = (rho[t-2] + rho[t-1]) / 2
			rho[t+1] = rho[t]
		}
	}

	// τ̂ = −1 + 2 Σ_{t<maxT} ρ̂_t + ρ̂_maxT. For maxT = 0 posterior's
	// rho_hat_t[1:0] selects ρ̂_0 alone, so the sum is ρ̂_0.
	var sum float64
	if maxT == 0 {
		sum = rho[0]
	}
	for _, r := range rho[:maxT] {
		sum += r
	}
	size := float64(m * n)
	tau := -1 + 2*sum + rho[maxT]
	// Cap to avoid unstable estimates for antithetic chains.
	tau = math.Max(tau, 1/math.Log10(size))
	return size / tau
}
