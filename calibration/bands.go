package calibration

import (
	"fmt"
	"math"
	"slices"
)

// Bands are simultaneous confidence bands for the ECDF of N uniform values
// evaluated on the grid Z (Säilynoja, Bürkner & Vehtari 2022, Stat. Comput.
// 32:32): under uniformity the whole trajectory N·F̂(Zᵢ), i = 0..K, lies in
// [Lower[i], Upper[i]] with probability at least Level. Z[0] = 0 and
// Z[K] = 1, where the band is the single point 0 and N respectively.
type Bands struct {
	// N is the number of uniform values (SBC replicates).
	N int
	// Level is the simultaneous coverage 1 − α.
	Level float64
	// Gamma is the adjusted pointwise tail probability γ (< α): Lower[i] is
	// the smallest x with P(X ≤ x) ≥ γ/2 and Upper[i] the largest x with
	// P(X ≥ x) ≥ γ/2, X ~ Binomial(N, Zᵢ).
	Gamma float64
	// Z is the evaluation grid, increasing from 0 to 1.
	Z []float64
	// Lower and Upper bound the count N·F̂(Zᵢ).
	Lower, Upper []int
	// Inside is the exact probability that a uniform ECDF stays inside
	// the bands, ≥ Level.
	Inside float64
}

// UniformGrid returns the K+1 points zᵢ = i/K, i = 0..K. It panics if
// k < 1.
func UniformGrid(k int) []float64 {
	if k < 1 {
		panic("calibration: ECDF grid needs K ≥ 1")
	}
	z := make([]float64, k+1)
	for i := range z {
		z[i] = float64(i) / float64(k)
	}
	z[k] = 1
	return z
}

// DefaultECDFPoints returns the number K of ECDF evaluation intervals the
// SBC R package uses for N replicates of ranks 0..L (R/plot.R,
// data_for_ecdf_plots): K = L+1 if N < 50, otherwise min(L+1, N).
func DefaultECDFPoints(n, l int) int {
	if n < 50 {
		return l + 1
	}
	return min(l+1, n)
}

// SimultaneousBands returns the bands at simultaneous level for n uniform
// values on the uniform grid of k intervals (UniformGrid), with γ from
// AdjustGamma. It panics if n < 1, k < 1 or level is not in (0, 1).
func SimultaneousBands(n, k int, level float64) Bands {
	return BandsOnGrid(n, UniformGrid(k), level)
}

// BandsOnGrid is SimultaneousBands on an arbitrary grid z, increasing from
// z[0] = 0 to z[len−1] = 1. It panics on a malformed grid, n < 1 or level
// outside (0, 1).
func BandsOnGrid(n int, z []float64, level float64) Bands {
	g := newGammaProblem(n, z, level)
	gamma, inside := g.adjust()
	b := Bands{N: n, Level: level, Gamma: gamma, Z: z, Inside: inside,
		Lower: make([]int, len(z)), Upper: make([]int, len(z))}
	g.bounds(gamma, b.Lower, b.Upper)
	return b
}

// AdjustGamma returns the largest pointwise tail probability γ ∈ (0, α],
// α = 1 − level, for which a uniform ECDF of n values stays inside the
// pointwise-γ bands at every point of the grid z with probability at least
// level. This is method A ("optimize") of Säilynoja, Bürkner & Vehtari
// (2022), computed exactly: the probability of staying inside is
// propagated along the grid (see gammaProblem.inside) and γ is found by
// binary search over the values at which a bound changes, P_inside(γ)
// being a non-increasing step function of γ. It panics on a
// malformed grid, n < 1 or level outside (0, 1).
func AdjustGamma(n int, z []float64, level float64) float64 {
	gamma, _ := newGammaProblem(n, z, level).adjust()
	return gamma
}

