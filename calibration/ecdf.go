package calibration

import (
	"cmp"
	"fmt"
	"math"
	"slices"
)

// RankECDF is the empirical CDF of N SBC ranks in 0..L on the grid of a
// Bands value, with the band test (Säilynoja, Bürkner & Vehtari 2022).
// All slices are indexed by grid point i = 0..K.
type RankECDF struct {
	// Z is the grid zᵢ.
	Z []float64
	// F is F̂(zᵢ) = #{r < ⌊zᵢ·(L+1)⌋}/N, as the SBC R package computes it
	// (R/plot.R, data_for_ecdf_plots).
	F []float64
	// Lower and Upper are the band limits of F (count bounds over N).
	Lower, Upper []float64
	// Diff, DiffLower and DiffUpper are F − z and the band limits minus z,
	// the ECDF-difference plot.
	Diff, DiffLower, DiffUpper []float64
	// Level is the simultaneous coverage of the band.
	Level float64
	// Pass reports whether the ECDF stays inside the band at every grid
	// point; under uniform ranks it does with probability ≥ Level.
	Pass bool
	// Outside lists the grid points at which the ECDF leaves the band.
	Outside []int
	// N is the number of ranks, and Gamma the pointwise tail probability
	// γ_obs = 2·minᵢ min{P(X ≤ cᵢ), P(X ≥ cᵢ)}, X ~ Binomial(N, zᵢ), of
	// the counts cᵢ = N·F̂(zᵢ): the ECDF stays inside the pointwise-γ bands
	// exactly when γ ≤ Gamma, so Pass is Gamma ≥ the bands' Gamma (up to
	// rounding: the two sum the same binomial tails in different orders).
	N     int
	Gamma float64
	// Warnings lists caveats (few replicates, few draws, K not dividing
	// L+1).
	Warnings []string
}

// NewRankECDF evaluates the ECDF of ranks in 0..l on the grid of bands and
// tests it against them. bands.N must equal len(ranks); build bands with
// SimultaneousBands(len(ranks), DefaultECDFPoints(len(ranks), l), 0.95)
// and reuse them across parameters. It panics on a rank outside 0..l or a
// size mismatch.
func NewRankECDF(ranks []int, l int, bands Bands) RankECDF {
	checkRanks(ranks, l)
	n := len(ranks)
	if bands.N != n {
		panic(fmt.Sprintf("calibration: bands for N = %d used with %d ranks", bands.N, n))
	}
	k := len(bands.Z)
	e := RankECDF{Z: bands.Z, Level: bands.Level, Pass: true, N: n, Gamma: 1,
		F: make([]float64, k), Lower: make([]float64, k), Upper: make([]float64, k),
		Diff: make([]float64, k), DiffLower: make([]float64, k), DiffUpper: make([]float64, k)}
	// counts[v] = #{r = v}; prefix sums give #{r < m}.
	below := make([]int, l+2)
	for _, r := range ranks {
		below[r+1]++
	}
	for v := 1; v <= l+1; v++ {
		below[v] += below[v-1]
	}
	nn := float64(n)
	lf := logFactorials(n)
	for i, z := range bands.Z {
		m := int(z*float64(l+1) + 1e-9)
		cnt := below[min(m, l+1)]
		if z > 0 && z < 1 { // the end points hold 0 and N ranks whatever they are
			e.Gamma = min(e.Gamma, 2*binomCDF(lf, cnt, n, z), 2*binomSF(lf, cnt, n, z))
		}
		e.F[i] = float64(cnt) / nn
		e.Lower[i] = float64(bands.Lower[i]) / nn
		e.Upper[i] = float64(bands.Upper[i]) / nn
		e.Diff[i] = e.F[i] - z
		e.DiffLower[i] = e.Lower[i] - z
		e.DiffUpper[i] = e.Upper[i] - z
		if cnt < bands.Lower[i] || cnt > bands.Upper[i] {
			e.Pass = false
			e.Outside = append(e.Outside, i)
		}
	}
	e.Warnings = sbcWarnings(n, l)
	if kk := k - 1; (l+1)%kk != 0 {
		e.Warnings = append(e.Warnings, fmt.Sprintf("K = %d does not divide L+1 = %d: grid points fall between ranks", kk, l+1))
	}
	return e
}

// PValue returns the p-value of the band test: the probability that the
// ECDF of N uniform ranks on the same grid comes at least as close to its
// pointwise tails as e's does, P(γ_null ≤ Gamma), computed exactly by the
// propagation that sets the bands (gammaProblem.inside gives
// P(γ_null ≥ γ); Säilynoja, Bürkner & Vehtari 2022, Sec. 3.1). The band
// test at level 1 − α fails when it is below about α (exactly, when
// Gamma is below the bands' γ). Unlike Pass it can be combined across
// parameters, as by Holm's procedure (HolmRejects). A Gamma above 0.999
// returns 1.
func (e RankECDF) PValue() float64 {
	if e.Gamma >= 0.999 {
		return 1
	}
	// The next γ above Gamma: inside(γ⁺) = P(γ_null > Gamma). The margin
	// also takes in the γ of mirrored counts, equal to Gamma but for
	// rounding.
	up := e.Gamma * (1 + 1e-9)
	return 1 - newGammaProblemUpTo(e.N, e.Z, e.Level, up).inside(up)
}

// HolmRejects returns the indices of the p-values that Holm's (1979)
// step-down procedure rejects at family-wise level alpha: sorted
// ascending, p₍ⱼ₎ is rejected while p₍ⱼ₎ ≤ α/(m − j), j = 0, 1, …, and
// the procedure stops at the first that is not. It controls the
// family-wise error rate under any dependence between the tests (the
// pooled and per-parameter SBC tests of one method share datasets). NaN
// p-values are not tests and are left out of m.
func HolmRejects(p []float64, alpha float64) []int {
	var idx []int
	for i, v := range p {
		if !math.IsNaN(v) {
			idx = append(idx, i)
		}
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(p[a], p[b]) })
	var out []int
	for j, i := range idx {
		if p[i] > alpha/float64(len(idx)-j) {
			break
		}
		out = append(out, i)
	}
	slices.Sort(out)
	return out
}