// HalfWidth returns half the width of the band at grid point i as a
// fraction of N: (Upper[i] − Lower[i]) / (2N).
func (b Bands) HalfWidth(i int) float64 {
	return float64(b.Upper[i]-b.Lower[i]) / (2 * float64(b.N))
}

// gammaProblem holds the binomial tail tables of one (N, grid, level) and
// the two work vectors of the propagation.
type gammaProblem struct {
	n      int
	z      []float64
	level  float64
	lf     []float64
	tails  []binomTails
	lo, hi []int
	prob   []float64
	next   []float64
	recip  []float64 // recip[k] = 1/k, k = 1..N
}

func newGammaProblem(n int, z []float64, level float64) *gammaProblem {
	if !(level > 0 && level < 1) {
		panic("calibration: band level must lie in (0, 1)")
	}
	return newGammaProblemUpTo(n, z, level, 1-level)
}

// newGammaProblemUpTo is newGammaProblem with the binomial tails tabulated
// up to alpha/2, so that inside takes any γ ≤ alpha (which may be below
// 1 − level in floating point, for a p-value far in the tail).
func newGammaProblemUpTo(n int, z []float64, level, alpha float64) *gammaProblem {
	if n < 1 {
		panic("calibration: ECDF bands need N ≥ 1")
	}
	if len(z) < 2 || z[0] != 0 || z[len(z)-1] != 1 {
		panic("calibration: ECDF grid must run from 0 to 1")
	}
	for i := 1; i < len(z); i++ {
		if !(z[i] > z[i-1]) {
			panic(fmt.Sprintf("calibration: ECDF grid not increasing at %d", i))
		}
	}
	g := &gammaProblem{n: n, z: z, level: level, lf: logFactorials(n),
		tails: make([]binomTails, len(z)),
		lo:    make([]int, len(z)), hi: make([]int, len(z)),
		prob: make([]float64, n+1), next: make([]float64, n+1),
		recip: make([]float64, n+1)}
	for k := 1; k <= n; k++ {
		g.recip[k] = 1 / float64(k)
	}
	var scratch []float64
	for i, zi := range z {
		g.tails[i], scratch = newBinomTails(g.lf, n, zi, alpha/2, scratch)
	}
	return g
}

// bounds writes the pointwise-γ count bounds of every grid point.
func (g *gammaProblem) bounds(gamma float64, lo, hi []int) {
	for i, t := range g.tails {
		lo[i] = t.lower(gamma / 2)
		hi[i] = t.upper(g.n, gamma/2)
	}
}

// adjust returns the largest γ ∈ (0, α] with P_inside(γ) ≥ level,
// together with that probability. The bounds, and so P_inside, change
// only where γ/2 crosses a tabulated tail probability, and P_inside is
// non-increasing in γ; γ is therefore found exactly by binary search over
// those breakpoints (at each breakpoint the wider bound still holds).
func (g *gammaProblem) adjust() (gamma, inside float64) {
	alpha := 1 - g.level
	if p := g.inside(alpha); p >= g.level {
		return alpha, p
	}
	// Halve γ until the level is met, bracketing the answer in
	// [floor, 2·floor); typically γ is α/10 to α/50, a few halvings.
	floor, pFloor := alpha, 0.0
	for {
		floor /= 2
		if floor < math.SmallestNonzeroFloat64*4 {
			// Even the widest bounds miss the level (a coarse grid or
			// tiny N): report the limit γ → 0 with its probability.
			return floor, g.inside(floor)
		}
		if pFloor = g.inside(floor); pFloor >= g.level {
			break
		}
	}
	cand := []float64{floor}
	for _, t := range g.tails {
		for _, tail := range [2][]float64{t.cdf, t.sf} {
			for _, c := range tail {
				if 2*c > floor && 2*c < 2*floor {
					cand = append(cand, 2*c)
				}
			}
		}
	}
	slices.Sort(cand)
	// On a grid symmetric about ½ the tails at z and 1 − z are equal up
	// to rounding; merging breakpoints that agree to 1e-9 and keeping the
	// smallest keeps such pairs of bounds moving together, so the bands
	// stay symmetric.
	kept := cand[:1]
	for _, c := range cand[1:] {
		if c > kept[len(kept)-1]*(1+1e-9) {
			kept = append(kept, c)
		}
	}
	cand = kept
	// Invariant: P_inside(cand[lo]) ≥ level and P_inside(cand[hi]) <
	// level, with cand[len] standing for 2·floor.
	lo, hi := 0, len(cand)
	pLo := pFloor
	for hi-lo > 1 {
		m := int(uint(lo+hi) >> 1)
		if p := g.inside(cand[m]); p >= g.level {
			lo, pLo = m, p
		} else {
			hi = m
		}
	}
	return cand[lo], pLo
}

// inside returns the probability that the ECDF of N uniform values stays
// within the pointwise-γ bounds at every grid point. With xᵢ = N·F̂(zᵢ),
// given xᵢ₋₁ the increment xᵢ − xᵢ₋₁ is Binomial(N − xᵢ₋₁, z̃ᵢ) with
// z̃ᵢ = (zᵢ − zᵢ₋₁)/(1 − zᵢ₋₁) (the values above zᵢ₋₁ are uniform on
// (zᵢ₋₁, 1]), so the law of xᵢ restricted to the band follows from that
// of xᵢ₋₁ by one convolution per step (Säilynoja et al. 2022, Sec. 3.1).
func (g *gammaProblem) inside(gamma float64) float64 {
	g.bounds(gamma, g.lo, g.hi)
	if g.lo[0] > 0 {
		return 0
	}
	prob, next := g.prob, g.next
	clear(prob)
	prob[0] = 1
	for i := 1; i < len(g.z); i++ {
		lo, hi := g.lo[i], g.hi[i]
		if lo > hi {
			return 0
		}
		for x := lo; x <= hi; x++ {
			next[x] = 0
		}
		zt := (g.z[i] - g.z[i-1]) / (1 - g.z[i-1])
		for x1 := g.lo[i-1]; x1 <= g.hi[i-1]; x1++ {
			p1 := prob[x1]
			if p1 == 0 {
				continue
			}
			g.spread(next, p1, x1, lo, hi, zt)
		}
		for x := g.lo[i-1]; x <= g.hi[i-1]; x++ {
			prob[x] = 0
		}
		for x := lo; x <= hi; x++ {
			prob[x] = next[x]
		}
	}
	s := 0.0
	k := len(g.z) - 1
	for x := g.lo[k]; x <= g.hi[k]; x++ {
		s += prob[x]
	}
	return s
}

// spread adds w·P(D = x2 − x1) to next[x2] for x2 in [lo, hi], where
// D ~ Binomial(N − x1, p). The pmf is evaluated once in log space at the
// in-window point nearest the mode and extended to both sides by the
// ratio recurrence, so terms only underflow when they are negligible.
func (g *gammaProblem) spread(next []float64, w float64, x1, lo, hi int, p float64) {
	m := g.n - x1
	dlo, dhi := max(lo-x1, 0), min(hi-x1, m)
	if dlo > dhi {
		return
	}
	if p >= 1 {
		if dhi == m {
			next[x1+m] += w
		}
		return
	}
	mode := min(max(int(float64(m+1)*p), dlo), dhi)
	start := w * math.Exp(binomLogPMF(g.lf, mode, m, p))
	if start == 0 {
		return
	}
	odds := p / (1 - p)
	t := start
	for d := mode; d <= dhi; d++ {
		next[x1+d] += t
		if d < m {
			t *= float64(m-d) * g.recip[d+1] * odds
		}
	}
	t = start
	invOdds := 1 / odds
	for d := mode - 1; d >= dlo; d-- {
		t *= float64(d+1) * g.recip[m-d] * invOdds
		next[x1+d] += t
	}
}
